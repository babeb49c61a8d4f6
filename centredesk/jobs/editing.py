"""Edit a learner, or set their ULN: judged as an import would judge them, then saved.

The new details go through the same single-record path as an edit form
(:func:`centredesk.validation.models.check_record`) and the same cross-record rules as an
import (:func:`centredesk.validation.cross_rules.learners`), run against the learners the
store holds with the same ULN or the same name and date of birth, so a change that would
make a duplicate registration or a ULN conflict gets the import's codes and messages.

Errors refuse the change. Warnings are shown and must be confirmed, except those the stored
learner already had (an unrelated edit does not ask again about an old warning). A ULN
already held by another learner is refused, naming that learner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from centredesk.errors import UserError
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import EDITABLE_LEARNER_FIELDS, Change, LearnerRecord
from centredesk.validation import cross_rules
from centredesk.validation.engine import Reference
from centredesk.validation.fields import spec
from centredesk.validation.identity import with_person_key
from centredesk.validation.models import RecordIssue, check_record
from centredesk.validation.values import ULN_PLACEHOLDER

LEARNER_FIELDS = (*EDITABLE_LEARNER_FIELDS, "uln")
"""The learner's own fields among a registration row's: what an edit is judged on."""
_CROSS_CODES = ("DUP_IN_STORE", "ULN_CONFLICT", "DUP_SUSPECTED", "DISCOUNT_CLASH")
"""Cross-record rules a learner's details can break (the product and centre stay as they
are, so the catalogue rules have nothing new to say)."""

Outcome = Literal["changed", "refused", "needs confirmation", "dry run", "unchanged"]


@dataclass(frozen=True)
class EditOutcome:
    """What became of an edit: the verdict, and the change if one was made."""

    learner_number: int
    outcome: Outcome
    requested: dict[str, str]
    """Field -> the text asked for."""
    changes: dict[str, tuple[Any, Any]]
    """Field -> (stored value, new value), only the fields that change."""
    issues: list[RecordIssue]
    """Every issue of the new details, errors first."""
    to_confirm: list[RecordIssue] = field(default_factory=list)
    """Warnings the stored learner did not have: these need a confirmation."""
    change: Change | None = None
    also: Change | None = None
    """The ULN's own change, when one save changed the ULN and other details."""

    @property
    def errors(self) -> list[RecordIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]


def edit_learner(
    store: Store,
    learner_number: int,
    new: Mapping[str, str],
    *,
    confirmed: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
) -> EditOutcome:
    """Change a learner's details (``new``: field -> text as a user types it)."""
    unknown = sorted(set(new) - set(EDITABLE_LEARNER_FIELDS))
    if unknown:
        raise UserError(
            f"a learner edit cannot change {', '.join(unknown)}: it changes "
            f"{', '.join(EDITABLE_LEARNER_FIELDS)} (the ULN with `centredesk uln set`)"
        )
    require(store, "edit")
    return _change(store, learner_number, new, confirmed, dry_run, expected_version, today)


def set_uln(
    store: Store,
    learner_number: int,
    uln: str,
    *,
    confirmed: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
) -> EditOutcome:
    """Set or change a learner's ULN (ULN admins only)."""
    require(store, "set_uln")
    return _change(store, learner_number, {"uln": uln}, confirmed, dry_run, expected_version, today)


def save_learner(
    store: Store,
    learner_number: int,
    new: Mapping[str, str],
    *,
    confirmed: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
    judged: Judgement | None = None,
) -> EditOutcome:
    """Save an edit form: new details and, for a ULN admin, a new ULN, judged together.

    Both land in one transaction, or neither; the history holds them as two changes (the
    edit, then the ULN), each undone with the role it needed. ``judged`` is the form's
    :func:`judge_edit` of the same details: used as it is if nothing in the store has
    changed since, else judged again.
    """
    unknown = sorted(set(new) - set(LEARNER_FIELDS))
    if unknown:
        raise UserError(f"a learner has no detail {', '.join(unknown)} to change")
    if set(new) - {"uln"}:
        require(store, "edit")
    if "uln" in new:
        require(store, "set_uln")
    return _change(store, learner_number, new, confirmed, dry_run, expected_version, today, judged)


