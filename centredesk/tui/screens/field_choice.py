"""Choosing what one column of an upload is read as: a field of its kind, or nothing."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from centredesk.jobs.import_steps import field_options
from centredesk.validation.fields import Kind

NOT_READ = "-"
"""The option id of "not read"."""


class FieldChoiceScreen(ModalScreen[tuple[str | None] | None]):
    """Answers ``(field,)`` (``(None,)``: not read), or None when closed without a choice."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Close")]
    DEFAULT_CSS = """
    FieldChoiceScreen { align: center middle; }
    FieldChoiceScreen > Vertical {
        width: 56; height: auto; max-height: 20; border: round $primary;
        background: $surface; padding: 0 1;
    }
    FieldChoiceScreen OptionList { height: auto; max-height: 15; border: none; }
    """

    def __init__(self, kind: Kind, header: str, current: str | None) -> None:
        super().__init__(id="field-choice")
        self.kind = kind
        self.header = header
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("not read", id=NOT_READ)] + [
            Option(f"{header}{' *' if required else ''}", id=name)
            for name, header, required in field_options(self.kind)
        ]
        with Vertical() as box:
            box.border_title = "Read the column as"
            yield Static(f'"{escape(self.header)}" ( * a {self.kind} sheet needs it)')
            yield OptionList(*options, id="field-options")

    def on_mount(self) -> None:
        options = self.query_one("#field-options", OptionList)
        options.highlighted = options.get_option_index(self.current or NOT_READ)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        self.dismiss((None if name == NOT_READ else name,))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
