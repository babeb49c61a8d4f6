"""The History tab: every change, newest first, in plain words; searched by user, learner,
batch, action and date; any entry undone from here when the rules allow (``z``).

The changes come from the history job (:func:`centredesk.jobs.history.list_history`), the
latest :data:`SHOWN` that match; the line under the table gives the focused change whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.jobs.export_specs import FilterValueError, read_date
from centredesk.jobs.history import describe, list_history
from centredesk.store import Store
from centredesk.store.records import Change, HistoryFilters, Selection
from centredesk.tui.acting import undo_flow
from centredesk.tui.database import Database
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn
from centredesk.tui.writing import ChangesStore

SHOWN = 1000
"""The latest changes that match, at most: a search narrows to older ones."""
HINT = "user:alice learner:20000001 batch:1001 action:withdraw date:28/11/2025 from: to:"
ACTIONS = {
    "uln": "set_uln",
    "fix": "fix_row",
    "roll": "rollback",
    "booking": "cancel_booking",
    "role": "grant",
    "un-withdraw": "unwithdraw",
}
"""Words people type for an action -> the start of the action's name in the history."""
_PAIR = re.compile(r"(?:^|\s)([A-Za-z_]+):")
_FIELDS = ("user", "learner", "batch", "action", "date", "from", "to")


class HistorySearchError(UserError):
    """The history's search bar holds something it cannot search by."""


def parse_history_search(text: str) -> HistoryFilters:
    """``user:alice learner:20000001 batch:1001 action:withdraw date:28/11/2025`` (or
    ``from:``/``to:`` days) as filters; a bare word before any field is a user."""
    matches = list(_PAIR.finditer(text))
    given: dict[str, str] = {}
    leading = (text[: matches[0].start()] if matches else text).strip()
    if leading:
        given["user"] = leading
    for position, match in enumerate(matches):
        field = match.group(1).casefold()
        if field not in _FIELDS:
            known = " ".join(f"{name}:" for name in _FIELDS)
            raise HistorySearchError(f"cannot search the history by {field!r}; use {known}")
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if value:
            given[field] = value
    learner = given.get("learner")
    if learner is not None and not learner.isdigit():
        raise HistorySearchError(f"learner:{learner} is not a learner number")
    since = _day(given, "from") or _day(given, "date")
    until = _day(given, "to") or _day(given, "date")
    action = given.get("action")
    if action is not None:
        action = ACTIONS.get(action.casefold(), action.casefold().replace("-", ""))
    return HistoryFilters(
        learner=int(learner) if learner else None,
        user=given.get("user"),
        since=since,
        until=until + timedelta(days=1) if until else None,
        action=action,
        batch=given.get("batch"),
        limit=SHOWN,
    )


def _day(given: dict[str, str], field: str) -> datetime | None:
    if field not in given:
        return None
    try:
        day = read_date(given[field])
    except FilterValueError as error:
        raise HistorySearchError(f"{field}: {error}") from None
    return datetime(day.year, day.month, day.day)


COLUMNS = (
    TableColumn("change_id", "No.", 5),
    TableColumn("when", "When", 16),
    TableColumn("who", "Who", 9),
    TableColumn("what", "What", 43),
)


def change_cells(change: Change) -> tuple[str, ...]:
    """A change as the table's cells."""
    what = describe(change)
    if change.undone_by is not None:
        what += f" (undone by {change.undone_by})"
    return (str(change.change_id), f"{change.when:{UK_DATE_TIME}}", change.who, what)