@dataclass(frozen=True)
class Judgement:
    """An edit judged against the store as it was at ``data_version``.

    Looking up the learners an edit could clash with reads the learners table (tens of
    milliseconds at a million learners). A form judges while the user types, so that a save
    of exactly the judged details, with the store's data version unchanged since (no import,
    no change, no learner added), needs no second look; the write is still guarded by the
    learner's version.
    """

    record: LearnerRecord
    new: dict[str, str]
    today: date
    data_version: tuple[int, ...]
    issues: list[RecordIssue]
    """Every issue of the new details, errors first."""
    old_issues: list[RecordIssue]
    """The stored details' issues, as far as needed to tell new warnings from old."""
    values: dict[str, Any]
    """The new details' parsed values."""


def judge_edit(
    store: Store, learner_number: int, new: Mapping[str, str], *, today: date | None = None
) -> Judgement:
    """Judge an edit of a learner's details as saving them would, without saving: no role
    is needed, nothing is written."""
    # The version first: a change made after it leaves the judgement stale, never missed.
    data_version = store.tables.data_version()
    return _judge_edit(store, _record(store, learner_number), new, today or date.today(),
                       data_version)  # fmt: skip


def _record(store: Store, learner_number: int) -> LearnerRecord:
    record = store.learners.get(learner_number)
    if record is None:
        raise UserError(f"there is no learner {learner_number}: check the learner number")
    return record


def _judge_edit(
    store: Store,
    record: LearnerRecord,
    new: Mapping[str, str],
    today: date,
    data_version: tuple[int, ...],
) -> Judgement:
    stored = details_texts(record.details)
    wanted = {**stored, **new}
    # One look at the store's learners near either version of the details: at a million
    # learners each look is a search of the whole table.
    old_rows, old_values = row_issues(record, stored, today)
    rows, values = row_issues(record, wanted, today)
    near = _near(store, record, [old_values, values])
    issues, values = _with_cross(store, record, rows, values, near, today)
    # The stored details are judged only to tell new warnings from old ones.
    old_issues = old_rows
    if any(issue.severity == "warning" for issue in issues):
        old_issues, _ = _with_cross(store, record, old_rows, old_values, near, today)
    return Judgement(record, dict(new), today, data_version, issues, old_issues, values)


def _current(
    store: Store,
    judged: Judgement | None,
    learner_number: int,
    new: Mapping[str, str],
    today: date,
) -> Judgement | None:
    """``judged`` if it judged this very edit and the store has not changed since."""
    if (
        judged is None
        or judged.record.details["learner_number"] != learner_number
        or judged.new != dict(new)
        or judged.today != today
    ):
        return None
    return judged if store.tables.data_version() == judged.data_version else None


def _change(
    store: Store,
    learner_number: int,
    new: Mapping[str, str],
    confirmed: bool,
    dry_run: bool,
    expected_version: int | None,
    today: date | None,
    judged: Judgement | None = None,
) -> EditOutcome:
    today = today or date.today()
    # Read, judge, then write guarded by the version read: if someone else changes the
    # learner in between, the store refuses and says who (nothing is held while judging).
    judgement = _current(store, judged, learner_number, new, today) or _judge_edit(
        store, _record(store, learner_number), new, today, ()
    )
    record, issues, old_issues = judgement.record, judgement.issues, judgement.old_issues
    values = judgement.values
    changes = {
        name: (record.details[name], values[name])
        for name in LEARNER_FIELDS
        if name in new and name in values and values[name] != record.details[name]
    }
    seen = {(issue.field, issue.code) for issue in old_issues}
    to_confirm = [
        issue
        for issue in issues
        if issue.severity == "warning" and (issue.field, issue.code) not in seen
    ]
    verdict = EditOutcome(learner_number, "refused", dict(new), changes, issues, to_confirm)
    if verdict.errors:
        return verdict
    if not changes:
        return _with(verdict, "unchanged")
    if to_confirm and not confirmed:
        return _with(verdict, "needs confirmation")
    if dry_run:
        return _with(verdict, "dry run")
    saved = {name: new_value for name, (_, new_value) in changes.items()}
    if {"forename", "surname", "date_of_birth"} & set(saved):
        saved["person_key"] = values["person_key"]
    version = record.version if expected_version is None else expected_version
    details = {name: value for name, value in saved.items() if name != "uln"}
    made: list[Change] = []
    with store.transaction():
        if details:
            made.append(store.learners.edit(learner_number, details, expected_version=version))
            version += 1
        if "uln" in saved:
            made.append(
                store.learners.set_uln(learner_number, saved["uln"], expected_version=version)
            )
    return EditOutcome(
        learner_number,
        "changed",
        dict(new),
        changes,
        issues,
        to_confirm,
        made[0],
        made[1] if len(made) > 1 else None,
    )


