"""Changing the store from a screen: the job runs in a worker, the screen stays responsive.

A widget that changes data derives from :class:`WritesStore` and calls
:meth:`WritesStore.write_store` with the job to run (given the store, opened for writing only
for the moment of the change, and a :class:`~centredesk.jobs.progress.Progress`) and what to
do with its answer. Nothing here decides anything: the job checks the role, judges and
writes; the screen shows what it said.

While another process holds the database, or while a long job works (a batch of 100,000),
:class:`~centredesk.tui.screens.busy.BusyScreen` says so, with a cancel that leaves the store
as it was. The screen that asked stays underneath, with everything the user typed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.message import Message
from textual.widget import Widget

from centredesk.cli.logfile import log_path
from centredesk.errors import UserError
from centredesk.jobs.progress import Progress
from centredesk.store import Store, StoreLockedError
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore
from centredesk.tui.screens.busy import BusyScreen

R = TypeVar("R")

LONG_JOB = 1_000
"""Records from which a job shows its progress (a smaller one is over before it shows)."""


class WriteBroke(UserError):
    """A write stopped on something that is not the user's doing (our bug, a failing disk).

    Carried to the screen like a refusal, as one line, so that the screen stops waiting and
    keeps what the user typed; the traceback goes to the log file, as for a command.
    """

    def __init__(self, doing: str, error: BaseException) -> None:
        detail = (str(error).strip().splitlines() or [""])[0][:200]
        super().__init__(
            f"{doing} stopped on an internal error ({type(error).__name__}: {detail}); "
            f"nothing was written; the details are in {log_path()}"
        )


class WriteWaiting(Message, bubble=False):
    """Another process holds the database; the write has waited ``seconds`` so far."""

    def __init__(self, job: int, holder: str, seconds: float) -> None:
        super().__init__()
        self.job = job
        self.holder = holder
        self.seconds = seconds


class WriteProgress(Message, bubble=False):
    """A job's progress: ``done`` of ``total`` at ``stage``."""

    def __init__(self, job: int, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.job = job
        self.stage = stage
        self.done = done
        self.total = total


class WriteAnswer(Message, Generic[R], bubble=False):
    """A job's result, or the user-facing error that stopped it."""

    def __init__(
        self,
        job: int,
        use: Callable[[R], None],
        failed: Callable[[UserError], None],
        result: R | None,
        error: UserError | None,
    ) -> None:
        super().__init__()
        self.job = job
        self.use = use
        self.failed = failed
        self.result = result
        self.error = error


class StoreChanged(Message):
    """A change was saved: what the app shows elsewhere may be out of date."""

    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result


class WritesStore(Widget):
    """A widget or screen that runs jobs that change the store (list it after the Textual
    class it is, as :class:`~centredesk.tui.reading.ReadsStore`)."""

    database: Database

    def write_store(
        self,
        call: Callable[[Store, Progress], R],
        use: Callable[[R], None],
        *,
        name: str,
        doing: str,
        failed: Callable[[UserError], None] | None = None,
    ) -> None:
        """Run ``call(store, progress)`` in a worker, then ``use(result)`` on the event loop.

        ``doing`` says what is being done (``Saving learner 20000001``) while the user waits.
        A :class:`~centredesk.errors.UserError` (a refusal, a stale record, a cancel) goes to
        ``failed``, by default a notice in red; so does any other failure, as a
        :class:`WriteBroke` in one line, its traceback logged.
        """
        state: dict[str, Any] = self.__dict__.setdefault("_writes", {"job": 0})
        state["job"] += 1
        job = state["job"]
        cancel = threading.Event()
        state[job] = {"doing": doing, "cancel": cancel, "busy": None}

        def report(stage: str, done: int, total: int) -> None:
            self.post_message(WriteProgress(job, stage, done, total))

        def waiting(held: StoreLockedError, seconds: float) -> None:
            who = held.holder or (f"process {held.pid}" if held.pid else "another process")
            self.post_message(WriteWaiting(job, who, seconds))

        progress = Progress(report, cancel)
        told = failed or self._notify_failure

        answered = threading.Event()

        def committed(result: R) -> None:
            # The change is committed: say so now, while the store is closed behind it.
            answered.set()
            self.post_message(WriteAnswer(job, use, told, result, None))

        def work() -> None:
            try:
                self.database.write(
                    lambda store: call(store, progress), name=name, cancel=cancel,
                    waiting=waiting, committed=committed,
                )  # fmt: skip
            except UserError as error:
                if not answered.is_set():
                    self.post_message(WriteAnswer(job, use, told, None, error))
            except Exception as error:  # our bug: the screen must not wait for ever
                logging.getLogger("centredesk").error("%s failed", name, exc_info=error)
                if not answered.is_set():
                    broke = WriteBroke(doing, error)
                    self.post_message(WriteAnswer(job, use, told, None, broke))

        self.run_worker(work, name=name, group="store-write", thread=True, exit_on_error=False)

    def _notify_failure(self, error: UserError) -> None:
        self.app.notify(str(error), title="Nothing changed", severity="error", timeout=12)

    def _busy(self, job: int) -> BusyScreen | None:
        """The job's busy screen, opened the first time it is needed."""
        state = self.__dict__.get("_writes", {}).get(job)
        if state is None:
            return None
        busy: BusyScreen | None = state["busy"]
        if busy is None:
            busy = state["busy"] = BusyScreen(state["doing"], state["cancel"])
            self.app.push_screen(busy)
        return busy

    def on_write_waiting(self, message: WriteWaiting) -> None:
        message.stop()
        busy = self._busy(message.job)
        if busy is not None:
            busy.waiting(message.holder, message.seconds)

    def on_write_progress(self, message: WriteProgress) -> None:
        message.stop()
        state = self.__dict__.get("_writes", {}).get(message.job)
        if state is None or (state["busy"] is None and message.total < LONG_JOB):
            return
        busy = self._busy(message.job)
        if busy is not None:
            busy.progress(message.stage, message.done, message.total)

    def on_write_answer(self, message: WriteAnswer[Any]) -> None:
        message.stop()
        state = self.__dict__.get("_writes", {}).pop(message.job, None)
        if state is not None and state["busy"] is not None:
            state["busy"].finish()
        if message.error is not None:
            message.failed(message.error)
        else:
            self.post_message(StoreChanged(message.result))
            message.use(message.result)


class ChangesStore(ReadsStore, WritesStore):
    """A widget or screen that reads the store and changes it (the flows of
    :mod:`centredesk.tui.acting` run on one)."""
