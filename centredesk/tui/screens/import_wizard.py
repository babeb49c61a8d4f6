"""The guided import: choose the file, check the sheet and kind, the columns, the verdict,
then load it, one step at a time.

Every step that reads, checks or writes runs a job from :mod:`centredesk.jobs.import_steps`
in a worker (:class:`~centredesk.tui.widgets.job_progress.JobProgress`); this screen only
shows what the jobs found and passes on what the user chose. A failure is said in the step
that caused it, in the job's own one-line words, and every choice made so far is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Label, Select, Static

from centredesk.dates import UK_DATE, UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.io.errors import HeaderError
from centredesk.io.headers import KindChoice
from centredesk.jobs.import_steps import (
    DryRun,
    Upload,
    choose_columns,
    column_lines,
    dry_run,
    get_ready,
    issues_by_rule,
    kind_reason,
    load,
    needs_reading,
    read_upload,
    sheet_reason,
    store_state,
)
from centredesk.jobs.importing import AlreadyImportedError, ImportOutcome
from centredesk.jobs.progress import Progress
from centredesk.jobs.remembered import Remembered
from centredesk.store import StoreLockedError
from centredesk.tui.columns import value_text
from centredesk.tui.database import Database
from centredesk.tui.screens.field_choice import FieldChoiceScreen
from centredesk.tui.screens.fix_list import FixListScreen
from centredesk.tui.screens.imports import ImportScreen, explanation
from centredesk.tui.screens.problem import explain
from centredesk.tui.screens.rule_rows import RuleRowsScreen
from centredesk.tui.widgets.file_picker import FilePicker
from centredesk.tui.widgets.job_progress import JobProgress
from centredesk.validation.fields import KINDS, Kind

STEPS = (
    ("file", "Choose the file"),
    ("sheet", "Sheet and kind"),
    ("columns", "Columns"),
    ("check", "Check"),
    ("load", "Load"),
)

_STEP_KEYS: dict[str, set[str]] = {
    "next": {"sheet", "columns"},
    "back": {"sheet", "columns", "check"},
    "reset_columns": {"columns"},
    "choose_field": {"columns"},
    "fix_list": {"check"},
    "load": {"check"},
}
"""The steps each key works on; elsewhere it is neither shown nor done."""


@dataclass
class Choices:
    """What the user chose so far: kept through every failure and every step back."""

    path: Path | None = None
    sheet: str | None = None
    kind: Kind | None = None
    columns: dict[str, str | None] | None = None


class ImportWizard(Screen[None]):
    """Five steps from a file to an import; Esc leaves (cancelling a job first)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("b", "back", "Back"),
        Binding("n", "next", "Next"),
        Binding("c", "choose_field", "Change"),
        Binding("r", "reset_columns", "As headed"),
        Binding("f", "fix_list", "Fix list"),
        Binding("l", "load", "Load"),
    ]

    def __init__(self, database: Database, remembered: Remembered, folder: Path) -> None:
        super().__init__(id="import-wizard")
        self.database = database
        self.remembered = remembered
        self.folder = folder
        self.step = "file"
        self.choices = Choices()
        self.upload: Upload | None = None
        self.choice: KindChoice | None = None
        self.checked: DryRun | None = None
        self.outcome: ImportOutcome | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="wizard-title")
        with ContentSwitcher(initial="step-file", id="wizard-steps"):
            yield FilePicker(self.folder, id="step-file")
            with Vertical(id="step-sheet"):
                yield Static("", id="sheet-file")
                with Horizontal(classes="wizard-field"):
                    yield Label("Sheet", classes="wizard-label")
                    yield Select[str]([], prompt="(a text file)", compact=True, id="sheet-select")
                yield Static("", id="sheet-reason", classes="wizard-reason")
                with Horizontal(classes="wizard-field"):
                    yield Label("Kind", classes="wizard-label")
                    yield Select[str](
                        [(kind, kind) for kind in KINDS],
                        allow_blank=False,
                        compact=True,
                        id="kind-select",
                    )
                yield Static("", id="kind-reason", classes="wizard-reason")
                yield Static("", id="sheet-notes")
            with Vertical(id="step-columns"):
                yield Static("", id="columns-note")
                yield DataTable(id="columns-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="step-check"):
                yield Static("", id="check-summary")
                yield DataTable(id="check-rules", cursor_type="row")
                yield Static("", id="check-rule-text")
            with Vertical(id="step-load"):
                yield Static("", id="load-summary")
        yield Static("", id="wizard-problem")
        yield JobProgress(id="wizard-job")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "import a file"
        columns = self.query_one("#columns-table", DataTable)
        columns.add_column("Column of the file", width=26, key="header")
        columns.add_column("Read as", width=24, key="field")
        columns.add_column("First value", width=22, key="sample")
        rules = self.query_one("#check-rules", DataTable)
        rules.add_column("Rule", width=22, key="code")
        rules.add_column("Severity", width=8, key="severity")
        rules.add_column("Issues", width=8, key="issues")
        rules.add_column("Rows", width=8, key="rows")
        self._show_step("file")
        self.query_one("#picker-path").focus()
        # The reading process takes half a second to start: start it while a file is chosen.
        self.run_worker(get_ready, thread=True, exit_on_error=False, group="warm-up")

    # -- steps --------------------------------------------------------------------------

    @property
    def job(self) -> JobProgress:
        return self.query_one("#wizard-job", JobProgress)

    def _show_step(self, step: str) -> None:
        self.step = step
        number = next(index for index, (name, _) in enumerate(STEPS, 1) if name == step)
        title = dict(STEPS)[step]
        self.query_one("#wizard-title", Static).update(
            f"[b]Import[/b] · step {number} of {len(STEPS)} · {title}"
        )
        self.query_one("#wizard-steps", ContentSwitcher).current = f"step-{step}"
        self.problem("")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        steps = _STEP_KEYS.get(action)
        if steps is None:
            return True
        if self.job.running:
            return False
        return self.step in steps

    def problem(self, text: str) -> None:
        """Say what went wrong (empty: nothing); the step and its choices stay as they are."""
        self.query_one("#wizard-problem", Static).update(escape(text))

    def action_close(self) -> None:
        if self.job.cancel():
            return
        self.dismiss(None)

    def action_back(self) -> None:
        order = [name for name, _ in STEPS]
        self._show_step(order[order.index(self.step) - 1])

    def action_next(self) -> None:
        if self.step == "sheet" and self.upload is not None:
            self._enter_columns()
        elif self.step == "columns":
            self._check()

    # -- 1: the file --------------------------------------------------------------------

    def on_file_picker_chosen(self, message: FilePicker.Chosen) -> None:
        self.choices = Choices(path=message.path)
        self.remembered.use_folder("import", message.path.parent)
        self._read(first=True)

    def _read(self, *, first: bool = False) -> None:
        choices = self.choices
        assert choices.path is not None
        path, sheet, kind = choices.path, choices.sheet, choices.kind

        def reading(progress: Progress) -> Upload:
            return read_upload(path, kind=kind, sheet=sheet, progress=progress)

        def failed(error: UserError) -> None:
            if first:
                self.query_one("#step-file", FilePicker).problem(str(error))
            else:
                self.problem(str(error))

        def cancelled() -> None:
            failed(UserError(f"{path.name}: reading was cancelled; nothing was read"))

        self.job.start(reading, self._read_done, failed, cancelled, name="read upload")

    def _read_done(self, upload: Upload) -> None:
        self.upload, self.choice, self.checked = upload, None, None
        data = upload.sheet
        self.choices.columns = None
        sheets = self.query_one("#sheet-select", Select)
        with self.prevent(Select.Changed):
            sheets.set_options([(name, name) for name in data.sheets])
            if data.sheet is not None:
                sheets.value = data.sheet
            sheets.disabled = data.sheet is None
            self.query_one("#kind-select", Select).value = data.kind
        self.query_one("#sheet-file", Static).update(
            f"[b]{escape(data.file_name)}[/b]  {data.cells.height:,} rows, "
            f"{len(data.headers)} columns"
        )
        self.query_one("#sheet-reason", Static).update(
            escape(sheet_reason(data, chosen=self.choices.sheet is not None))
        )
        self.query_one("#kind-reason", Static).update(escape(kind_reason(data)))
        notes = "\n".join(f"• {escape(note)}" for note in data.notes[:4])
        self.query_one("#sheet-notes", Static).update(notes)
        if self.step == "file":
            self._show_step("sheet")
            self.query_one("#kind-select").focus()

    # -- 2: sheet and kind --------------------------------------------------------------

    @on(Select.Changed, "#sheet-select")
    def _sheet_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and self.upload and event.value != self.upload.sheet.sheet:
            self.choices.sheet = event.value
            self._read()

    @on(Select.Changed, "#kind-select")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and self.upload and event.value != self.upload.sheet.kind:
            self.choices.kind = event.value  # type: ignore[assignment]
            self._read()

    # -- 3: columns ---------------------------------------------------------------------

    def _enter_columns(self) -> None:
        assert self.upload is not None
        data = self.upload.sheet
        note = "Enter or c changes what a column is read as; r reads them all as headed."
        if self.choices.columns is None:
            self.choices.columns = {}
            kept = self.remembered.columns(data.kind, data.headers)
            if kept is not None:
                try:
                    self.choice = choose_columns(data, kept.chosen)
                except HeaderError:
                    self.choice = None
                else:
                    self.choices.columns = dict(kept.chosen)
                    note = (
                        f"Columns as chosen by hand on {kept.saved_at:{UK_DATE}} for a file "
                        "with these headers; r reads them as headed."
                    )
        self.query_one("#columns-note", Static).update(note)
        self._show_columns()
        self._show_step("columns")
        self.query_one("#columns-table").focus()

    def _show_columns(self) -> None:
        assert self.upload is not None
        table = self.query_one("#columns-table", DataTable)
        row = table.cursor_row
        table.clear()
        for line in column_lines(self.upload.sheet, self.choice):
            chosen = line.header in (self.choices.columns or {})
            field = line.field_header or "not read"
            table.add_row(
                escape(line.header),
                f"{'✎ ' if chosen else ''}{field}",
                escape(value_text(line.sample)),
                key=line.header,
            )
        table.move_cursor(row=min(row, table.row_count - 1))

    def action_choose_field(self) -> None:
        assert self.upload is not None
        table = self.query_one("#columns-table", DataTable)
        if not table.row_count:
            return
        header = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        current = next(
            (line.field for line in column_lines(self.upload.sheet, self.choice)
             if line.header == header), None,
        )  # fmt: skip

        def chosen(answer: tuple[str | None] | None) -> None:
            if answer is None or self.upload is None:
                return
            trial = {**(self.choices.columns or {}), header: answer[0]}
            try:
                self.choice = choose_columns(self.upload.sheet, trial)
            except HeaderError as error:
                self.problem(str(error))
                return
            self.choices.columns = trial
            self.problem("")
            self._show_columns()

        self.app.push_screen(FieldChoiceScreen(self.upload.sheet.kind, header, current), chosen)

    @on(DataTable.RowSelected, "#columns-table")
    def _column_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose_field()

    def action_reset_columns(self) -> None:
        self.choices.columns, self.choice = {}, None
        self.problem("")
        self._show_columns()

    # -- 4: check -----------------------------------------------------------------------

    def _check(self) -> None:
        upload = self.upload
        assert upload is not None
        chosen = dict(self.choices.columns or {})
        data = upload.sheet
        self.remembered.keep_columns(data.kind, data.headers, chosen)
        database = self.database

        def checking(progress: Progress) -> DryRun:
            read = upload
            if needs_reading(upload, chosen):
                read = read_upload(upload.path, kind=data.kind, sheet=data.sheet,
                                   columns=chosen, progress=progress)  # fmt: skip
            state = database.query(lambda store: store_state(store, read), name="check")
            return dry_run(read, state, progress=progress)

        self.job.start(checking, self._checked, self.problem_from, name="check upload")

    def problem_from(self, error: UserError) -> None:
        self.problem(explain(error) if isinstance(error, StoreLockedError) else str(error))

    def _checked(self, checked: DryRun) -> None:
        self.checked = checked
        self.upload = checked.upload
        verdict = checked.checked
        lines = [
            f"[b]{escape(verdict.sheet.file_name)}[/b] ({verdict.sheet.kind}): "
            f"{verdict.rows:,} rows read: [$text-success]{verdict.to_load:,} would load[/], "
            + (
                f"{verdict.already:,} already in the store (not loaded again), "
                if verdict.already
                else ""
            )
            + (
                f"[$text-error]{verdict.rejected:,} would be rejected[/]"
                if verdict.rejected
                else "none would be rejected"
            )  # fmt: skip
        ]
        if checked.previous is not None:
            lines.append(
                f"[$text-warning]Already imported as import {checked.previous.import_id} "
                f"({checked.previous.finished_at:{UK_DATE_TIME}}, "
                f"{escape(checked.previous.file_name)}); l imports it again.[/]"
            )
        lines.append("Enter shows a rule's rows · f writes the fix list · l loads the file")
        self.query_one("#check-summary", Static).update("\n".join(lines))
        rules = self.query_one("#check-rules", DataTable)
        rules.clear()
        for code, severity, issues, rows in issues_by_rule(verdict).rows():
            rules.add_row(code, severity, f"{issues:,}", f"{rows:,}", key=code)
        self.query_one("#check-rule-text", Static).update(
            "" if rules.row_count else "No issues: every row would load."
        )
        self._show_step("check")
        rules.focus()

    @on(DataTable.RowHighlighted, "#check-rules")
    def _rule_highlighted(self, event: DataTable.RowHighlighted) -> None:
        code = str(event.row_key.value)
        self.query_one("#check-rule-text", Static).update(
            f"[b]{code}[/b]: {escape(explanation(code))}"
        )

    @on(DataTable.RowSelected, "#check-rules")
    def _rule_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.checked is not None:
            code = str(event.row_key.value)
            self.app.push_screen(RuleRowsScreen(self.checked.checked, code))

    def action_fix_list(self) -> None:
        if self.checked is not None:
            self.app.push_screen(FixListScreen(self.checked.checked, self.remembered))

    # -- 5: load ------------------------------------------------------------------------

    def action_load(self) -> None:
        checked = self.checked
        if checked is None:
            return
        force = checked.previous is not None
        self.query_one("#load-summary", Static).update(
            f"Loading [b]{escape(checked.checked.sheet.file_name)}[/b]: "
            f"{checked.checked.to_load:,} row{'s' * (checked.checked.to_load != 1)} to load, "
            f"{checked.checked.rejected:,} to keep as rejected. Esc cancels: nothing is written "
            "until the end."
        )
        self._show_step("load")
        database = self.database

        def loading(progress: Progress) -> ImportOutcome:
            return database.write(
                lambda store: load(store, checked, force=force, progress=progress), name="import"
            )

        def cancelled() -> None:
            self._show_step("check")
            self.problem("Load cancelled: nothing was written.")

        def failed(error: UserError) -> None:
            self._show_step("check")
            if isinstance(error, AlreadyImportedError):
                previous = error.previous
                self.problem(
                    f"This file was imported meanwhile (import {previous.import_id}, "
                    f"{previous.finished_at:{UK_DATE_TIME}}); b then n checks it again."
                )
            else:
                self.problem_from(error)

        self.job.start(loading, self._loaded, failed, cancelled, name="load upload")

    def _loaded(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        assert outcome.import_id is not None
        self.app.notify(
            f"Import {outcome.import_id}: loaded {outcome.loaded:,} "
            f"row{'s' * (outcome.loaded != 1)}, "
            + (f"{outcome.already:,} already in the store, " if outcome.already else "")
            + f"rejected {outcome.rejected:,}."
        )
        self.app.switch_screen(ImportScreen(self.database, outcome.import_id))
