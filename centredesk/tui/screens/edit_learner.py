"""Edit a learner: a form generated from the field definitions, judged as the user types.

Each field shows its label, and the line under the form says what the focused field means
with an example (all from :mod:`centredesk.validation.fields`). Every key press judges the
whole record through the single-record path (:func:`centredesk.jobs.editing.row_issues`),
so each field turns red with the import's own message, or green. Saving runs the edit job
(:func:`centredesk.jobs.editing.save_learner`), which adds the rules that compare with the
store (a duplicate, a ULN another learner holds), asks about new warnings, and refuses a save
made from a copy someone else has changed since: the user then sees both versions and
chooses. Errors keep the form open with what the user typed.

Those rules look through the store's learners, tens of milliseconds at a million. So once
the user pauses typing, the form has the job judge the details against the store
(:func:`centredesk.jobs.editing.judge_edit`) in the background, and a save of the same
details, with the store unchanged since, uses that judgement instead of looking again.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.jobs.editing import (
    LEARNER_FIELDS,
    EditOutcome,
    Judgement,
    details_texts,
    judge_edit,
    row_issues,
    save_learner,
)
from centredesk.jobs.history import describe
from centredesk.jobs.progress import Progress
from centredesk.store import Store
from centredesk.store.errors import StaleRecordError
from centredesk.store.records import Change, LearnerRecord
from centredesk.tui.database import Database
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.screens.conflict import ConflictScreen
from centredesk.tui.widgets.judged_field import JudgedField, verdict_text
from centredesk.tui.writing import ChangesStore
from centredesk.validation.fields import SCHEMAS
from centredesk.validation.models import RecordIssue

FORM_FIELDS = tuple(spec for spec in SCHEMAS["learners"] if spec.name in LEARNER_FIELDS)
"""The learner's own fields, in the order the upload template has them."""
JUDGE_AFTER = 0.25
"""Seconds without a key press after which the form judges its details against the store."""


