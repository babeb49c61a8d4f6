"""A question before a change: what it will do, in the job's own words, then yes or no."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """True for yes (``y``), False for no (``n`` or Esc). ``body`` is Textual markup.

    With ``yes=None`` it only tells, with one button that closes it (False).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 78; height: auto; max-height: 22; border: thick $primary; background: $surface;
        padding: 0 1;
    }
    ConfirmScreen.-danger > Vertical { border: thick $error; }
    ConfirmScreen VerticalScroll { height: auto; max-height: 16; }
    ConfirmScreen #confirm-body { height: auto; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; width: auto; }
    """

    def __init__(
        self,
        title: str,
        body: str,
        *,
        yes: str | None = "Yes",
        no: str = "No",
        danger: bool = False,
    ) -> None:
        super().__init__(id="confirm", classes="-danger" if danger else "")
        self.title_text = title
        self.body = body
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            with VerticalScroll():
                yield Static(self.body, id="confirm-body")
            with Horizontal():
                if self.yes is not None:
                    yield Button(
                        f"{self.yes} (y)",
                        compact=True,
                        id="confirm-yes",
                        variant="error" if self.has_class("-danger") else "primary",
                    )
                no = f"{self.no} (n)" if self.yes else f"{self.no} (Esc)"
                yield Button(no, id="confirm-no", compact=True)

    def on_mount(self) -> None:
        # The safe answer has the focus: Enter on a dangerous question does nothing harmful.
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes and self.yes is not None)
