"""A learner in full: personal details, registrations, bookings, results and history."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import ClassVar

import polars as pl
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from centredesk.store.records import LearnerDetail
from centredesk.tui.columns import cell_text
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore

SECTIONS = (
    ("registrations", "Registrations"),
    ("bookings", "Bookings"),
    ("results", "Results"),
    ("other", "Other columns of the upload"),
    ("history", "History (audit log)"),
)

Row = tuple[str, ...]

HEADERS: dict[str, tuple[str, ...]] = {
    "registrations": ("Product", "Title", "Batch", "Registered", "Status"),
    "bookings": ("Product", "Assessment", "Session", "Mode", "Status", "Attempt"),
    "results": ("Product", "Component", "Grade", "Issued", "Released"),
    "other": ("Product", "Column", "Value"),
    "history": ("Changed at", "By", "Table", "Record", "Action", "Change"),
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
_TABLE_NAMES = {"learners": "learner", "registrations": "registration"}


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
        for code, assessment, day, mode, status, n in frame.rows()
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


def change_text(before: str | None, after: str | None) -> str:
    """An audit entry's before and after (JSON objects) as only what changed:
    ``status: active → withdrawn``; dates day first."""
    old = json.loads(before) if before else None
    new = json.loads(after) if after else None
    if not isinstance(old, dict) or not isinstance(new, dict):
        return "added" if new is not None and old is None else "removed" if old else ""
    changed = [
        f"{key.replace('_', ' ')}: {_json_text(old.get(key))} → {_json_text(new.get(key))}"
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]
    return "; ".join(changed) or "no change"


def _json_text(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        try:
            return cell_text(date.fromisoformat(value)) if len(value) == 10 else value
        except ValueError:
            return value
    return str(value)


def _history_rows(frame: pl.DataFrame, extra: int = 0) -> list[Row]:
    return [
        (
            cell_text(changed_at),
            user,
            _TABLE_NAMES.get(table, table),
            key,
            action,
            change_text(before, after),
        )
        for changed_at, user, table, key, action, before, after in frame.rows()
    ]


ROWS: dict[str, Callable[[pl.DataFrame, int], list[Row]]] = {
    "registrations": _registration_rows,
    "bookings": _booking_rows,
    "results": _result_rows,
    "other": _other_rows,
    "history": _history_rows,
}


def fill_table(table: DataTable[str], headers: tuple[str, ...], rows: list[Row]) -> None:
    """Put one learner's records (a handful of rows) into a DataTable."""
    table.clear(columns=True)
    table.add_columns(*headers)
    table.add_rows(rows)


class LearnerScreen(Screen[None], ReadsStore):
    """Opened by Enter on a learner's row anywhere; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, database: Database, learner_number: int) -> None:
        super().__init__(id="learner")
        self.database = database
        self.learner_number = learner_number
        self.detail: LearnerDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="learner-body"):
            yield Static("loading…", id="learner-details", classes="details")
            for name, title in SECTIONS:
                yield Static(title, id=f"learner-{name}-title", classes="section-title")
                yield DataTable(id=f"learner-{name}", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"learner {self.learner_number}"
        self.load()

    def load(self) -> None:
        number = self.learner_number
        self.read_store(lambda store: store.details.learner(number), self._show, name="learner")

    def on_resize(self) -> None:
        if self.detail is not None:
            self._show(self.detail)

    def _show(self, detail: LearnerDetail | None) -> None:
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
            # out once, with every row (the history also has room for its sideways bar).
            table.styles.height = len(rows) + (2 if name == "history" else 1)
            title = dict(SECTIONS)[name]
            heading = self.query_one(f"#learner-{name}-title", Static)
            heading.update(f"{title} ({len(rows)})" if rows else f"{title}: none")
            # Most uploads have no other columns: nothing to say then.
            heading.display = bool(rows) or name not in _SHOWN_ONLY_WITH_ROWS