class EditLearnerScreen(Screen[Change | None], ChangesStore):
    """Dismissed with the change saved, or None when the user leaves without saving."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "leave", "Cancel"),
        # Priority: an input would take these keys to scroll itself.
        Binding("down", "app.focus_next", show=False, priority=True),
        Binding("up", "app.focus_previous", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    #edit-title { padding: 0 1; height: auto; background: $boost; }
    #edit-fields { padding: 0 1; height: 1fr; }
    #edit-outcome { padding: 0 1; height: auto; }
    #edit-help { padding: 0 1; height: 2; color: $text-muted; background: $boost; }
    """

    def __init__(self, database: Database, learner_number: int) -> None:
        super().__init__(id="edit-learner")
        self.database = database
        self.learner_number = learner_number
        self.today = database.today
        self.record: LearnerRecord | None = None
        self.fields: dict[str, JudgedField] = {}
        self.saving = False
        self.judgement: Judgement | None = None
        """The store's latest judgement of the form's changes (a save checks it is current)."""
        self._judge_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Learner {self.learner_number}: loading…", id="edit-title")
        yield VerticalScroll(id="edit-fields")
        yield Static("", id="edit-outcome")
        yield Static("", id="edit-help")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"edit learner {self.learner_number}"
        number = self.learner_number
        self.read_store(lambda store: store.learners.get(number), self._show, name="learner_record")

    def _show(self, record: LearnerRecord | None) -> None:
        if record is None:
            title = self.query_one("#edit-title", Static)
            title.update(f"There is no learner {self.learner_number}.")
            return
        self.record = record
        texts = details_texts(record.details)
        identity = self.database.identity
        uln_reason = identity.why_not("set_uln")
        form = self.query_one("#edit-fields", VerticalScroll)
        for spec in FORM_FIELDS:
            read_only = None
            if spec.name == "uln" and uln_reason is not None:
                read_only = f"Read only: {uln_reason}."
            field = JudgedField(
                spec.name, spec.header, texts[spec.name], meaning=spec.description,
                example=spec.example, read_only=read_only,
            )  # fmt: skip
            self.fields[spec.name] = field
            form.mount(field)
        self._title()
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self._judge()
        first = next(field for field in self.fields.values() if field.read_only is None)
        first.input.focus()

    def _title(self) -> None:
        assert self.record is not None
        details = self.record.details
        self.query_one("#edit-title", Static).update(
            f"[b]Edit learner {self.learner_number}[/b]  {escape(str(details['forename']))} "
            f"{escape(str(details['surname']))}, centre {escape(str(details['centre_number']))}"
            f"  [$text-muted](version {self.record.version})[/]"
        )

    # -- judging as the user types -------------------------------------------------------

    def texts(self) -> dict[str, str]:
        return {name: field.value for name, field in self.fields.items()}

    def changed(self) -> dict[str, str]:
        """The fields the user changed, as typed."""
        return {name: field.value for name, field in self.fields.items() if field.changed}

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.record is not None:
            self._judge()
            self.query_one("#edit-outcome", Static).update("")

    def _judge(self) -> list[RecordIssue]:
        """Judge the record as it stands in the form; show each field's verdict."""
        assert self.record is not None
        issues, _ = row_issues(self.record, self.texts(), self.today)
        self._show_issues(issues)
        self._judge_with_store_later(issues)
        return issues

    def _judge_with_store_later(self, issues: list[RecordIssue]) -> None:
        """Once the user pauses, have the store's rules judge the changes, in a worker."""
        if self._judge_timer is not None:
            self._judge_timer.stop()
        new = self.changed()
        if new and not any(issue.severity == "error" for issue in issues):
            self._judge_timer = self.set_timer(JUDGE_AFTER, lambda: self._judge_with_store(new))

    def _judge_with_store(self, new: dict[str, str]) -> None:
        if self.saving:
            return  # the save judges for itself
        number, today = self.learner_number, self.today

        def judge() -> None:
            try:
                judgement = self.database.query(
                    lambda store: judge_edit(store, number, new, today=today), name="judge_edit"
                )
            except UserError:
                return  # the store is busy or says no: saving judges again
            self.app.call_from_thread(setattr, self, "judgement", judgement)

        self.run_worker(judge, name="judge_edit", group="judge-edit", thread=True,
                        exit_on_error=False)  # fmt: skip

    def _show_issues(self, issues: list[RecordIssue]) -> None:
        for name, field in self.fields.items():
            field.judge([issue for issue in issues if issue.field == name])

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_descendant_focus(self, event: object) -> None:
        focused = self.focused
        for field in self.fields.values():
            if focused is field.input:
                self.query_one("#edit-help", Static).update(escape(field.help_text))

    # -- saving --------------------------------------------------------------------------

    def action_save(self) -> None:
        """Judge the change against the store too, and save it when it passes."""
        if self.record is None or self.saving:
            return
        new = self.changed()
        if not new:
            self.notify("Nothing to save: no field was changed.", timeout=4)
            return
        errors = [issue for issue in self._judge() if issue.severity == "error"]
        if errors:
            self._focus(errors[0].field)
            self._outcome(f"[$text-error]Not saved: {len(errors)} field(s) in red to put right.[/]")
            return
        self._save(new, confirmed=False, version=self.record.version)

    def _save(self, new: dict[str, str], *, confirmed: bool, version: int) -> None:
        self.saving = True
        if self._judge_timer is not None:
            self._judge_timer.stop()  # a judgement now would wait for the save, and be stale
        number, today, judged = self.learner_number, self.today, self.judgement

        def save(store: Store, progress: Progress) -> EditOutcome:
            return save_learner(
                store, number, new, confirmed=confirmed, expected_version=version, today=today,
                judged=judged,
            )  # fmt: skip

        self.write_store(
            save,
            lambda outcome: self._saved(outcome, new, version),
            name="save_learner",
            doing=f"Saving learner {number}",
            failed=lambda error: self._not_saved(error, new),
        )

    def _saved(self, outcome: EditOutcome, new: dict[str, str], version: int) -> None:
        self.saving = False
        if outcome.outcome == "refused":
            self._show_issues(outcome.issues)
            unplaced = [issue for issue in outcome.errors if issue.field not in self.fields]
            self._outcome(
                "[$text-error]Not saved: the change breaks a rule that compares with the "
                "store.[/]" + ("\n" + verdict_text(unplaced) if unplaced else "")
            )
            if outcome.errors:
                self._focus(outcome.errors[0].field)
        elif outcome.outcome == "needs confirmation":
            body = "\n".join(
                f"[b]{escape(issue.code)}[/b] {escape(issue.message)}"
                for issue in outcome.to_confirm
            )
            self.app.push_screen(
                ConfirmScreen(
                    "Save despite warnings?",
                    f"The new details have {len(outcome.to_confirm)} warning(s):\n{body}",
                    yes="Save",
                    no="Back to the form",
                ),
                lambda yes: self._save(new, confirmed=True, version=version) if yes else None,
            )
        elif outcome.outcome == "unchanged":
            self.notify("Nothing to save: the learner already has these details.", timeout=4)
        elif outcome.change is not None:
            saved = [outcome.change] + ([outcome.also] if outcome.also else [])
            text = "\n".join(f"Change {c.change_id}: {describe(c)}" for c in saved)
            self.notify(text, title="Saved", timeout=8)
            self.dismiss(saved[-1])

    def _not_saved(self, error: UserError, new: dict[str, str]) -> None:
        self.saving = False
        if isinstance(error, StaleRecordError):
            self._conflict(error, new)
            return
        self._outcome(f"[$text-error]Not saved: {escape(str(error))}[/]")
        self.notify(str(error), title="Not saved", severity="error", timeout=10)

    def _conflict(self, error: StaleRecordError, new: dict[str, str]) -> None:
        """Someone else changed the learner while the form was open: show both versions."""
        number = self.learner_number

        def current(store: Store) -> LearnerRecord | None:
            return store.learners.get(number)

        def show(theirs: LearnerRecord | None) -> None:
            if theirs is None or self.record is None:
                self._outcome(f"[$text-error]{escape(str(error))}[/]")
                return
            who = "someone else"
            if error.who is not None and error.when is not None:
                who = f"{error.who} at {error.when:{UK_DATE_TIME}}"
            screen = ConflictScreen(
                f"Learner {number} was changed by {who} while you were editing",
                [spec.header for spec in FORM_FIELDS],
                [details_texts(self.record.details)[spec.name] for spec in FORM_FIELDS],
                [details_texts(theirs.details)[spec.name] for spec in FORM_FIELDS],
                [self.fields[spec.name].value for spec in FORM_FIELDS],
            )
            self.app.push_screen(screen, lambda choice: self._resolve(choice, theirs, new))

        self.read_store(current, show, name="learner_record", kind="conflict")

    def _resolve(self, choice: str | None, theirs: LearnerRecord, new: dict[str, str]) -> None:
        if choice == "mine":
            # Saved over their version, knowingly: judged again like any save.
            self.record = theirs
            self._title()
            self._save(new, confirmed=False, version=theirs.version)
        elif choice == "theirs":
            self.record = theirs
            texts = details_texts(theirs.details)
            for name, field in self.fields.items():
                field.original = texts[name]
                field.input.value = texts[name]
            self._title()
            self._judge()
            self._outcome("Showing their version: change it again if you need to, then save.")
        else:
            self._outcome("Not saved. Save again (ctrl+s) to choose.")

    def _outcome(self, markup: str) -> None:
        self.query_one("#edit-outcome", Static).update(markup)

    def _focus(self, field_name: str | None) -> None:
        field = self.fields.get(field_name or "")
        if field is not None and field.read_only is None:
            field.input.focus()
            field.scroll_visible()

    def action_leave(self) -> None:
        """Close the form; asks first when something typed would be lost."""
        changed = [self.fields[name].label for name in self.changed()]
        if not changed:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Leave without saving?",
                f"Your changes to {', '.join(changed)} are not saved and will be lost.",
                yes="Leave",
                no="Stay",
            ),
            self._leave_if,
        )

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)
