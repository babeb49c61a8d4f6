"""What the app shows when the store cannot be read: which file, who holds it, what next."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from centredesk.errors import UserError
from centredesk.store import StoreLockedError


def explain(error: UserError) -> str:
    """The problem in words for the user: the held file and the holding process by name."""
    if isinstance(error, StoreLockedError):
        who = error.holder or (f"process {error.pid}" if error.pid else "another process")
        return (
            f"The database\n  {error.location}\nis in use by {who}.\n\n"
            "An import or another program is probably writing to it. Wait for it to "
            "finish (or close it there), then retry."
        )
    return str(error)


class ProblemScreen(ModalScreen[bool]):
    """Retry (True) or quit (False)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry"),
        Binding("q", "give_up", "Quit"),
    ]
    DEFAULT_CSS = """
    ProblemScreen { align: center middle; }
    ProblemScreen > Vertical {
        width: 72; height: auto; border: thick $error; background: $surface; padding: 1 2;
    }
    ProblemScreen Horizontal { height: auto; margin-top: 1; }
    ProblemScreen Button { margin-right: 2; }
    """

    def __init__(self, error: UserError) -> None:
        super().__init__(id="problem")
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Cannot read the database"
            yield Static(explain(self.error), id="problem-text")
            with Horizontal():
                yield Button("Retry (r)", id="retry", variant="primary")
                yield Button("Quit (q)", id="quit", variant="error")

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit")
    def action_give_up(self) -> None:
        self.dismiss(False)
