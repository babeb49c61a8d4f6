"""One browsable table with its search bar, counts and the focused row: most tabs' body.

Searching and sorting ask the store for the ordered keys of the matching rows in a worker
thread (up to a few hundred milliseconds at 1,000,000 rows); the table then fetches the
cells of the pages around the visible one, in workers too (a few milliseconds each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from centredesk.store import Store
from centredesk.store.views import view
from centredesk.tui.columns import COLUMNS
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore
from centredesk.tui.search import Search, parse_search, search_hint
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn

EMPTY: dict[str, str] = {
    "learners": "No learners yet. Import a registration upload with i, or from a terminal:",
    "registrations": "No registrations yet. Import a registration upload with i, or in a terminal:",
    "bookings": "No bookings yet. Import a bookings sheet with i, or from a terminal:",
    "results": "No results yet. Import a results sheet with i, or from a terminal:",
    "products": "No products yet. Import the product catalogue with i, or from a terminal:",
    "imports": "Nothing imported yet. Import a sheet with i, or from a terminal:",
    "issues": "No issues.",
}
"""What an empty table says, before how to fill it (:data:`HOW_TO_IMPORT`)."""

HOW_TO_IMPORT = "  centredesk import FILE      (this screen follows within a few seconds)"
"""The command that loads a sheet from a terminal."""


class SearchBar(Input):
    """The search bar: Esc goes back to the table, keeping what was typed (an empty bar
    has cleared the search already, as it searches while you type)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Table"),
    ]

    class Left(Message):
        """Esc in the search bar."""

    def action_leave(self) -> None:
        self.post_message(self.Left())