def _with(verdict: EditOutcome, outcome: Outcome) -> EditOutcome:
    return EditOutcome(
        verdict.learner_number,
        outcome,
        verdict.requested,
        verdict.changes,
        verdict.issues,
        verdict.to_confirm,
    )


def details_texts(details: Mapping[str, Any]) -> dict[str, str]:
    """The stored details as the texts a form shows and an edit is judged on (dates day
    first, nothing as empty text)."""
    texts: dict[str, str] = {}
    for name in LEARNER_FIELDS:
        value = details.get(name)
        if value is None:
            texts[name] = ""
        elif isinstance(value, date):
            texts[name] = f"{value:%d/%m/%Y}"
        else:
            texts[name] = str(value)
    return texts


def row_issues(
    record: LearnerRecord, texts: Mapping[str, str], today: date
) -> tuple[list[RecordIssue], dict[str, Any]]:
    """The row rules' issues of a learner with details ``texts``, and their parsed values.

    No store is needed, so an edit form calls this at every key press: each of the
    learner's registrations that is not cancelled is judged through the single-record
    model (the date of birth against the registration date, as an import judges it).
    """
    issues: list[RecordIssue] = []
    values: dict[str, Any] = {}
    for context in _contexts(record, today):
        cells = {
            **{name: _cell(context.get(name)) for name in ("centre_number", "product_code")},
            "registration_date": _cell(context.get("registration_date")),
            **texts,
        }
        verdict = check_record("learners", cells, today=today)
        for issue in verdict.issues:
            if issue.field in LEARNER_FIELDS and issue not in issues:
                issues.append(issue)
        if verdict.record is not None and not values:
            values = {name: getattr(verdict.record, name) for name in LEARNER_FIELDS}
    return _ordered(issues), values


def uln_issues(text: str, *, today: date | None = None) -> list[RecordIssue]:
    """The row rules' issues of a ULN typed on its own (a ULN is judged by itself: its
    form, check digit and the placeholder's warning); the store's rules run on saving."""
    verdict = check_record("learners", {"uln": text}, today=today or date.today())
    return [issue for issue in verdict.issues if issue.field == "uln"]


def _standing(record: LearnerRecord) -> pl.DataFrame:
    """The registrations a learner's details are judged against: those not cancelled (or
    the first, when all are)."""
    registrations = record.registrations.filter(pl.col("status") != "cancelled")
    return registrations if registrations.height else record.registrations.head(1)


def _contexts(record: LearnerRecord, today: date) -> list[dict[str, Any]]:
    return _standing(record).to_dicts() or [
        {"centre_number": record.details["centre_number"], "product_code": None,
         "batch_number": None, "registration_date": today}
    ]  # fmt: skip


def judge(
    store: Store, record: LearnerRecord, texts: Mapping[str, str], today: date
) -> tuple[list[RecordIssue], dict[str, Any]]:
    """Every issue of a learner with details ``texts``, and their parsed values.

    The row rules of :func:`row_issues`, then the cross-record rules against the store,
    leaving the learner themself out.
    """
    issues, values = row_issues(record, texts, today)
    return _with_cross(store, record, issues, values, _near(store, record, [values]), today)


def _with_cross(
    store: Store,
    record: LearnerRecord,
    issues: list[RecordIssue],
    values: dict[str, Any],
    near: Mapping[str, pl.DataFrame],
    today: date,
) -> tuple[list[RecordIssue], dict[str, Any]]:
    """The row rules' ``issues`` with the cross-record rules' added (when the row rules
    found no error), judged against the ``near`` learners."""
    if any(issue.severity == "error" for issue in issues) or not values:
        return issues, values
    values = {**values, "person_key": _person_key(values)}
    issues = list(issues)
    registrations = _standing(record)
    for issue in _holders(near, record, values) + _cross(
        store, record, values, registrations, near, today
    ):
        if issue not in issues:
            issues.append(issue)
    return _ordered(issues), values


