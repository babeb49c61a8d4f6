"""Someone else saved the record while the user was changing it: both versions side by side,
and the user chooses. Nothing is overwritten without being seen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.markup import escape
from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


def _shown(text: str) -> str:
    return text if text else "(empty)"


class ConflictScreen(ModalScreen[str | None]):
    """``"mine"`` (save over theirs), ``"theirs"`` (take their version) or None (decide later).

    Only the fields that differ are listed: what the user read, what the other person saved,
    and what the user typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('mine')", "Keep mine"),
        Binding("t", "choose('theirs')", "Take theirs"),
        Binding("escape", "choose('')", "Decide later"),
    ]
    DEFAULT_CSS = """
    ConflictScreen { align: center middle; }
    ConflictScreen > Vertical {
        width: 78; height: auto; border: thick $warning; background: $surface; padding: 0 1;
    }
    ConflictScreen #conflict-table { height: auto; margin: 1 0; }
    ConflictScreen Horizontal { height: auto; }
    ConflictScreen Button { margin-right: 2; width: auto; }
    """

    def __init__(
        self,
        title: str,
        labels: Sequence[str],
        read: Sequence[str],
        theirs: Sequence[str],
        mine: Sequence[str],
    ) -> None:
        super().__init__(id="conflict")
        self.title_text = title
        self.rows = [
            (label, was, their, my)
            for label, was, their, my in zip(labels, read, theirs, mine, strict=True)
            if their != was or my != was
        ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), expand=True, header_style="bold")
        table.add_column("Field", width=14, no_wrap=True)
        table.add_column("You read", ratio=1)
        table.add_column("They saved", ratio=1)
        table.add_column("You typed", ratio=1)
        for label, was, their, my in self.rows:
            # The side that differs from what was read is in bold: that is a change.
            table.add_row(
                label,
                escape(_shown(was)),
                f"[b]{escape(_shown(their))}[/b]" if their != was else escape(_shown(their)),
                f"[b]{escape(_shown(my))}[/b]" if my != was else escape(_shown(my)),
            )
        with Vertical() as box:
            box.border_title = "Changed by someone else"
            yield Static(
                f"[b]{escape(self.title_text)}[/b]. Nothing was saved.", id="conflict-title"
            )
            yield Static(table, id="conflict-table")
            yield Static(
                "Keep mine saves your version over theirs; take theirs puts their version in "
                "the form, losing what you typed.",
                id="conflict-help",
            )
            with Horizontal():
                yield Button("Keep mine (m)", id="conflict-mine", variant="warning", compact=True)
                yield Button(
                    "Take theirs (t)", id="conflict-theirs", variant="primary", compact=True
                )

    @on(Button.Pressed, "#conflict-mine")
    def _mine(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed, "#conflict-theirs")
    def _theirs(self) -> None:
        self.dismiss("theirs")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
