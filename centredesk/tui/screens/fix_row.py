"""Fix a rejected row in place: its cells in a form judged as the user types, loaded into its
import once clean.

Every key press judges the row through the single-record path
(:func:`centredesk.jobs.fixing.row_issues`); loading runs the fix job
(:func:`centredesk.jobs.fixing.fix_row`), which judges the row like any row of its import,
against the store, and loads it as part of that import. The import's counts and open issues
follow.
"""

from __future__ import annotations

from typing import ClassVar, cast

import polars as pl
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from centredesk.errors import UserError
from centredesk.io.headers import matched_fields
from centredesk.jobs.fixing import FixOutcome, fix_row, row_issues
from centredesk.jobs.history import describe
from centredesk.jobs.progress import Progress
from centredesk.store import Store
from centredesk.store.records import Change, ImportSummary, RejectedRow
from centredesk.tui.database import Database
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.widgets.judged_field import JudgedField, verdict_text
from centredesk.tui.writing import ChangesStore
from centredesk.validation.fields import Kind, spec
from centredesk.validation.models import RecordIssue

UNREAD = "A column centredesk does not read: kept with the row as it is."


def _issues(frame: pl.DataFrame) -> list[tuple[str | None, RecordIssue]]:
    """A fix job's issue records as (column header, issue)."""
    return [
        (row["column"], RecordIssue(row["field"], row["code"], row["severity"], row["message"]))
        for row in frame.iter_rows(named=True)
    ]


class FixRowScreen(Screen[Change | None], ChangesStore):
    """Dismissed with the change that loaded the row, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "load_row", "Load the row", priority=True),
        Binding("escape", "leave", "Cancel"),
        # Priority: an input would take these keys to scroll itself.
        Binding("down", "app.focus_next", show=False, priority=True),
        Binding("up", "app.focus_previous", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    #fix-title { padding: 0 1; height: auto; background: $boost; }
    #fix-fields { padding: 0 1; height: 1fr; }
    #fix-outcome { padding: 0 1; height: auto; }
    #fix-help { padding: 0 1; height: 2; color: $text-muted; background: $boost; }
    """

    def __init__(self, database: Database, import_id: int, row: int) -> None:
        super().__init__(id="fix-row")
        self.database = database
        self.import_id = import_id
        self.row = row
        self.today = database.today
        self.kind: Kind | None = None
        self.fields: dict[str, JudgedField] = {}
        self.loading = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Row {self.row} of import {self.import_id}: loading…", id="fix-title")
        yield VerticalScroll(id="fix-fields")
        yield Static("", id="fix-outcome")
        yield Static("", id="fix-help")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"fix row {self.row} of import {self.import_id}"
        import_id, row = self.import_id, self.row

        def rejected(store: Store) -> tuple[ImportSummary | None, RejectedRow | None]:
            return store.details.import_summary(import_id), store.details.rejected_row(
                import_id, row
            )

        self.read_store(rejected, self._show, name="rejected_row")

    def _show(self, answer: tuple[ImportSummary | None, RejectedRow | None]) -> None:
        summary, rejected = answer
        title = self.query_one("#fix-title", Static)
        if summary is None or rejected is None:
            title.update(f"Row {self.row} of import {self.import_id} was not rejected.")
            return
        self.kind = cast(Kind, summary.kind)
        mapping = {
            header: name for name, header in matched_fields(self.kind, list(rejected.cells)).items()
        }
        form = self.query_one("#fix-fields", VerticalScroll)
        for number, (header, value) in enumerate(rejected.cells.items()):
            name = mapping.get(header)
            described = spec(self.kind, name) if name else None
            field = JudgedField(
                name or f"column{number}", header, value,
                meaning=described.description if described else UNREAD,
                example=described.example if described else "", id=f"fix-field-{number}",
            )  # fmt: skip
            self.fields[header] = field
            form.mount(field)
        title.update(
            f"[b]Fix row {self.row} of import {self.import_id}[/b]  ({escape(summary.file_name)}, "
            f"{summary.kind}): put right the cells in red, then load it (ctrl+s)."
        )
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        issues = self._judge()
        first = next(
            (self.fields[h] for h, found in issues.items() if h in self.fields and found), None
        )
        (first or next(iter(self.fields.values()))).input.focus()

    def cells(self) -> dict[str, str]:
        return {header: field.value for header, field in self.fields.items()}

    def _judge(self) -> dict[str | None, list[RecordIssue]]:
        assert self.kind is not None
        issues = row_issues(self.kind, self.cells(), today=self.today)
        for header, field in self.fields.items():
            field.judge(issues.get(header, []))
        whole = issues.get(None, [])
        self._outcome(verdict_text(whole) if whole else "")
        return issues

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.kind is not None:
            self._judge()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_descendant_focus(self, event: object) -> None:
        for field in self.fields.values():
            if self.focused is field.input:
                self.query_one("#fix-help", Static).update(escape(field.help_text))

    def action_load_row(self) -> None:
        """Judge the row against the store and, when clean, load it into its import."""
        if self.kind is None or self.loading:
            return
        errors = [
            issue
            for found in self._judge().values()
            for issue in found
            if issue.severity == "error"
        ]
        if errors:
            self._outcome(
                f"[$text-error]Not loaded: {len(errors)} problem(s) in red to put right.[/]\n"
                + verdict_text(errors[:1])
            )
            return
        values = {header: field.value for header, field in self.fields.items() if field.changed}
        self._load(values, confirmed=False)

    def _load(self, values: dict[str, str], *, confirmed: bool) -> None:
        self.loading = True
        import_id, row, today = self.import_id, self.row, self.today

        def load(store: Store, progress: Progress) -> FixOutcome:
            return fix_row(store, import_id, row, values, confirmed=confirmed, today=today)

        self.write_store(
            load, lambda outcome: self._loaded(outcome, values), name="fix_row",
            doing=f"Loading row {row} of import {import_id}", failed=self._not_loaded,
        )  # fmt: skip

    def _loaded(self, outcome: FixOutcome, values: dict[str, str]) -> None:
        self.loading = False
        issues = _issues(outcome.issues)
        if outcome.outcome == "refused":
            for header, field in self.fields.items():
                field.judge([issue for column, issue in issues if column == header])
            errors = [issue for _column, issue in issues if issue.severity == "error"]
            self._outcome(
                "[$text-error]Not loaded: the row breaks a rule that compares with the "
                "store.[/]\n" + verdict_text(errors)
            )
        elif outcome.outcome == "needs confirmation":
            body = "\n".join(f"[b]{escape(i.code)}[/b] {escape(i.message)}" for _c, i in issues)
            self.app.push_screen(
                ConfirmScreen("Load despite warnings?", body, yes="Load it", no="Back to the row"),
                lambda yes: self._load(values, confirmed=True) if yes else None,
            )
        elif outcome.change is not None:
            self.notify(
                f"Change {outcome.change.change_id}: {describe(outcome.change)}.", title="Loaded"
            )
            self.dismiss(outcome.change)

    def _not_loaded(self, error: UserError) -> None:
        self.loading = False
        self._outcome(f"[$text-error]Not loaded: {escape(str(error))}[/]")
        self.notify(str(error), title="Not loaded", severity="error", timeout=10)

    def _outcome(self, markup: str) -> None:
        self.query_one("#fix-outcome", Static).update(markup)

    def action_leave(self) -> None:
        changed = [field.label for field in self.fields.values() if field.changed]
        if not changed:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Leave without loading?",
                f"Your changes to {', '.join(changed)} are not saved and will be lost.",
                yes="Leave",
                no="Stay",
            ),
            self._leave_if,
        )

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)
