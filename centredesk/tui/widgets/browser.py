"""One browsable table with its search bar and counts: the body of most tabs.

Searching and sorting ask the store for the ordered keys of the matching rows in a worker
thread (up to a few hundred milliseconds at 1,000,000 rows); the table then fetches the
cells of the visible page on the event loop (a few milliseconds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from centredesk.errors import UserError
from centredesk.store import browse
from centredesk.tui.database import Database
from centredesk.tui.search import parse_search
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn

_DEFAULT_FIELD = {"products": "product_code"}
_HINTS = {
    "products": "product:603/0862",
    "imports": "",
    "issues": "",
}


class Browser(Vertical):
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

    class Loaded(Message):
        """A search or sort finished and the table shows its rows."""

        def __init__(
            self, browser: Browser, generation: int, keys: Any, total: int, matched: int
        ) -> None:
            super().__init__()
            self.browser = browser
            self.generation = generation
            self.keys = keys
            self.total = total
            self.matched = matched

    class Problem(Message):
        """The store could not answer (locked by another process, say)."""

        def __init__(self, browser: Browser, error: UserError) -> None:
            super().__init__()
            self.browser = browser
            self.error = error

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
        self.view = browse.view(view_name)
        self.scope = dict(scope or {})
        self.searchable = searchable and bool(self.view.search)
        self.search: dict[str, str] = {}
        self.sort: str | None = None
        self.descending = self.view.default_descending
        self.total = 0
        self.matched = 0
        self.loads = 0
        self._generation = 0
        self._load_on_mount = load_on_mount
        columns = [TableColumn(c.name, c.label, c.width) for c in self.view.columns]
        self.table = PagedTable(columns, self._fetch, id=f"{view_name}-table")

    def compose(self) -> ComposeResult:
        if self.searchable:
            hint = _HINTS.get(self.view.name, "smi  or  surname:smi dob:03/04 batch:1001 uln:")
            yield Input(placeholder=f"/ search: {hint}", id=f"{self.view.name}-search")
        yield Static("loading…", id=f"{self.view.name}-status", classes="browser--status")
        yield self.table

    def on_mount(self) -> None:
        if self._load_on_mount:
            self.load()

    def _fetch(self, keys: list[Any]) -> Sequence[tuple[str, ...]]:
        page = self.database.query(browse.rows_for_keys, self.view.name, keys)
        columns = [page.column(column.name).to_pylist() for column in self.view.columns]
        return [
            tuple("" if cell is None else cell for cell in row)
            for row in zip(*columns, strict=True)
        ]

    def load(self) -> None:
        """Ask the store again for the rows that match the current search and sort."""
        self._status("searching…")
        self._generation += 1
        self._load_keys(self._generation, dict(self.search), self.sort, self.descending)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse")
    def _load_keys(
        self, generation: int, search: dict[str, str], sort: str | None, descending: bool
    ) -> None:
        try:
            keys = self.database.query(
                browse.row_keys,
                self.view.name,
                search=search,
                scope=self.scope,
                sort=sort,
                descending=descending,
            )
            total = (
                len(keys)
                if not search
                else self.database.query(browse.total, self.view.name, scope=self.scope)
            )
        except UserError as error:
            self.post_message(self.Problem(self, error))
            return
        self.post_message(self.Loaded(self, generation, keys, total, len(keys)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        # A thread cannot be stopped midway: an older search may finish after a newer one.
        if message.browser is not self or message.generation != self._generation:
            return
        self.total, self.matched = message.total, message.matched
        self.table.sort_column = self.sort or self.view.default_sort
        self.table.sort_descending = self.descending
        self.table.show(message.keys)
        self.loads += 1
        self._show_counts()

    def _show_counts(self) -> None:
        # View names are plurals that lose their "s" in the singular (learners, issues, …).
        noun = self.view.name if self.total != 1 else self.view.name.removesuffix("s")
        text = f"{self.total:,} {noun}"
        if self.search:
            text += f" · {self.matched:,} {'match' if self.matched == 1 else 'matches'}"
        sort = self.view.column(self.sort or self.view.default_sort).label
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
                event.value,
                default_field=_DEFAULT_FIELD.get(self.view.name, "surname"),
                allowed=tuple(self.view.search),
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
