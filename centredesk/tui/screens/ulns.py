"""Manage ULNs: the learners without a ULN (or with the placeholder), a ULN typed for each.

Filtered as the portal filters them (product, batch, names, a range of registration dates),
a page at a time. Each ULN is judged as it is typed (its form, its check digit, the
placeholder's warning) and the row turns red with the reason or green; Enter saves that row,
ctrl+s every row typed. Saving is the ULN job (:func:`centredesk.jobs.editing.set_uln`), which
adds the rules that look at the store (a ULN another learner holds is refused, naming them)
and refuses a learner changed since the page was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from centredesk.errors import UserError
from centredesk.jobs.editing import EditOutcome, set_uln, uln_issues
from centredesk.jobs.export_specs import FilterValueError, read_date
from centredesk.jobs.progress import Progress
from centredesk.store import Store
from centredesk.store.records import UlnFilters, UlnPage
from centredesk.tui.columns import cell_text
from centredesk.tui.database import Database
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.widgets.judged_field import verdict_text
from centredesk.tui.writing import ChangesStore
from centredesk.validation.models import RecordIssue

PAGE_ROWS = 15
"""Learners on a page: what fits an 80x24 terminal with the filter and the help lines."""
HINT = "product:603/0862 batch:1001 surname:smi forename:jo from:01/09/2025 to:30/11/2025"
_PAIR = re.compile(r"(?:^|\s)([A-Za-z_]+):")
_FIELDS = ("product", "batch", "surname", "forename", "from", "to")


class UlnFilterError(UserError):
    """The filter names something learners cannot be filtered by."""


def parse_uln_filter(text: str) -> UlnFilters:
    """``product:603/0862 batch:1001 surname:smi forename:jo from:01/09/2025 to:…``; words
    before any field are the start of a surname."""
    matches = list(_PAIR.finditer(text))
    given: dict[str, str] = {}
    leading = (text[: matches[0].start()] if matches else text).strip()
    if leading:
        given["surname"] = leading
    for position, match in enumerate(matches):
        field = match.group(1).casefold()
        if field not in _FIELDS:
            known = " ".join(f"{name}:" for name in _FIELDS)
            raise UlnFilterError(f"cannot filter by {field!r}; use {known}")
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        if value := text[match.end() : end].strip():
            given[field] = value
    days: dict[str, date] = {}
    for field in ("from", "to"):
        if field in given:
            try:
                days[field] = read_date(given[field])
            except FilterValueError as error:
                raise UlnFilterError(f"{field}: {error}") from None
    return UlnFilters(
        product=given.get("product"),
        batch=given.get("batch"),
        surname=given.get("surname"),
        forename=given.get("forename"),
        registered_from=days.get("from"),
        registered_to=days.get("to"),
    )


@dataclass
class Learner:
    """A row of the page: who, and the version read (a save refuses a later one)."""

    number: int
    name: str
    born: str
    uln: str
    version: int


class UlnRow(Horizontal):
    """One learner: number, name, date of birth, the ULN typed, and its verdict."""

    DEFAULT_CSS = """
    UlnRow { height: 1; }
    UlnRow > Label { height: 1; }
    UlnRow > .uln-number { width: 9; }
    UlnRow > .uln-name { width: 24; }
    UlnRow > .uln-born { width: 11; }
    UlnRow > Input { width: 12; }
    UlnRow > .uln-verdict { width: 1fr; height: 1; padding-left: 1; text-wrap: nowrap;
                            text-overflow: ellipsis; }
    UlnRow.-error > Input { background: $error 25%; }
    UlnRow.-warning > Input { background: $warning 20%; }
    UlnRow.-clean > Input { background: $success 15%; }
    UlnRow.-saved > Input { background: $success 30%; }
    """

    def __init__(self, learner: Learner, *, today: date, typed: str | None = None) -> None:
        super().__init__(id=f"uln-row-{learner.number}")
        self.learner = learner
        self.today = today
        self.issues: list[RecordIssue] = []
        self.saved = ""
        shown = typed if typed is not None else learner.uln or ""
        self.input = Input(
            shown, id=f"uln-{learner.number}", compact=True, max_length=14, placeholder="ULN"
        )

    def on_mount(self) -> None:
        if self.input.value:
            self.judge()

    def compose(self) -> ComposeResult:
        yield Label(str(self.learner.number), classes="uln-number")
        yield Label(escape(self.learner.name), classes="uln-name")
        yield Label(self.learner.born, classes="uln-born")
        yield self.input
        yield Static("", classes="uln-verdict")

    @property
    def typed(self) -> bool:
        """Whether a ULN other than the stored one is typed (and not saved yet)."""
        return not self.saved and self.input.value.strip() not in ("", self.learner.uln or "")

    def judge(self) -> None:
        """The verdict on what is typed (nothing typed: nothing to say)."""
        text = self.input.value
        self.saved = ""
        self.issues = uln_issues(text, today=self.today) if text.strip() else []
        self.show(self.issues)

    def show(self, issues: list[RecordIssue], *, saved: str = "") -> None:
        self.issues = issues
        self.saved = saved
        errors = any(issue.severity == "error" for issue in issues)
        typed = bool(self.input.value.strip())
        self.set_class(errors, "-error")
        self.set_class(bool(issues) and not errors, "-warning")
        self.set_class(typed and not issues and not saved, "-clean")
        self.set_class(bool(saved), "-saved")
        if saved:
            text = f"[$text-success]✓ {escape(saved)}[/]"
        elif typed:
            text = verdict_text(issues).split("\n")[0]
        else:
            text = ""
        self.query_one(".uln-verdict", Static).update(text)

    def whole_verdict(self) -> str:
        """Everything said about the row, for the line under the list."""
        if self.saved:
            return f"{self.learner.number} {escape(self.learner.name)}: {escape(self.saved)}"
        if not self.issues:
            return ""
        return f"{self.learner.number} {escape(self.learner.name)}:\n" + verdict_text(self.issues)


class UlnScreen(Screen[None], ChangesStore):
    """Opened with ``m`` by a ULN admin; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back"),
        Binding("ctrl+s", "save_all", "Save page", priority=True),
        # Priority: an input would take these keys to scroll itself.
        Binding("pagedown", "page(1)", "Next page", priority=True),
        Binding("pageup", "page(-1)", "Previous page", priority=True),
        Binding("down", "app.focus_next", show=False, priority=True),
        Binding("up", "app.focus_previous", show=False, priority=True),
        Binding("ctrl+r", "reload", "Read again", show=False),
    ]
    DEFAULT_CSS = """
    UlnScreen #uln-filter { height: 1; border: none; padding: 0 1; background: $boost; }
    UlnScreen #uln-filter:focus { background: $primary 20%; }
    UlnScreen #uln-status { height: 1; padding: 0 1; color: $text-muted; }
    UlnScreen #uln-status.-problem { color: $text-error; }
    UlnScreen #uln-heading { height: 1; padding: 0 1; text-style: bold; background: $panel; }
    UlnScreen #uln-rows { height: 1fr; padding: 0 1; }
    UlnScreen #uln-focused { height: 3; padding: 0 1; background: $boost; }
    """

    def __init__(self, database: Database) -> None:
        super().__init__(id="ulns")
        self.database = database
        self.today = database.today
        self.filters = UlnFilters()
        self.page_start = 0
        self.total = 0
        self.loads = 0
        self.typed: dict[int, str] = {}
        """ULNs typed and not saved, by learner: kept across pages and filters."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=f"filter: {HINT}", id="uln-filter")
        yield Static("loading…", id="uln-status")
        yield Static(f"{'Learner':<9}{'Name':<24}{'Born':<11}{'ULN':<13}Verdict", id="uln-heading")
        yield Vertical(id="uln-rows")
        yield Static("", id="uln-focused")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "learners without a ULN"
        self.load()

    def rows(self) -> list[UlnRow]:
        return list(self.query(UlnRow))

    # -- reading a page ------------------------------------------------------------------

    def load(self) -> None:
        """Read the page of learners that match the filter."""
        filters, offset = self.filters, self.page_start

        def page(store: Store) -> UlnPage:
            return store.learners.without_uln(filters, offset=offset, limit=PAGE_ROWS)

        self.read_store(page, self._show, name="without_uln", kind="page")

    def _show(self, page: UlnPage) -> None:
        self.total = page.total
        container = self.query_one("#uln-rows", Vertical)
        container.remove_children()
        rows = [
            UlnRow(
                Learner(
                    int(row["learner_number"]),
                    f"{row['surname']}, {row['forename']}",
                    cell_text(row["date_of_birth"]),
                    row["uln"],
                    int(row["version"]),
                ),
                today=self.today,
                typed=self.typed.get(int(row["learner_number"])),
            )
            for row in page.learners.iter_rows(named=True)
        ]
        container.mount_all(rows)
        self.loads += 1
        self._status()
        self.refresh_bindings()
        # The first row takes the keys, unless the user is typing a filter.
        filtering = self.loads > 1 and self.focused is self.query_one("#uln-filter", Input)
        if rows and not filtering:
            self.call_after_refresh(rows[0].input.focus)

    def _status(self, problem: str = "") -> None:
        status = self.query_one("#uln-status", Static)
        status.set_class(bool(problem), "-problem")
        if problem:
            status.update(escape(problem))
            return
        if not self.total:
            status.update("No learner without a ULN matches." if self._filtered() else
                          "Every learner has a ULN.")  # fmt: skip
            return
        pages = (self.total + PAGE_ROWS - 1) // PAGE_ROWS
        status.update(
            f"{self.total:,} without a ULN · page {self.page_start // PAGE_ROWS + 1} of {pages} "
            "· Enter saves a row"
        )

    def _filtered(self) -> bool:
        return self.filters != UlnFilters()

    @on(Input.Changed, "#uln-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        try:
            filters = parse_uln_filter(event.value)
        except UlnFilterError as error:
            self._status(str(error))
            return
        if filters != self.filters:
            self.filters, self.page_start = filters, 0
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            step = int(str(parameters[0]))
            return 0 <= self.page_start + step * PAGE_ROWS < self.total
        return True

    def action_page(self, step: int) -> None:
        """The next or previous page (what is typed stays typed, still to save)."""
        offset = self.page_start + step * PAGE_ROWS
        if 0 <= offset < self.total:
            self.page_start = offset
            self.load()

    def action_reload(self) -> None:
        self.load()

    # -- typing and saving ---------------------------------------------------------------

    def _row_of(self, widget: object) -> UlnRow | None:
        for row in self.rows():
            if widget is row.input:
                return row
        return None

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        row = self._row_of(event.input)
        if row is not None:
            event.stop()
            row.judge()
            if row.typed:
                self.typed[row.learner.number] = event.value
            else:
                self.typed.pop(row.learner.number, None)
            self._show_focused(row)

    def on_descendant_focus(self, event: object) -> None:
        row = self._row_of(self.focused)
        if row is not None:
            self._show_focused(row)
            row.scroll_visible()

    def _show_focused(self, row: UlnRow) -> None:
        self.query_one("#uln-focused", Static).update(row.whole_verdict())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = self._row_of(event.input)
        if row is None:
            self.focus_next()  # from the filter, down to the first row
        elif row.typed:
            self._save([row], confirmed=False)
        else:
            self.focus_next()

    def action_save_all(self) -> None:
        """Save every row of the page with a ULN typed and not saved yet."""
        typed = [row for row in self.rows() if row.typed]
        if not typed:
            elsewhere = len(self.typed)
            self.notify(
                f"No ULN typed on this page ({elsewhere} on other pages)." if elsewhere
                else "No ULN typed to save.", timeout=4,
            )  # fmt: skip
            return
        self._save(typed, confirmed=False)

    def _save(self, rows: list[UlnRow], *, confirmed: bool) -> None:
        # Rows with errors the user can see are not sent; the job judges the rest.
        for row in rows:
            row.judge()
        sendable = [row for row in rows if not any(i.severity == "error" for i in row.issues)]
        if not sendable:
            self.notify("Put right the ULNs in red first.", severity="warning", timeout=5)
            return
        wanted = [(row.learner.number, row.input.value, row.learner.version) for row in sendable]
        today = self.today

        def save(store: Store, progress: Progress) -> list[EditOutcome | UserError]:
            outcomes: list[EditOutcome | UserError] = []
            for number, uln, version in wanted:
                # Each learner is a change of its own: one refused leaves the others saved.
                try:
                    outcomes.append(
                        set_uln(store, number, uln, confirmed=confirmed,
                                expected_version=version, today=today)
                    )  # fmt: skip
                except UserError as error:
                    outcomes.append(error)
            return outcomes

        noun = f"{len(sendable)} ULN{'' if len(sendable) == 1 else 's'}"
        self.write_store(
            save, lambda outcomes: self._saved(sendable, outcomes), name="set_uln",
            doing=f"Saving {noun}",
        )  # fmt: skip

    def _saved(self, rows: list[UlnRow], outcomes: list[EditOutcome | UserError]) -> None:
        to_confirm: list[UlnRow] = []
        saved = 0
        for row, outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, UserError):
                row.show([RecordIssue("uln", "REFUSED", "error", str(outcome))])
            elif outcome.outcome == "changed" and outcome.change is not None:
                self.typed.pop(row.learner.number, None)
                row.learner.uln = row.input.value
                row.learner.version += 1
                row.show([], saved=f"saved: change {outcome.change.change_id}")
                saved += 1
            elif outcome.outcome == "needs confirmation":
                row.show(outcome.to_confirm)
                to_confirm.append(row)
            else:
                row.show(outcome.issues)
        if saved:
            self.notify(f"{saved} ULN{'' if saved == 1 else 's'} saved.", title="Saved")
        focused = self._row_of(self.focused)
        if focused is not None:
            self._show_focused(focused)
        if to_confirm:
            listed = "\n".join(
                f"{row.learner.number} {escape(row.learner.name)}: "
                + "; ".join(escape(issue.message) for issue in row.issues)
                for row in to_confirm
            )
            self.app.push_screen(
                ConfirmScreen("Save despite warnings?", listed, yes="Save them"),
                lambda yes: self._save(to_confirm, confirmed=True) if yes else None,
            )

    def action_leave(self) -> None:
        """Back to the tabs; asks first when typed ULNs would be lost."""
        if not self.typed:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Leave without saving?",
                f"{len(self.typed)} ULN(s) typed and not saved will be lost.",
                yes="Leave",
                no="Stay",
            ),
            self._leave_if,
        )

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)
