"""The export form: every workbook the command line writes, with its filters, from the app.

What can be exported and which filters each export takes come from the export registry
(:data:`centredesk.jobs.export_specs.SPECS`), so a new export appears here without an edit;
the filters that pick one thing (a centre, a batch, a product, a session, a sector) offer
what the store holds. Upload templates, the fix list of a file, and the table the form was
opened from (searched and sorted as it was) are offered too. The workbook is written by the
same jobs as the command line's, in a worker, with progress and a Cancel that leaves no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from centredesk.errors import UserError
from centredesk.jobs.export_specs import FILTERS, SPECS
from centredesk.jobs.exporting import (
    ExportOutcome,
    ViewColumn,
    default_target,
    export,
    export_view,
    read_filters,
)
from centredesk.jobs.import_steps import StoreState, Upload, fix_list_of_file, store_state
from centredesk.jobs.progress import Progress
from centredesk.jobs.remembered import Remembered
from centredesk.jobs.templates import TemplateOutcome, template
from centredesk.store import Store, StoreLockedError
from centredesk.store.exports import CHOOSABLE, FilterValue
from centredesk.store.views import WORDS
from centredesk.tui.database import Database
from centredesk.tui.screens.problem import explain
from centredesk.tui.search import field_word
from centredesk.tui.widgets.job_progress import JobProgress
from centredesk.validation.fields import KINDS

TABLE, TEMPLATE, FIX_LIST = "table", "template", "fix-list"
LABELS = {"dob": "Born", "uln": "ULN", "learner": "Learner"}
"""A filter's label where its name is not the word people use."""


@dataclass(frozen=True)
class TableShown:
    """The table the form was opened from, as the user had it."""

    view: str
    label: str
    columns: list[ViewColumn]
    search: dict[str, str] = field(default_factory=dict)
    scope: dict[str, object] = field(default_factory=dict)
    sort: str | None = None
    descending: bool | None = None
    rows: int = 0


