"""Progress reporting and cancellation shared by every long-running job.

A job is a plain function; the CLI passes a callback that draws a bar on a terminal, the app
one that posts a message to the screen. Jobs call :meth:`Progress.step` between chunks, which
raises :class:`Cancelled` once the caller has asked to stop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from centredesk.errors import UserError

ProgressCallback = Callable[[str, int, int], None]
"""Called with (stage, done, total); total is 0 when unknown."""


class Cancelled(UserError):
    """The user cancelled the job; nothing it would have written was written."""

    def __init__(self) -> None:
        super().__init__("cancelled; nothing was written")


@dataclass
class Progress:
    """What a job is given to report progress and to notice cancellation."""

    callback: ProgressCallback | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def step(self, stage: str, done: int, total: int = 0) -> None:
        """Report progress; raise :class:`Cancelled` if cancellation was requested."""
        if self.cancel.is_set():
            raise Cancelled()
        self.report(stage, done, total)

    def report(self, stage: str, done: int, total: int = 0) -> None:
        """Report progress without checking for cancellation (after the point of no return)."""
        if self.callback is not None:
            self.callback(stage, done, total)


NO_PROGRESS = Progress()
