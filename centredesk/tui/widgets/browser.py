"""One browsable table with its search bar and counts: the body of most tabs.

Searching and sorting ask the store for the ordered keys of the matching rows in a worker
thread (up to a few hundred milliseconds at 1,000,000 rows); the table then fetches the
cells of the pages around the visible one, in workers too (a few milliseconds each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from centredesk.errors import UserError
from centredesk.store import Store
from centredesk.store.views import view
from centredesk.tui.columns import COLUMNS
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore
from centredesk.tui.search import parse_search, search_hint
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn

_DEFAULT_FIELD = {"products": "product_code"}


class Browser(Vertical, ReadsStore):
    """Search bar, counts line and paged table for one store view.

    Ids are stable for tests and the benchmark harness: ``#<view>-search``,
    ``#<view>-status`` and ``#<view>-table``; ``loads`` counts finished loads.
    """

    DEFAULT_CSS = """
    Browser { height: 1fr; }
    Browser > Input { height: 1; border: none; padding: 0 1; background: $boost; }
    Browser > Input:focus { background: $primary 20%; }
    Browser > .browser--status { height: 1; padding: 0 1; color: $text-muted; }
    Browser > .browser--status.-problem { color: $error; }
    """

    def __init__(
        self,
        database: Database,
        view_name: str,
        *,
        scope: Mapping[str, object] | None = None,
        searchable: bool = True,
        load_on_mount: bool = False,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id or f"{view_name}-browser")
        self.database = database
        self.view = view(view_name)
        self.shown = COLUMNS[view_name]
        self.scope = dict(scope or {})
        self.searchable = searchable and bool(self.view.search)
        self.default_field = _DEFAULT_FIELD.get(view_name, "surname")
        self.search: dict[str, str] = {}
        self.sort: str | None = None
        self.descending = self.view.default_descending
        self.total = 0
        self.matched = 0
        self.loads = 0
        self._load_on_mount = load_on_mount
        columns = [
            TableColumn(c.name, self.shown[c.name].label, self.shown[c.name].width)
            for c in self.view.columns
        ]
        self.table = PagedTable(columns, self._fetch, id=f"{view_name}-table")

    def compose(self) -> ComposeResult:
        if self.searchable:
            hint = search_hint(self.view)
            yield Input(placeholder=f"/ search: {hint}", id=f"{self.view.name}-search")
        yield Static("loading…", id=f"{self.view.name}-status", classes="browser--status")
        yield self.table

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

    def load(self) -> None:
        """Ask the store again for the rows that match the current search and sort."""
        self._status("searching…")
        name, scope = self.view.name, dict(self.scope)
        search, sort, descending = dict(self.search), self.sort, self.descending

        def keys_and_total(store: Store) -> tuple[Any, int, int]:
            keys = store.browse.row_keys(
                name, search=search, scope=scope, sort=sort, descending=descending
            )
            total = store.browse.total(name, scope=scope) if search else len(keys)
            return keys, total, len(keys)

        self.read_store(keys_and_total, self._loaded, name="row_keys", kind="keys")

    def _loaded(self, answer: tuple[Any, int, int]) -> None:
        keys, self.total, self.matched = answer
        self.table.sort_column = self.sort or self.view.default_sort
        self.table.sort_descending = self.descending
        self.table.show(keys)
        self.loads += 1
        self._show_counts()

    def _show_counts(self) -> None:
        # View names are plurals that lose their "s" in the singular (learners, issues, …).
        noun = self.view.name if self.total != 1 else self.view.name.removesuffix("s")
        text = f"{self.total:,} {noun}"
        if self.search:
            text += f" · {self.matched:,} {'match' if self.matched == 1 else 'matches'}"
        sort = self.shown[self.sort or self.view.default_sort].label
        text += f" · sorted by {sort} {'↓' if self.descending else '↑'}"
        self._status(text)

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one(f"#{self.view.name}-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    @on(Input.Submitted)
    @on(Input.Changed)
    def _search_changed(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        try:
            search = parse_search(
                event.value, default_field=self.default_field, allowed=self.view.search_fields
            )
        except UserError as error:
            self._status(str(error), problem=True)
            return
        if isinstance(event, Input.Submitted):
            self.table.focus()
        if search != self.search:
            self.search = search
            self.load()

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
