"""Running a job from a screen: a worker thread, a progress bar, and a Cancel that works.

A screen hands :meth:`JobProgress.start` a plain job function (it takes a
:class:`~centredesk.jobs.progress.Progress`) and what to do with its outcome. The job runs
in a worker thread; its progress reaches the bar as messages (a few a second at most, so a
fast job never floods the screen); its result, its failure (a user error, shown as its
one-line message) or its cancellation come back the same way and are handled on the event
loop. Cancel sets the job's cancel event: the job stops at its next step and rolls back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from centredesk.errors import UserError
from centredesk.jobs.progress import Cancelled, Progress

R = TypeVar("R")

REPORT_SECONDS = 0.1
"""The least time between two progress messages from one job."""

STAGES = {
    "reading": "Reading the file",
    "checking": "Checking the rows",
    "writing": "Writing to the store",
    "exporting": "Writing the workbook",
    "fix list": "Writing the fix list",
}
"""What each job stage is called on screen."""


class JobProgressed(Message, bubble=False):
    """A job reported how far it got."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total


class JobEnded(Message, Generic[R], bubble=False):
    """A job finished, failed or was cancelled; ``handle`` says what the screen does."""

    def __init__(self, handle: Callable[[], None]) -> None:
        super().__init__()
        self.handle = handle


def describe_rate(done: int, total: int, seconds: float) -> str:
    """``12,000 of 50,000 rows · 8,000 rows/s · 5 s left`` (as much as is known)."""
    parts = [f"{done:,} of {total:,} rows" if total else f"{done:,} rows"]
    if seconds > 0 and done > 0:
        rate = done / seconds
        parts.append(f"{rate:,.0f} rows/s")
        if total and total > done:
            left = (total - done) / rate
            parts.append(f"{left:,.0f} s left" if left >= 1 else "under 1 s left")
    return " · ".join(parts)


class JobProgress(Vertical):
    """What a running job is doing, how far it got, how fast, and what is left."""

    BINDINGS: ClassVar[list[BindingType]] = []
    DEFAULT_CSS = """
    JobProgress { height: auto; padding: 0 1; display: none; }
    JobProgress.-running { display: block; }
    JobProgress > #job-stage { height: 1; text-style: bold; }
    JobProgress > ProgressBar { height: 1; }
    JobProgress > #job-rate { height: 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.progress: Progress | None = None
        self._stage = ""
        self._stage_started = 0.0
        self.reports = 0
        """Progress messages shown: tests see the bar move."""

    def compose(self) -> ComposeResult:
        yield Static("", id="job-stage")
        yield ProgressBar(total=None, show_eta=False, id="job-bar")
        yield Static("", id="job-rate")

    @property
    def running(self) -> bool:
        return self.progress is not None

    def start(
        self,
        job: Callable[[Progress], R],
        done: Callable[[R], None],
        failed: Callable[[UserError], None],
        cancelled: Callable[[], None] | None = None,
        *,
        name: str,
    ) -> None:
        """Run ``job`` in a worker; then ``done(result)``, ``failed(error)`` or ``cancelled()``
        on the event loop. A user error never becomes a traceback."""
        last = [0.0]

        def report(stage: str, count: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= REPORT_SECONDS or (total and count >= total):
                last[0] = now
                self.post_message(JobProgressed(stage, count, total))

        progress = Progress(report)
        self.progress = progress
        self._stage = ""
        self.add_class("-running")
        self.query_one("#job-stage", Static).update("Starting…")
        self.query_one("#job-rate", Static).update("")
        # No bar until a stage says how much there is: an indeterminate bar animates at
        # every frame, and a busy machine has better things to do with the event loop.
        bar = self.query_one("#job-bar", ProgressBar)
        bar.update(total=1, progress=0)
        bar.display = False

        def finish(handle: Callable[[], None]) -> Callable[[], None]:
            def ended() -> None:
                if self.progress is progress:
                    self.progress = None
                    self.remove_class("-running")
                handle()

            return ended

        def work() -> None:
            try:
                result = job(progress)
            except Cancelled:
                self.post_message(JobEnded(finish(cancelled or (lambda: None))))
            except UserError as error:
                # Bound now: the name of an except clause is gone once it ends.
                problem = error
                self.post_message(JobEnded(finish(lambda: failed(problem))))
            else:
                self.post_message(JobEnded(finish(lambda: done(result))))

        self.run_worker(work, name=name, group="job", thread=True, exit_on_error=False)

    def cancel(self) -> bool:
        """Ask the running job to stop; False when none is running."""
        if self.progress is None:
            return False
        self.progress.cancel.set()
        self.query_one("#job-stage", Static).update("Cancelling…")
        return True

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        if self.progress is None or self.progress.cancel.is_set():
            return
        if message.stage != self._stage:
            self._stage, self._stage_started = message.stage, time.monotonic()
        self.reports += 1
        label = STAGES.get(message.stage, message.stage.capitalize())
        self.query_one("#job-stage", Static).update(f"{escape(label)}…")
        bar = self.query_one("#job-bar", ProgressBar)
        bar.display = bool(message.total)
        if message.total:
            bar.update(total=message.total, progress=message.done)
        elapsed = time.monotonic() - self._stage_started
        self.query_one("#job-rate", Static).update(
            describe_rate(message.done, message.total, elapsed)
        )

    def on_job_ended(self, message: JobEnded[Any]) -> None:
        message.stop()
        message.handle()
