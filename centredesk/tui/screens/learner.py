"""A learner in full: personal details, registrations, bookings, results and history.

From here an editor edits the learner (``e``) and cancels a booking (``x`` on it); the
history lists every change of the learner and their records in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import polars as pl
from rich.markup import escape
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from centredesk.dates import UK_DATE_TIME
from centredesk.jobs.history import describe
from centredesk.store import Store
from centredesk.store.records import Change, HistoryFilters, LearnerDetail
from centredesk.tui.acting import cancel_booking_flow
from centredesk.tui.columns import cell_text
from centredesk.tui.database import Database
from centredesk.tui.writing import ChangesStore

SECTIONS = (
    ("registrations", "Registrations"),
    ("bookings", "Bookings"),
    ("results", "Results"),
    ("other", "Other columns of the upload"),
)

Row = tuple[str, ...]

HEADERS: dict[str, tuple[str, ...]] = {
    "registrations": ("Product", "Title", "Batch", "Registered", "Status"),
    "bookings": ("Product", "Assessment", "Session", "Mode", "Status", "Attempt"),
    "results": ("Product", "Component", "Grade", "Issued", "Released"),
    "other": ("Product", "Column", "Value"),
}
"""Column headers of each section, in the words of the people who use the app."""

# Widths (in cells) that let each section fit 76 columns, the room the screen has at 80; a
# wider terminal gives its extra columns to the cut text (titles, assessments, values).
_TITLE_WIDTH = 26
_COMPONENT_WIDTH = 10
_ASSESSMENT_WIDTH = 15
_COLUMN_WIDTH = 20
_VALUE_WIDTH = 40
_SHOWN_ONLY_WITH_ROWS = ("other",)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _registration_rows(frame: pl.DataFrame, extra: int = 0) -> list[Row]:
    title_width = _TITLE_WIDTH + extra
    return [
        (code, shorten(title or "", title_width), str(batch), cell_text(day), status)
        for code, title, batch, day, status in frame.rows()
    ]


def _booking_rows(frame: pl.DataFrame, extra: int = 0) -> list[Row]:
    width = _ASSESSMENT_WIDTH + extra
    return [
        (code, shorten(assessment, width), cell_text(day), mode or "", status, str(n))
        for code, assessment, day, mode, status, n, _booking in frame.rows()
    ]


def _result_rows(frame: pl.DataFrame, extra: int = 0) -> list[Row]:
    rows: list[Row] = []
    for code, component, grade, day, released, withheld in frame.rows():
        # No release date means the result went out with the result date.
        release = f"withheld until {cell_text(released)}" if withheld else cell_text(released)
        component_text = shorten(component, _COMPONENT_WIDTH + extra)
        rows.append((code, component_text, grade, cell_text(day), release))
    return rows


def _other_rows(frame: pl.DataFrame, extra: int = 0) -> list[Row]:
    return [
        (code, shorten(column, _COLUMN_WIDTH), shorten(value, _VALUE_WIDTH + extra))
        for code, column, value in frame.rows()
    ]


def history_table(changes: list[Change]) -> Table:
    """Every change, oldest first: when, who, and what it did in plain words (wrapped)."""
    table = Table(box=None, padding=(0, 1, 0, 0), expand=True, show_header=True,
                  header_style="bold")  # fmt: skip
    table.add_column("When", width=16, no_wrap=True)
    table.add_column("Who", width=10, no_wrap=True, overflow="ellipsis")
    table.add_column("What", ratio=1)
    for change in changes:
        what = f"{describe(change)} [dim](change {change.change_id}"
        what += f", undone by {change.undone_by})[/dim]" if change.undone_by else ")[/dim]"
        table.add_row(f"{change.when:{UK_DATE_TIME}}", escape(change.who), what)
    return table


ROWS: dict[str, Callable[[pl.DataFrame, int], list[Row]]] = {
    "registrations": _registration_rows,
    "bookings": _booking_rows,
    "results": _result_rows,
    "other": _other_rows,
}


def fill_table(table: DataTable[str], headers: tuple[str, ...], rows: list[Row]) -> None:
    """Put one learner's records (a handful of rows) into a DataTable."""
    table.clear(columns=True)
    table.add_columns(*headers)
    table.add_rows(rows)


