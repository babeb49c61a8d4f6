"""Load a fixed rejected row: new cell values for a row an import rejected, judged like any
row of that import and, when clean, loaded as part of it.

The row's cells are kept as they were read (header text -> text); the user gives new
values by column header or by field name. The row then goes through the same engine as a
file (row rules, then cross-row rules against the store), and its issues close once it
is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, cast

import polars as pl

from centredesk.errors import UserError
from centredesk.io.headers import matched_fields
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import Change
from centredesk.validation.engine import REFERENCE_NEEDS, Reference, validate
from centredesk.validation.fields import SCHEMAS, Kind, header_key
from centredesk.validation.models import RecordIssue, check_record

Outcome = Literal["loaded", "refused", "needs confirmation", "dry run"]


@dataclass(frozen=True)
class FixOutcome:
    """What became of a fixed row: its new cells, their issues, the change if loaded."""

    import_id: int
    row: int
    outcome: Outcome
    cells: dict[str, str]
    issues: pl.DataFrame
    """Issue records of the row with its new values (row, column, field, code, …)."""
    change: Change | None = None

    @property
    def errors(self) -> int:
        return int((self.issues.get_column("severity") == "error").sum())


def fix_row(
    store: Store,
    import_id: int,
    row: int,
    values: Mapping[str, str],
    *,
    confirmed: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> FixOutcome:
    """Give row ``row`` of import ``import_id`` new ``values`` (column header or field name
    -> text), judge it, and load it when it has no errors (warnings need ``confirmed``)."""
    require(store, "fix_row")
    summary = store.details.import_summary(import_id)
    if summary is None:
        raise UserError(f"there is no import {import_id}: `centredesk imports list` lists them")
    if summary.rolled_back_by is not None:
        raise UserError(f"import {import_id} was rolled back: import the file again instead")
    rejected = store.details.rejected_row(import_id, row)
    if rejected is None:
        raise UserError(
            f"row {row} of import {import_id} was not rejected: `centredesk imports show "
            f"{import_id}` lists its rejected rows"
        )
    if row not in store.imports.open_rejected_rows([import_id]).get_column("row").to_list():
        raise UserError(f"row {row} of import {import_id} was fixed and loaded already")
    kind = cast(Kind, summary.kind)
    cells = with_values(kind, rejected.cells, values)
    mapping = matched_fields(kind, list(cells))
    frame = pl.DataFrame(
        {"row": [row], **{name: [cells.get(header)] for name, header in mapping.items()}},
        schema={"row": pl.Int64, **dict.fromkeys(mapping, pl.String)},
    )
    canonical = frame.select(
        "row",
        *(
            pl.col(spec.name) if spec.name in mapping else pl.lit(None, pl.String).alias(spec.name)
            for spec in SCHEMAS[kind]
        ),
    )
    reference = Reference(store.reference.frames(REFERENCE_NEEDS[kind]))
    validated = validate(
        kind, canonical, columns=mapping, reference=reference, today=today or date.today()
    )
    issues = validated.issues
    if validated.already_loaded.height:
        loaded_by = validated.already_loaded.get_column("import_id")[0]
        raise UserError(
            f"row {row} of import {import_id} is in the store already (import {loaded_by} "
            "loaded it): nothing to fix"
        )
    outcome = FixOutcome(import_id, row, "refused", cells, issues)
    if outcome.errors:
        return outcome
    if issues.height and not confirmed:
        return FixOutcome(import_id, row, "needs confirmation", cells, issues)
    if dry_run:
        return FixOutcome(import_id, row, "dry run", cells, issues)
    accepted = validated.parsed
    if kind == "learners":
        accepted = accepted.with_columns(
            pl.col("batch_number").fill_null(_batch_of(store, import_id, reference))
        )
    read = set(mapping.values())
    other = {header: text for header, text in cells.items() if header not in read and text}
    change = store.imports.load_row(import_id, row, accepted, cells, other)
    return FixOutcome(import_id, row, "loaded", cells, issues, change)


def row_issues(
    kind: Kind, cells: Mapping[str, str], *, today: date | None = None
) -> dict[str | None, list[RecordIssue]]:
    """The row rules' issues of a row with ``cells`` (header -> text), by the header of the
    column they are about (None: the whole row, or a field the row has no column for).

    No store is needed, so a fix form calls this at every key press; the rules that compare
    with the store run when the row is loaded (:func:`fix_row`).
    """
    mapping = matched_fields(kind, list(cells))
    verdict = check_record(
        kind,
        {name: cells.get(header, "") for name, header in mapping.items()},
        today=today or date.today(),
    )
    found: dict[str | None, list[RecordIssue]] = {}
    for issue in verdict.issues:
        header = mapping.get(issue.field or "")
        found.setdefault(header, []).append(issue)
    return found


def with_values(kind: Kind, cells: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """The row's cells with ``values`` put in: a key names a column of the row by its
    header (any case or spacing) or a field of the kind; a field the row has no column
    for gets one, headed as the templates head it."""
    new = dict(cells)
    by_header = {header_key(header): header for header in cells}
    mapping = matched_fields(kind, list(cells))
    for key, value in values.items():
        header = by_header.get(header_key(key))
        if header is None:
            field = next(
                (spec for spec in SCHEMAS[kind] if header_key(key) in spec.header_keys()), None
            )
            if field is None:
                known = ", ".join(list(cells) + [spec.name for spec in SCHEMAS[kind]])
                raise UserError(f"row has no column or field {key!r}: use one of {known}")
            header = mapping.get(field.name, field.header)
        new[header] = value
    return new


def _batch_of(store: Store, import_id: int, reference: Reference) -> str:
    """The batch a fixed learner row without one joins: the one its import's other rows
    share, or a new batch when they are in several (or none)."""
    registrations = reference.get("registrations")
    if registrations is not None and "import_id" in registrations.columns:
        batches = (
            registrations.filter(pl.col("import_id") == import_id)
            .get_column("batch_number")
            .unique()
        )
        if batches.len() == 1:
            return str(batches[0])
    return store.imports.next_batch_number(pl.Series([], dtype=pl.String))
