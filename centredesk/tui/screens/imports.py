"""An import's issues grouped by rule, and a rejected row with its offending cell marked."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from centredesk.dates import uk_date
from centredesk.store import Store
from centredesk.store.records import ImportSummary, RejectedRow
from centredesk.tui.columns import value_text
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore
from centredesk.tui.widgets.browser import Browser
from centredesk.tui.widgets.paged_table import PagedTable
from centredesk.validation.catalogue import rule


def explanation(code: str) -> str:
    """What a rule means and, on a line of its own, how to fix it, from the rule catalogue
    (nothing if the catalogue does not know it)."""
    try:
        entry = rule(code)
    except KeyError:
        return ""
    return f"{entry.meaning}\nFix: {entry.fix}"


class ImportScreen(Screen[None], ReadsStore):
    """Opened by Enter on an import: rules on top, the chosen rule's issues below."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, database: Database, import_id: int) -> None:
        super().__init__(id="import")
        self.database = database
        self.import_id = import_id
        self.codes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="import-summary")
        yield DataTable(id="import-rules", cursor_type="row")
        yield Static("", id="import-rule-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"import {self.import_id}"
        self.load()

    def load(self) -> None:
        import_id = self.import_id

        def summary_and_groups(
            store: Store,
        ) -> tuple[ImportSummary | None, pl.DataFrame, int]:
            still_open = store.imports.open_rejected_rows([import_id]).height
            return (
                store.details.import_summary(import_id),
                store.details.issue_groups(import_id),
                still_open,
            )

        self.read_store(summary_and_groups, self._show, name="import_summary")

    def _show(self, answer: tuple[ImportSummary | None, pl.DataFrame, int]) -> None:
        summary, groups, still_open = answer
        if summary is None:
            self.query_one("#import-summary", Static).update(
                f"There is no import {self.import_id}."
            )
            return
        self.query_one("#import-summary", Static).update(
            f"[b]{escape(summary.file_name)}[/b] ({summary.kind}"
            f"{', sheet ' + escape(summary.sheet) if summary.sheet else ''})"
            f"  {uk_date(summary.finished_at)} by {escape(summary.os_user)}\n"
            f"{summary.rows_read:,} rows read: {summary.rows_accepted:,} loaded, "
            f"{summary.rows_rejected:,} rejected"
            + (f" ({still_open:,} still to fix)" if still_open != summary.rows_rejected else "")
            + (f"; rolled back (change {summary.rolled_back_by})" if summary.rolled_back_by else "")
        )
        rules = self.query_one("#import-rules", DataTable)
        chosen = rules.cursor_row if self.codes else 0
        rules.clear(columns=True)
        rules.add_columns("Rule", "Severity", "Issues", "Rows")
        self.codes = []
        for code, severity, issues, rows in groups.rows():
            self.codes.append(code)
            rules.add_row(code, severity, f"{issues:,}", f"{rows:,}")
        rules.display = bool(self.codes)
        if not self.codes:
            self.query_one("#import-rule-text", Static).update("This import has no issues.")
            return
        chosen = min(chosen, len(self.codes) - 1)
        rules.move_cursor(row=chosen)
        if self.focused is None:
            rules.focus()
        self._show_rule(chosen)

    @on(DataTable.RowHighlighted, "#import-rules")
    def _rule_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_rule(event.cursor_row)

    @on(DataTable.RowSelected, "#import-rules")
    def _rule_selected(self, event: DataTable.RowSelected) -> None:
        for table in self.query("#issues-table").results(PagedTable):
            table.focus()

    def _show_rule(self, position: int) -> None:
        if not 0 <= position < len(self.codes):
            return
        code = self.codes[position]
        self.query_one("#import-rule-text", Static).update(
            f"[b]{code}[/b] {escape(explanation(code))}"
        )
        scope = {"import_id": self.import_id, "code": code}
        existing = self.query(Browser)
        if existing:
            browser = existing.first(Browser)
            browser.scope = scope
            browser.load()
        else:
            browser = Browser(
                self.database, "issues", scope=scope, id="import-issues", load_on_mount=True
            )
            self.mount(browser, after="#import-rule-text")

    @on(PagedTable.Selected, "#issues-table")
    def _issue_selected(self, event: PagedTable.Selected) -> None:
        event.stop()
        row = int(event.cells["row"])
        self.app.push_screen(RejectedRowScreen(self.database, self.import_id, row))


class RejectedRowScreen(Screen[None], ReadsStore):
    """Every cell of a rejected row as it was read, the offending cells highlighted; ``f``
    fixes it in place."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f", "fix", "Fix the row"),
    ]

    def __init__(self, database: Database, import_id: int, row: int) -> None:
        super().__init__(id="rejected-row")
        self.database = database
        self.import_id = import_id
        self.row = row
        self.rejected: RejectedRow | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Row {self.row} of import {self.import_id}", id="rejected-title")
        yield VerticalScroll(id="rejected-cells")
        yield Static("", id="rejected-issues")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"import {self.import_id}, row {self.row}"
        self.load()

    def load(self) -> None:
        import_id, row = self.import_id, self.row
        self.read_store(
            lambda store: store.details.rejected_row(import_id, row),
            self._show,
            name="rejected_row",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            return self.rejected is not None and self.database.identity.may("fix_row")
        return True

    def action_fix(self) -> None:
        """Fix the row's cells in a form that judges them as you type; load it when clean."""
        from centredesk.tui.screens.fix_row import FixRowScreen

        def fixed(change: object) -> None:
            if change is not None and self.app.screen is self:
                self.app.pop_screen()  # back to the import, its counts read again

        self.app.push_screen(FixRowScreen(self.database, self.import_id, self.row), fixed)

    def _show(self, rejected: RejectedRow | None) -> None:
        self.rejected = rejected
        self.refresh_bindings()
        if rejected is None:
            self.query_one("#rejected-title", Static).update(
                f"Row {self.row} of import {self.import_id} was loaded; it has warnings only."
            )
            return
        offending = {
            column for column in rejected.issues.get_column("column_name").to_list() if column
        }
        cells = self.query_one("#rejected-cells", VerticalScroll)
        cells.remove_children()
        for header, value in rejected.cells.items():
            marked = "-offending" if header in offending else ""
            cells.mount(
                Horizontal(
                    # A marker as well as a colour, so the cell stands out without colour too
                    # (NO_COLOR, monochrome terminals, colour-blind readers).
                    Label(("► " if marked else "  ") + escape(header), classes="cell-header"),
                    Label(escape(value_text(value)) or " ", classes=f"cell-value {marked}"),
                    classes=f"cell {marked}",
                )
            )
        self.query_one("#rejected-issues", Static).update(
            "\n".join(
                f"[b]{code}[/b] {escape(column or '(whole row)')}: {escape(text)}"
                for column, code, _severity, text, _value in rejected.issues.rows()
            )
        )