class LearnerScreen(Screen[None], ChangesStore):
    """Opened by Enter on a learner's row anywhere; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e,f2", "edit", "Edit"),
        Binding("x", "cancel_booking", "Cancel booking"),
    ]

    def __init__(self, database: Database, learner_number: int) -> None:
        super().__init__(id="learner")
        self.database = database
        self.learner_number = learner_number
        self.detail: LearnerDetail | None = None
        self.answer: tuple[LearnerDetail | None, list[Change]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="learner-body"):
            yield Static("loading…", id="learner-details", classes="details")
            for name, title in SECTIONS:
                yield Static(title, id=f"learner-{name}-title", classes="section-title")
                yield DataTable(
                    id=f"learner-{name}", cursor_type="row", show_cursor=name == "bookings"
                )
            yield Static("History", id="learner-history-title", classes="section-title")
            yield Static("", id="learner-history")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"learner {self.learner_number}"
        self.load()

    def load(self) -> None:
        number = self.learner_number

        def learner(store: Store) -> tuple[LearnerDetail | None, list[Change]]:
            changes = store.history.changes(HistoryFilters(learner=number))
            return store.details.learner(number), changes

        self.read_store(learner, self._show, name="learner")

    def on_resize(self) -> None:
        if self.answer is not None:
            self._show(self.answer)

    def _show(self, answer: tuple[LearnerDetail | None, list[Change]]) -> None:
        self.answer = answer
        detail, changes = answer
        self.detail = detail
        panel = self.query_one("#learner-details", Static)
        if detail is None:
            panel.update(f"There is no learner {self.learner_number}.")
            return
        person = {key: escape(cell_text(value)) for key, value in detail.details.items()}
        panel.update(
            f"[b]{person['forename']} {person['surname']}[/b]   learner {person['learner_number']}"
            f"\nBorn {person['date_of_birth']}   ULN {person['uln'] or '(none yet)'}"
            f"   Reference {person['learner_reference'] or '-'}"
            f"\nCentre {person['centre_number']} {person['centre_name']}"
            f"\nAdjustments {person['reasonable_adjustments'] or 'none'}"
        )
        extra = max(self.size.width - 80, 0)
        for name, _title in SECTIONS:
            frame: pl.DataFrame = getattr(detail, name)
            rows = ROWS[name](frame, extra)
            table = self.query_one(f"#learner-{name}", DataTable)
            fill_table(table, HEADERS[name], rows)
            # An empty table would show headers over nothing; say so in the title instead.
            table.display = bool(rows)
            # Height set here, not left to the table to find once idle: the screen is laid
            # out once, with every row.
            table.styles.height = len(rows) + 1
            title = dict(SECTIONS)[name]
            heading = self.query_one(f"#learner-{name}-title", Static)
            heading.update(f"{title} ({len(rows)})" if rows else f"{title}: none")
            # Most uploads have no other columns: nothing to say then.
            heading.display = bool(rows) or name not in _SHOWN_ONLY_WITH_ROWS
        history = self.query_one("#learner-history", Static)
        history.update(history_table(changes) if changes else "")
        history.display = bool(changes)
        self.query_one("#learner-history-title", Static).update(
            f"History ({len(changes)})" if changes else "History: no changes"
        )
        self.refresh_bindings()

    # -- changing the learner ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        identity = self.database.identity
        if action == "edit":
            return self.detail is not None and identity.may("edit")
        if action == "cancel_booking":
            bookings = self.query_one("#learner-bookings", DataTable)
            return (
                self.detail is not None
                and identity.may("cancel_booking")
                and self.focused is bookings
                and bookings.row_count > 0
            )
        return True

    def on_descendant_focus(self, event: object) -> None:
        self.refresh_bindings()  # cancelling a booking is offered on the bookings

    def action_edit(self) -> None:
        """Edit the learner's details in a form that judges them as you type."""
        from centredesk.tui.screens.edit_learner import EditLearnerScreen

        # Once saved, the app reads this screen again, as everything else it shows.
        self.app.push_screen(EditLearnerScreen(self.database, self.learner_number))

    def action_cancel_booking(self) -> None:
        """Cancel the booking under the cursor, after saying what that means."""
        if self.detail is None:
            return
        table = self.query_one("#learner-bookings", DataTable)
        if not 0 <= table.cursor_row < self.detail.bookings.height:
            return
        booking_id = int(self.detail.bookings.get_column("booking_id")[table.cursor_row])
        cancel_booking_flow(self, booking_id, lambda: None)
