"""What the app shows while a change waits for the database or takes a while: who holds the
database and for how long, or how far a long job has got, and a cancel."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static


class BusyScreen(ModalScreen[None]):
    """Over the screen that asked for the change, which keeps what the user typed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    BusyScreen { align: center middle; }
    BusyScreen > Vertical {
        width: 72; height: auto; border: thick $warning; background: $surface; padding: 0 1;
    }
    BusyScreen #busy-text { height: auto; margin-bottom: 1; }
    BusyScreen ProgressBar { height: 1; margin-bottom: 1; }
    BusyScreen Button { width: auto; }
    """

    def __init__(self, doing: str, cancel: threading.Event) -> None:
        super().__init__(id="busy")
        self.doing = doing
        self.cancel = cancel
        self.started = time.monotonic()
        self.text = f"{escape(doing)}…"
        self.bar: tuple[int, int] | None = None
        """(done, total) once a long job reports; None until then."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Please wait"
            yield Static(self.text, id="busy-text")
            bar = ProgressBar(total=None, show_eta=False, id="busy-bar")
            bar.display = False
            yield bar
            yield Button(
                "Cancel (Esc): nothing is written", id="busy-cancel", variant="error", compact=True
            )

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        # Told before it is drawn (it was pushed a moment ago), it draws once mounted.
        if not self.is_mounted:
            return
        self.query_one("#busy-text", Static).update(self.text)
        if self.bar is not None:
            bar = self.query_one("#busy-bar", ProgressBar)
            bar.display = True
            done, total = self.bar
            if done and total:
                bar.update(total=total, progress=done)

    def waiting(self, holder: str, seconds: float) -> None:
        """Another process holds the database: say which, and how long we have waited."""
        if self.cancel.is_set():
            return
        self.text = (
            f"{escape(self.doing)}: waiting for the database.\n"
            f"It is in use by {escape(holder)}, for {seconds:.0f} s so far.\n"
            "The change is made as soon as it is free; what you typed is kept."
        )
        self._draw()

    def progress(self, stage: str, done: int, total: int) -> None:
        """A long job's progress; a job done in one statement shows a moving bar until
        it is over."""
        if self.cancel.is_set():
            return
        self.bar = (done, total)
        elapsed = time.monotonic() - self.started
        of = f"{total:,} records" if total else "the records"
        self.text = (
            f"{escape(self.doing)}: {escape(stage)} {of} ({elapsed:.0f} s).\n"
            "The app stays usable; the change is made in one go, or not at all."
        )
        self._draw()

    def finish(self) -> None:
        """The job is over: close, if the user has not already."""
        if self.app.screen is self:
            self.dismiss(None)

    @on(Button.Pressed, "#busy-cancel")
    def action_cancel(self) -> None:
        """Ask the job to stop; it writes nothing (the screen closes when it has stopped)."""
        self.cancel.set()
        self.text = f"{escape(self.doing)}: cancelling…"
        self._draw()