def _near(
    store: Store, record: LearnerRecord, versions: Sequence[Mapping[str, Any]]
) -> dict[str, pl.DataFrame]:
    """The learners (and their registrations) any of these versions of the details could
    clash with: the same ULN, or the same name and date of birth."""
    parsed = [values for values in versions if values]
    ulns = sorted({str(v["uln"]) for v in parsed if v.get("uln") not in (None, ULN_PLACEHOLDER)})
    keys = sorted({_person_key(values) for values in parsed})
    return store.reference.near_learners(
        ulns=ulns, person_keys=keys, excluding=int(record.details["learner_number"])
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value)


def _person_key(values: Mapping[str, Any]) -> str:
    frame = pl.DataFrame(
        {name: [values[name]] for name in ("forename", "surname", "date_of_birth")},
        schema={"forename": pl.String, "surname": pl.String, "date_of_birth": pl.Date},
    )
    return str(with_person_key(frame).get_column("person_key").item())


def _holders(
    near: Mapping[str, pl.DataFrame], record: LearnerRecord, values: Mapping[str, Any]
) -> list[RecordIssue]:
    """ULN_CONFLICT when another learner holds the ULN: one ULN is one person."""
    uln = values.get("uln")
    if uln is None or uln == ULN_PLACEHOLDER or uln == record.details.get("uln"):
        return []
    holders = near["learners"].filter(pl.col("uln") == uln).sort("learner_number")
    if holders.height == 0:
        return []
    holder = holders.row(0, named=True)
    return [
        RecordIssue(
            "uln",
            "ULN_CONFLICT",
            "error",
            f"{uln} belongs to learner {holder['learner_number']} ({holder['forename']} "
            f"{holder['surname']}, born {holder['date_of_birth']:%d/%m/%Y})",
        )
    ]


def _cross(
    store: Store,
    record: LearnerRecord,
    values: Mapping[str, Any],
    registrations: pl.DataFrame,
    near: Mapping[str, pl.DataFrame],
    today: date,
) -> list[RecordIssue]:
    """The import's cross-record rules, one registration at a time (so a learner is never
    compared with their own other registrations), against the learners near them."""
    if registrations.height == 0:
        return []
    reference = Reference({**store.reference.frames(["products"]), **near})
    found: list[RecordIssue] = []
    for registration in registrations.iter_rows(named=True):
        row = {
            "row": 1,
            **{name: registration[name] for name in ("centre_number", "product_code")},
            **{name: values[name] for name in LEARNER_FIELDS},
            "batch_number": registration["batch_number"],
            "registration_date": registration["registration_date"],
        }
        parsed = pl.DataFrame([row]).with_columns(
            pl.col("date_of_birth").cast(pl.Date),
            pl.col("registration_date").cast(pl.Date),
            *(pl.col(name).cast(pl.String) for name in _TEXT_FIELDS),
        )
        _, issues, _ = cross_rules.learners(parsed, pl.col("row").is_not_null(), reference, today)
        for frame in issues:
            for issue in frame.filter(pl.col("code").is_in(_CROSS_CODES)).iter_rows(named=True):
                found_issue = RecordIssue(
                    issue["field"], issue["code"], issue["severity"], issue["message"]
                )
                if found_issue not in found:
                    found.append(found_issue)
    return found


_TEXT_FIELDS = (
    "centre_number",
    "product_code",
    "forename",
    "surname",
    "uln",
    "learner_reference",
    "reasonable_adjustments",
)


def _ordered(issues: list[RecordIssue]) -> list[RecordIssue]:
    order = {name: index for index, name in enumerate(LEARNER_FIELDS)}
    return sorted(
        issues, key=lambda issue: (issue.severity != "error", order.get(issue.field or "", 99))
    )


def field_header(name: str) -> str:
    """A field's name as the templates head its column: ``Date of Birth``."""
    return spec("learners", name).header
