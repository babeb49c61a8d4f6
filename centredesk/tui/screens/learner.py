"""A learner in full: personal details, registrations, bookings, results and history."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from centredesk.errors import UserError
from centredesk.store import details
from centredesk.store.details import cell_text
from centredesk.tui.database import Database

SECTIONS = (
    ("registrations", "Registrations"),
    ("bookings", "Bookings"),
    ("results", "Results"),
    ("history", "History (audit log)"),
)


def fill_table(table: DataTable[str], frame: pl.DataFrame) -> None:
    """Put a small frame (one learner's records) into a DataTable, values as text."""
    table.clear(columns=True)
    table.add_columns(*(name.replace("_", " ").capitalize() for name in frame.columns))
    table.add_rows([tuple(cell_text(value) for value in row) for row in frame.rows()])


class LearnerScreen(Screen[None]):
    """Opened by Enter on a learner's row anywhere; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    class Loaded(Message):
        def __init__(self, detail: details.LearnerDetail | None) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, database: Database, learner_number: int) -> None:
        super().__init__(id="learner")
        self.database = database
        self.learner_number = learner_number

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="learner-body"):
            yield Static("loading…", id="learner-details", classes="details")
            for name, title in SECTIONS:
                yield Static(title, classes="section-title")
                yield DataTable(id=f"learner-{name}", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"learner {self.learner_number}"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            detail = self.database.query(details.learner_detail, self.learner_number)
        except UserError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error")
            return
        self.post_message(self.Loaded(detail))

    def on_learner_screen_loaded(self, message: Loaded) -> None:
        detail = message.detail
        panel = self.query_one("#learner-details", Static)
        if detail is None:
            panel.update(f"There is no learner {self.learner_number}.")
            return
        person = {key: cell_text(value) for key, value in detail.details.items()}
        panel.update(
            f"[b]{person['forename']} {person['surname']}[/b]   learner {person['learner_number']}"
            f"\nBorn {person['date_of_birth']}   ULN {person['uln'] or '(none yet)'}"
            f"   Reference {person['learner_reference'] or '-'}"
            f"\nCentre {person['centre_number']} {person['centre_name']}"
            f"\nAdjustments {person['reasonable_adjustments'] or 'none'}"
        )
        for name, _title in SECTIONS:
            frame: pl.DataFrame = getattr(detail, name)
            fill_table(self.query_one(f"#learner-{name}", DataTable), frame)
