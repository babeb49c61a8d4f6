"""centredesk's own log: a file, never the user's terminal.

The reader's warnings ("'chartsheet' not a valid worksheet", "ods row/column repeat count
capped …") and the details of our own bugs are worth keeping, but they are not what a user
asked for: the terminal gets the command's output and at most one line of error. The file
is ``$CENTREDESK_LOG``, else ``centredesk.log`` in the user log directory; it and its folder
are created on the first record, and a log that cannot be written is silently skipped.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs

ENV_VAR = "CENTREDESK_LOG"
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_path() -> Path:
    """Where the log is written."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_log_path("centredesk") / "centredesk.log"


class _LogFile(logging.Handler):
    """Appends to the log file, opening it (and making its folder) on the first record."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.INFO)
        self.path = path
        self.setFormatter(logging.Formatter(_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(text + "\n")
        except Exception:  # a log that cannot be written must not break a command
            pass

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # never print "--- Logging error ---" on the user's terminal


def send_log_to_file() -> Path:
    """Route every log record to the log file and none to the terminal; returns its path."""
    path = log_path()
    root = logging.getLogger()
    root.handlers[:] = [_LogFile(path)]
    root.setLevel(logging.INFO)
    return path