class HistoryView(Vertical, ChangesStore):
    """Search bar, counts, the changes, and the focused change in full."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("z", "undo", "Undo this change")]
    DEFAULT_CSS = """
    HistoryView { height: 1fr; }
    HistoryView > Input { height: 1; border: none; padding: 0 1; background: $boost; }
    HistoryView > Input:focus { background: $primary 20%; }
    HistoryView > .history--status { height: 1; padding: 0 1; color: $text-muted; }
    HistoryView > .history--status.-problem { color: $text-error; }
    HistoryView > #history-focused { height: 3; padding: 0 1; background: $boost; }
    """

    def __init__(self, database: Database) -> None:
        super().__init__(id="history-view")
        self.database = database
        self.filters = HistoryFilters(limit=SHOWN)
        self.changes: dict[int, Change] = {}
        self.loads = 0
        self.sort = "change_id"
        self.descending = True
        self.table = PagedTable(COLUMNS, self._fetch, id="history-table")

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"/ search: {HINT}", id="history-search")
        yield Static("loading…", id="history-status", classes="history--status")
        yield self.table
        yield Static("", id="history-focused")

    def _fetch(self, keys: list[object]) -> Sequence[tuple[str, ...]]:
        return [change_cells(self.changes[int(str(key))]) for key in keys]

    def load(self) -> None:
        """Read the changes that match the search again, newest first."""
        filters = self.filters

        def changes(store: Store) -> list[Change]:
            return list_history(store, filters)

        self.read_store(changes, self._loaded, name="history", kind="history")

    def _loaded(self, changes: list[Change]) -> None:
        self.changes = {change.change_id: change for change in changes}
        self._show_sorted(keep_cursor=True)
        self.loads += 1

    def _show_sorted(self, *, keep_cursor: bool = False) -> None:
        """The changes in the order asked for (a thousand at most: sorted here)."""
        column = [c.name for c in COLUMNS].index(self.sort)
        ordered = sorted(
            self.changes.values(),
            key=lambda change: (
                (change_cells(change)[column].casefold(), change.change_id)
                if self.sort in ("who", "what")
                else change.change_id
            ),
            reverse=self.descending,
        )
        self.table.sort_column, self.table.sort_descending = self.sort, self.descending
        self.table.show([change.change_id for change in ordered], keep_cursor=keep_cursor)
        count = f"{len(ordered):,} change{'' if len(ordered) == 1 else 's'}"
        if len(ordered) >= SHOWN:
            count = f"the latest {count}; search to see older ones"
        if not ordered:
            searched = self.filters != HistoryFilters(limit=SHOWN)
            self._status("No changes match." if searched else "No changes yet.")
        elif self.sort == "change_id":
            self._status(f"{count} · {'newest' if self.descending else 'oldest'} first")
        else:
            self._status(f"{count} · by {self.sort}")
        self._show_focused()

    @on(PagedTable.SortRequested)
    def _sort_requested(self, event: PagedTable.SortRequested) -> None:
        event.stop()
        # The number and the time sort alike: changes are numbered as they are made.
        column = "change_id" if event.column == "when" else event.column
        self.descending = not self.descending if column == self.sort else False
        self.sort = column
        self._show_sorted()

    @on(PagedTable.Selected)
    def _open(self, event: PagedTable.Selected) -> None:
        """Open the learner a change is about (a learner's, a registration's, a booking's)."""
        event.stop()
        change = self.changes.get(int(event.key))
        if change is None:
            return
        key = change.record.removeprefix("registration ")

        def learner_of(store: Store) -> int | None:
            if change.table == "learners" and change.record.isdigit():
                return int(change.record)
            if change.table == "registrations" and key.isdigit():
                found = store.registrations.selected(Selection((int(key),)))
                return int(found["learner_number"][0]) if found.height else None
            if change.table == "bookings" and change.record.isdigit():
                booking = store.bookings.get(int(change.record))
                return int(str(booking["learner_number"])) if booking else None
            return None

        def open_learner(number: int | None) -> None:
            if number is None:
                self.app.notify(
                    f"Change {change.change_id} is about {change.record}: no one learner to open.",
                    timeout=5,
                )
                return
            from centredesk.tui.screens.learner import LearnerScreen

            self.app.push_screen(LearnerScreen(self.database, number))

        self.read_store(learner_of, open_learner, name="learner_of", kind="open")

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#history-status", Static)
        status.update(escape(text))
        status.set_class(problem, "-problem")

    @on(Input.Changed, "#history-search")
    @on(Input.Submitted, "#history-search")
    def _search(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        try:
            filters = parse_history_search(event.value)
        except HistorySearchError as error:
            self._status(str(error), problem=True)
            return
        if isinstance(event, Input.Submitted):
            self.table.focus()
        if filters != self.filters:
            self.filters = filters
            self.load()

    def focus_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def focused_change(self) -> Change | None:
        key = self.table.key_at(self.table.cursor_row)
        return None if key is None else self.changes.get(int(key))

    def on_key(self, event: object) -> None:
        # After the table has moved its cursor: the line under it follows.
        self.call_after_refresh(self._show_focused)

    def on_click(self, event: object) -> None:
        self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        change = self.focused_change()
        text = ""
        if change is not None:
            text = (
                f"[b]{change.change_id}[/b] {change.when:{UK_DATE_TIME}} {escape(change.who)}: "
                f"{escape(describe(change))}"
            )
            if change.undone_by is not None:
                text += f" [$text-muted](undone by change {change.undone_by})[/]"
        self.query_one("#history-focused", Static).update(text)
        self.app.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            # Undo needs at least an editor; the job checks the change's own rules.
            return self.focused_change() is not None and self.database.identity.may("edit")
        return True

    def action_undo(self) -> None:
        """Undo the focused change, when the rules allow (the app says why when not)."""
        change = self.focused_change()
        if change is not None:
            undo_flow(self, change, lambda _undoing: self.load())