class ExportForm(Screen[None]):
    """Choose what to export and how to narrow it, where to write it, then write it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "write", "Write"),
    ]

    def __init__(
        self, database: Database, remembered: Remembered, table: TableShown | None = None
    ) -> None:
        super().__init__(id="export-form")
        self.database = database
        self.remembered = remembered
        self.table = table
        self.what = TABLE if table is not None else next(iter(SPECS))
        self.values: dict[str, list[FilterValue]] = {}
        self._default = ""
        self.outcome: Any = None

    def _whats(self) -> list[tuple[str, str]]:
        whats = [(spec.title, kind) for kind, spec in SPECS.items()]
        whats += [("Upload template", TEMPLATE), ("Fix list of a file (checked, not loaded)",
                                                  FIX_LIST)]  # fmt: skip
        if self.table is not None:
            whats.insert(0, (f"This table as shown: {self.table.label}", TABLE))
        return whats

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export-body"):
            with Horizontal(classes="export-field"):
                yield Label("Export", classes="export-label")
                yield Select(
                    self._whats(),
                    value=self.what,
                    allow_blank=False,
                    compact=True,
                    id="export-what",
                )
            yield Static("", id="export-about")
            yield Vertical(id="export-filters")
            with Horizontal(classes="export-field"):
                yield Label("Write to", classes="export-label")
                yield Input("", compact=True, id="export-target")
            yield Checkbox("Replace the file if it exists", compact=True, id="export-replace")
        yield Static("", id="export-message")
        yield JobProgress(id="export-job")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "export a workbook"
        await self._show_what()
        self._load_values()
        self.query_one("#export-what").focus()

    # -- the choices --------------------------------------------------------------------

    def _load_values(self, product: str | None = None) -> None:
        """Ask the store (in a worker) for the values of the filters that pick one thing."""

        def values(store: Store) -> dict[str, list[FilterValue]]:
            return {name: store.exports.filter_values(name, product=product)
                    for name in CHOOSABLE}  # fmt: skip

        def work(progress: Progress) -> dict[str, list[FilterValue]]:
            return self.database.query(values, name="filter_values")

        def loaded(found: dict[str, list[FilterValue]]) -> None:
            self.values = found
            self.call_after_refresh(self._fill_choices)

        self.run_worker(lambda: self._values_in_thread(work, loaded), thread=True,
                        group="values", exclusive=True, exit_on_error=False)  # fmt: skip

    def _values_in_thread(self, work: Any, loaded: Any) -> None:
        try:
            found = work(Progress())
        except UserError as error:
            problem = error
            self.app.call_from_thread(self._problem, problem)
            return
        self.app.call_from_thread(loaded, found)

    def _fill_choices(self) -> None:
        for name in CHOOSABLE:
            for select in self.query(f"#filter-{name}").results(Select):
                current = select.value
                options = [(value.label, value.value) for value in self.values.get(name, [])]
                with self.prevent(Select.Changed):
                    select.set_options(options)
                    if current in {value for _, value in options}:
                        select.value = current

    @on(Select.Changed, "#export-what")
    async def _what_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.what:
            self.what = event.value
            await self._show_what()

    async def _show_what(self) -> None:
        box = self.query_one("#export-filters", Vertical)
        await box.remove_children()
        rows: list[Widget] = []
        about = ""
        if self.what in SPECS:
            spec = SPECS[self.what]
            about = spec.summary
            rows += [self._filter_row(name, spec.statuses, name in spec.required)
                     for name in spec.filters]  # fmt: skip
        elif self.what == TEMPLATE:
            about = "An empty upload workbook with instructions, for one kind of upload."
            kinds = Select([(k, k) for k in KINDS], value=KINDS[0], allow_blank=False,
                           compact=True, id="template-kind")  # fmt: skip
            rows.append(self._row("Kind", kinds))
        elif self.what == FIX_LIST:
            about = ("A file checked against the store, every problem cell marked; nothing "
                     "is loaded.")  # fmt: skip
            folder = self.remembered.folder("import") or Path.cwd()
            rows.append(self._row("File", Input(placeholder=f"{folder}/learners.xlsx",
                                                compact=True, id="fix-list-source")))  # fmt: skip
        elif self.table is not None:
            shown = ", ".join(
                f'"{value}"' if name == WORDS else f"{field_word(name)}: {value}"
                for name, value in self.table.search.items()
            )
            about = (
                f"The {self.table.view} table, {self.table.rows:,} rows"
                + (f" matching {shown}" if shown else "")
                + (f", in its order ({self.table.sort})" if self.table.sort else ", in its order")
            )
        self.query_one("#export-about", Static).update(escape(about))
        await box.mount_all(rows)
        self._suggest_target()
        self._say("")

    def _row(self, label: str, widget: Widget) -> Horizontal:
        return Horizontal(Label(label, classes="export-label"), widget, classes="export-field")

    def _filter_row(self, name: str, statuses: tuple[str, ...], required: bool) -> Horizontal:
        spec = FILTERS[name]
        label = f"{LABELS.get(name, name.capitalize())}{' *' if required else ''}"
        widget: Widget
        if name in CHOOSABLE:
            options = [(value.label, value.value) for value in self.values.get(name, [])]
            widget = Select(options, prompt="any" if not required else "choose one",
                            compact=True, id=f"filter-{name}")  # fmt: skip
        elif name == "status":
            widget = Select([(status, status) for status in statuses], prompt="any",
                            compact=True, id=f"filter-{name}")  # fmt: skip
        else:
            widget = Input(placeholder=f"{spec.help} ({spec.metavar})", compact=True,
                           id=f"filter-{name}")  # fmt: skip
        return self._row(label, widget)

    def given(self) -> dict[str, str]:
        """The filters filled in, by name, as text."""
        chosen: dict[str, str] = {}
        for widget in self.query_one("#export-filters").query("Select, Input"):
            if not widget.id or not widget.id.startswith("filter-"):
                continue
            name = widget.id.removeprefix("filter-")
            if isinstance(widget, Select) and isinstance(widget.value, str):
                chosen[name] = widget.value
            elif isinstance(widget, Input) and widget.value.strip():
                chosen[name] = widget.value.strip()
        return chosen

    @on(Select.Changed, "#export-filters Select")
    @on(Input.Changed, "#export-filters Input")
    def _filter_changed(self, event: Select.Changed | Input.Changed) -> None:
        if event.control.id == "filter-product" and self.what == "register":
            product = event.value if isinstance(event.value, str) else None
            self._load_values(product)
        self._suggest_target()

    def _suggest_target(self) -> None:
        """A default name that says what the file holds, unless the user typed their own."""
        target = self.query_one("#export-target", Input)
        if target.value and target.value != self._default:
            return
        folder = self.remembered.folder("export") or Path.cwd()
        if self.what in SPECS:
            suggested = default_target(self.what, self.given(), folder)
        elif self.what == TEMPLATE:
            kind = self.query_one("#template-kind", Select).value
            suggested = default_target(f"{kind}-template", {}, folder)
        elif self.what == FIX_LIST:
            suggested = default_target("fix-list", {}, folder)
        else:
            assert self.table is not None
            suggested = default_target(self.table.view, {}, folder)
        self._default = str(suggested)
        target.value = self._default

    @on(Select.Changed, "#template-kind")
    def _template_changed(self) -> None:
        self._suggest_target()

    # -- writing ------------------------------------------------------------------------

    @on(Input.Submitted, "#export-target")
    def action_write(self) -> None:
        job = self.query_one("#export-job", JobProgress)
        if job.running:
            return
        text = self.query_one("#export-target", Input).value.strip()
        if not text:
            self._say("Say where to write the workbook (a file name ending in .xlsx).", True)
            return
        target = Path(text).expanduser()
        replace = self.query_one("#export-replace", Checkbox).value
        try:
            work = self._job(target, replace)
        except UserError as error:
            self._say(str(error), True)
            return
        self._say("")
        job.start(work, self._written, self._problem,
                  lambda: self._say("Cancelled: no file was written."), name="export")  # fmt: skip

    def _job(self, target: Path, replace: bool) -> Any:
        """The job that writes the chosen workbook; raises UserError for bad filters."""
        database = self.database
        if self.what in SPECS:
            kind = self.what
            filters = read_filters(kind, self.given())

            def exporting(progress: Progress) -> ExportOutcome:
                return database.query(
                    lambda store: export(store, kind, target, filters, force=replace,
                                         progress=progress), name="export",
                )  # fmt: skip

            return exporting
        if self.what == TEMPLATE:
            kind = str(self.query_one("#template-kind", Select).value)

            def writing(progress: Progress) -> TemplateOutcome:
                return database.query(
                    lambda store: template(kind, target, store=store, force=replace),  # type: ignore[arg-type]
                    name="template",
                )

            return writing
        if self.what == FIX_LIST:
            typed = self.query_one("#fix-list-source", Input).value.strip()
            if not typed:
                raise UserError("Say which file to check: its path, e.g. ~/uploads/learners.xlsx")
            source = Path(typed).expanduser()

            def state(upload: Upload) -> StoreState:
                return database.query(lambda store: store_state(store, upload), name="check")

            def checking(progress: Progress) -> Path:
                return fix_list_of_file(
                    source, target, state=state, force=replace, progress=progress
                )

            return checking
        table = self.table
        assert table is not None

        def exporting_table(progress: Progress) -> ExportOutcome:
            return database.query(
                lambda store: export_view(
                    store, table.view, table.columns, target, title=table.view.capitalize(),
                    search=table.search, scope=table.scope, sort=table.sort,
                    descending=table.descending, force=replace, progress=progress,
                ),
                name="export_view",
            )  # fmt: skip

        return exporting_table

    def _written(self, outcome: Any) -> None:
        self.outcome = outcome
        if isinstance(outcome, Path):
            line, where = f"Fix list written to {outcome}", outcome
        else:
            line, where = outcome.summary(), outcome.path
            line = line[:1].upper() + line[1:]
        self.remembered.use_folder("export", Path(where).parent)
        self._say(f"{line}.", False, done=True)
        self.app.notify(line, title="Export")
        self._default = ""
        self.query_one("#export-target", Input).value = ""
        self._suggest_target()

    def _problem(self, error: UserError) -> None:
        self._say(explain(error) if isinstance(error, StoreLockedError) else str(error), True)

    def _say(self, text: str, problem: bool = False, *, done: bool = False) -> None:
        message = self.query_one("#export-message", Static)
        message.update(escape(text))
        message.set_class(problem, "-problem")
        message.set_class(done, "-done")

    def action_close(self) -> None:
        if not self.query_one("#export-job", JobProgress).cancel():
            self.dismiss(None)