class Browser(Vertical, ReadsStore):
    """Search bar, counts line, paged table and focused-row line for one store view.

    Ids are stable for tests and the benchmark harness: ``#<view>-search``,
    ``#<view>-status``, ``#<view>-table`` and ``#<view>-focused``; ``loads`` counts
    finished loads.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_search", "Clear"),
    ]
    DEFAULT_CSS = """
    Browser { height: 1fr; }
    Browser > SearchBar, Browser > SearchBar.-textual-compact {
        height: 1; padding: 0 1; background: $boost;
    }
    Browser > SearchBar:focus { background: $primary 20%; }
    Browser > .browser--status { height: 1; padding: 0 1; color: $text-muted; }
    Browser > .browser--status.-problem { color: $text-error; }
    Browser > .browser--focused {
        height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        database: Database,
        view_name: str,
        *,
        scope: Mapping[str, object] | None = None,
        selectable: bool = True,
        load_on_mount: bool = False,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id or f"{view_name}-browser")
        self.database = database
        self.view = view(view_name)
        self.shown = COLUMNS[view_name]
        self.scope = dict(scope or {})
        self.searchable = bool(self.view.search)
        self.search = Search()
        self.sort: str | None = None
        self.descending = self.view.default_descending
        self.total = 0
        self.matched = 0
        self.loads = 0
        self._load_on_mount = load_on_mount
        self._focused_text = ""
        columns = [
            TableColumn(c.name, shown.label, shown.cut, shown.weight, shown.drop)
            for c in self.view.columns
            for shown in [self.shown[c.name]]
        ]
        self.table = PagedTable(
            columns, self._fetch, selectable=selectable, id=f"{view_name}-table"
        )

    def compose(self) -> ComposeResult:
        if self.searchable:
            hint = search_hint(self.view)
            yield SearchBar(
                placeholder=f"/ search: {hint}", id=f"{self.view.name}-search", compact=True
            )
        yield Static("loading…", id=f"{self.view.name}-status", classes="browser--status")
        yield self.table
        yield Static("", id=f"{self.view.name}-focused", classes="browser--focused")

    def on_mount(self) -> None:
        if self._load_on_mount:
            self.load()

    def _fetch(self, keys: list[Any]) -> Sequence[tuple[str, ...]]:
        """The cells of one page as the app shows them (called in a worker)."""
        name = self.view.name
        page = self.database.query(lambda store: store.browse.rows(name, keys), name="rows")
        columns = [
            [self.shown[column.name].text(value) for value in page.column(column.name).to_pylist()]
            for column in self.view.columns
        ]
        return list(zip(*columns, strict=True))

    def load(self, *, keep_cursor: bool = False) -> None:
        """Ask the store again for the rows that match the current search and sort;
        ``keep_cursor`` when the data changed under the user (a refresh), not the question."""
        self._status("searching…")
        name, scope = self.view.name, dict(self.scope)
        search, sort, descending = dict(self.search.fields), self.sort, self.descending

        def keys_and_total(store: Store) -> tuple[Any, int, int]:
            keys = store.browse.row_keys(
                name, search=search, scope=scope, sort=sort, descending=descending
            )
            total = store.browse.total(name, scope=scope) if search else len(keys)
            return keys, total, len(keys)

        def loaded(answer: tuple[Any, int, int]) -> None:
            keys, self.total, self.matched = answer
            self.table.sort_column = self.sort or self.view.default_sort
            self.table.sort_descending = self.descending
            self.table.empty_text = self._empty_text()
            self.table.show(keys, keep_cursor=keep_cursor)
            self.loads += 1
            self._show_counts()

        self.read_store(keys_and_total, loaded, name="row_keys", kind="keys")

    def _empty_text(self) -> str:
        if self.search.fields:
            return "Nothing matches this search" + (" · Esc clears it" if self.searchable else "")
        text = EMPTY[self.view.name]
        return text if self.scope else f"{text}\n{HOW_TO_IMPORT}"

    def _show_counts(self) -> None:
        # View names are plurals that lose their "s" in the singular (learners, issues, …).
        noun = self.view.name if self.total != 1 else self.view.name.removesuffix("s")
        text = f"{self.total:,} {noun}"
        if self.search.fields:
            text += f" · {self.matched:,} {'match' if self.matched == 1 else 'matches'}"
        sort = self.shown[self.sort or self.view.default_sort].label
        text += f" · sorted by {sort} {'↓' if self.descending else '↑'}"
        if self.search.problem:
            self._status(self.search.problem, problem=True)
        else:
            self._status(text)

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one(f"#{self.view.name}-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    @on(PagedTable.CursorMoved)
    def _show_focused_row(self, event: PagedTable.CursorMoved) -> None:
        """Under the table, the whole of each value of the focused row that is cut short."""
        event.stop()
        cut = self.table.cut_cells(self.table.cursor_row)
        shown = " · ".join(f"{escape(label)}: [$text]{escape(text)}[/]" for label, text in cut)
        if shown != self._focused_text:
            self._focused_text = shown
            # The line's height is fixed, so no layout is needed: a key press stays cheap.
            self.query_one(f"#{self.view.name}-focused", Static).update(shown, layout=False)

    @on(Input.Submitted)
    @on(Input.Changed)
    def _search_changed(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        self.refresh_bindings()  # Esc clears a search only when there is one
        search = parse_search(event.value, self.view)
        if isinstance(event, Input.Submitted):
            self.table.focus()
        if search.fields != self.search.fields:
            self.search = search
            self.load()
        else:
            self.search = search
            self._show_counts()

    @on(SearchBar.Left)
    def _search_left(self, event: SearchBar.Left) -> None:
        event.stop()
        self.table.focus()

    @on(PagedTable.SortRequested)
    def _sort_requested(self, event: PagedTable.SortRequested) -> None:
        event.stop()
        current = self.sort or self.view.default_sort
        self.descending = not self.descending if event.column == current else False
        self.sort = event.column
        self.load()

    def focus_search(self) -> None:
        if self.searchable:
            self.query_one(f"#{self.view.name}-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            # Offered only when there is a search to clear.
            return bool(self.searchable and self.query_one(SearchBar).value)
        return True

    def action_clear_search(self) -> None:
        """Empty the search bar: every row again."""
        self.query_one(SearchBar).value = ""
        self.table.focus()
