"""The rows one rule found in a file being checked, before anything is loaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from centredesk.jobs.checked_file import CheckedFile
from centredesk.jobs.import_steps import rule_issues
from centredesk.tui.columns import COLUMNS
from centredesk.tui.screens.imports import explanation
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn

_SHOWN = ("row", "column_name", "value", "message")


class IssueRows(PagedTable, inherit_bindings=False):
    """The paged table without Open and Sort: these rows are in memory, in row order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        binding
        for binding in PagedTable.BINDINGS
        if isinstance(binding, Binding) and binding.action not in ("select", "sort")
    ]


class RuleRowsScreen(Screen[None]):
    """Every issue of one rule, by row, paged like any table (a rule may flag a million)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, checked: CheckedFile, code: str) -> None:
        super().__init__(id="rule-rows")
        self.code = code
        self.issues = rule_issues(checked, code).rename({"column": "column_name"})
        shown = COLUMNS["issues"]
        columns = [
            TableColumn(
                name, shown[name].label, shown[name].cut, shown[name].weight, shown[name].drop
            )
            for name in _SHOWN
        ]
        self.table = IssueRows(columns, self._fetch, id="rule-rows-table")

    def _fetch(self, keys: list[Any]) -> Sequence[tuple[str, ...]]:
        # Keys are positions in the rule's issues, in order: a page is one slice.
        page = self.issues.slice(keys[0], len(keys)) if keys else self.issues.clear()
        shown = COLUMNS["issues"]
        columns = [[shown[name].text(value) for value in page.get_column(name).to_list()]
                   for name in _SHOWN]  # fmt: skip
        return list(zip(*columns, strict=True))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"[b]{self.code}[/b] in {self.issues.height:,} "
            f"place{'s' * (self.issues.height != 1)}: "
            f"{escape(explanation(self.code))}",
            id="rule-rows-title",
        )
        yield self.table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.code}, before loading"
        self.table.show(list(range(self.issues.height)))
        self.table.focus()
