"""What the reading process does: limit itself, read one sheet, hand the result over.

It runs in a process forked by :mod:`centredesk.io.read_server` for each upload. It limits
itself first (data memory, CPU and wall time, no core dumps, death with the server), then
reads the sheet and writes the result into the request's folder: the frames as Arrow,
everything else as JSON, and a ``result.json`` saying how it went. Nothing it produces is
pickled. Whatever the parser does here (a panic, an abort, running out of memory, spinning),
only this process is lost.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import tempfile
from pathlib import Path
from typing import Any

from centredesk.errors import UserError
from centredesk.io.reader import read_sheet
from centredesk.io.sheet_transfer import write_sheet

RESULT_FILE = "result.json"
STDERR_FILE = "stderr"
_PR_SET_PDEATHSIG = 1
_LOG_RECORDS_KEPT = 50


def run(request: dict[str, Any], server: int) -> None:
    """Read the sheet ``request`` names; ``server`` is the pid of the process that forked us."""
    folder = Path(request["folder"])
    _limit_self(request, server)
    # Scratch files (a big sheet's halves) go into the request's folder, which the parent
    # removes however this process ends.
    tempfile.tempdir = str(folder)
    records = _capture_log()
    result: dict[str, Any]
    try:
        sheet = read_sheet(
            request["path"],
            kind=request["kind"],
            sheet=request["sheet"],
            columns=request.get("columns"),
        )
    except UserError as error:
        result = {"status": "refused", "error": type(error).__name__, "message": str(error)}
    except MemoryError:
        result = {"status": "memory"}
    except BaseException as error:  # a reader panic (PanicException) is a BaseException
        result = {"status": "crashed", "detail": _first_line(error)}
    else:
        try:
            write_sheet(sheet, folder)
            result = {"status": "ok"}
        except MemoryError:
            result = {"status": "memory"}
        except OSError as error:
            result = {"status": "storage", "detail": error.strerror or str(error)}
    result["log"] = records
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    partial = folder / f"{RESULT_FILE}.part"
    partial.write_text(json.dumps(result, ensure_ascii=False))
    os.replace(partial, folder / RESULT_FILE)


def _limit_self(request: dict[str, Any], server: int) -> None:
    """Limits that hold whatever happens to the parent: memory, CPU, time, core dumps."""
    # Messages of a Rust abort ("memory allocation of ... failed") land where the parent
    # can read them; the server's pipes are not ours to write to.
    error_output = os.open(Path(request["folder"]) / STDERR_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(error_output, 2)
    os.close(null)
    os.close(error_output)
    for number in (signal.SIGINT, signal.SIGCHLD, signal.SIGALRM, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the parent answers Ctrl-C
    signal.set_wakeup_fd(-1)
    address = int(request["address_bytes"])
    resource.setrlimit(resource.RLIMIT_DATA, (address, address))
    seconds = int(request["seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.alarm(seconds + 5)  # SIGALRM ends the process even if the parent has gone
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the limits above still end this process
    if os.getppid() != server:
        os._exit(1)  # the server died before the line above took effect


def _capture_log() -> list[dict[str, Any]]:
    """The reader's log records (calamine's warnings among them), handed to the parent."""
    records: list[dict[str, Any]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(records) < _LOG_RECORDS_KEPT:
                records.append(
                    {"name": record.name, "level": record.levelno, "message": record.getMessage()}
                )

    root = logging.getLogger()
    root.handlers[:] = [Keep()]
    root.setLevel(logging.INFO)
    return records


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:300]
