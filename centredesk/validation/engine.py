"""The rule engine: a frame of raw cells in, parsed values and issue records out.

:func:`validate` runs every row rule (vectorised, :mod:`row_rules`), then the rules that
compare rows with each other and with the store's reference frames (:mod:`cross_rules`,
:mod:`linking`). It never reads files or queries the database: the caller hands over the
cells and the reference frames, so the same verdict comes out of the command line, the app
and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import polars as pl

from centredesk.validation import cross_rules, identity, judging, linking
from centredesk.validation.already_loaded import Origin, no_rows, recognise
from centredesk.validation.catalogue import EARLIER_ROW
from centredesk.validation.checks import ISSUE_PARTS
from centredesk.validation.fields import SCHEMAS, Kind
from centredesk.validation.messages import fill, say
from centredesk.validation.row_rules import field_rules


class ProgressLike(Protocol):
    """What the engine needs of a job's progress reporter (``jobs.progress.Progress``)."""

    def step(self, stage: str, done: int, total: int = 0) -> None: ...


class _Silent:
    def step(self, stage: str, done: int, total: int = 0) -> None:
        """Report nothing: for callers that do not show progress."""


NO_PROGRESS: ProgressLike = _Silent()

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "column": pl.String(),
    "field": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "value": pl.String(),
}


REFERENCE_NEEDS: dict[Kind, tuple[str, ...]] = {
    "learners": ("centres", "products", "approvals", "learners", "registrations"),
    "bookings": ("centres", "products", "registrations", "bookings"),
    "results": ("centres", "products", "registrations", "results"),
    "products": ("products",),
    "approvals": ("centres", "products", "approvals"),
}
"""Which of the store's frames each kind's rules look at (the store supplies them by name)."""


@dataclass(frozen=True)
class Reference:
    """What the store already holds, as frames named as ``store.reference`` returns them.

    A missing name or an empty frame means the store holds none of that kind.
    """

    frames: Mapping[str, pl.DataFrame] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Reference:
        return cls({})

    def get(self, name: str) -> pl.DataFrame | None:
        """The named frame, or None when the store holds none."""
        found = self.frames.get(name)
        return found if found is not None and found.height else None


@dataclass(frozen=True)
class Validated:
    """The verdict on one file: parsed values, issue records and once-per-file notes."""

    parsed: pl.DataFrame
    issues: pl.DataFrame
    notes: list[str]
    already_loaded: pl.DataFrame = field(default_factory=no_rows)
    """Rows the store holds already (``row``, and the ``import_id`` that loaded them): not
    errors, not loaded again (see :mod:`centredesk.validation.already_loaded`)."""

    def rejected_row_numbers(self) -> pl.Series:
        """Sorted row numbers that have at least one error (those rows are not loaded)."""
        errors = self.issues.filter(pl.col("severity") == "error")
        return errors.get_column("row").unique().sort()


def validate(
    kind: Kind,
    cells: pl.DataFrame,
    *,
    columns: Mapping[str, str],
    reference: Reference,
    today: date,
    progress: ProgressLike = NO_PROGRESS,
    uncalculated: pl.DataFrame | None = None,
    origin: Origin | None = None,
) -> Validated:
    """Check every row of ``cells`` (``row`` + one text column per field of ``kind``).

    ``columns`` maps canonical field names to the header text as written in the file, so
    each issue names the column the user sees. ``uncalculated`` ("row", "field") lists the
    cells that hold a formula with no calculated value: they read as empty, but are not.
    ``origin`` says which file the rows come from, so a row repeating a record that file
    loaded before is told from a duplicate (see :mod:`already_loaded`).
    """
    total = cells.height
    progress.step("checking", 0, total)
    frame, row_issues = judging.judge(cells, field_rules(kind), today)
    if uncalculated is not None and uncalculated.height:
        row_issues = _uncalculated(kind, row_issues, uncalculated)
    progress.step("checking", total // 2, total)
    parsed, cross_issues, notes = _cross(kind, frame, row_issues, reference, today)
    issues = pl.concat([row_issues, *cross_issues], how="vertical")
    # Rows repeating what the store holds are recognised before any message says whether
    # an earlier row was loaded: such a row is.
    issues, repeated = recognise(kind, parsed, cells, issues, reference, origin)
    progress.step("checking", total, total)
    return Validated(parsed, _finish(issues, kind, columns), notes, repeated)


def _uncalculated(kind: Kind, row_issues: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """FORMULA_UNCALCULATED for each such cell, in place of what its emptiness would say.

    The row cannot be loaded without a required field (an error); an optional field is
    loaded empty, and the warning says its value was in the file but could not be read.
    """
    required = [spec.name for spec in SCHEMAS[kind] if spec.required]
    found = cells.select(
        pl.col("row").cast(pl.Int64),
        pl.col("field").cast(pl.String),
        pl.lit("FORMULA_UNCALCULATED").alias("code"),
        pl.when(pl.col("field").is_in(required))
        .then(pl.lit("error"))
        .otherwise(pl.lit("warning"))
        .alias("severity"),
        pl.lit(say("FORMULA_UNCALCULATED")).alias("message"),
        pl.lit(None, pl.String).alias("value"),
        pl.lit(None, pl.Int64).alias("other_row"),
    )
    kept = row_issues.join(found.select("row", "field"), on=["row", "field"], how="anti")
    return pl.concat([kept, found.select(kept.columns)], how="vertical")


_NOT_CROSS_CHECKED = ("learner_reference", "batch_number", "reasonable_adjustments")


def _cross(
    kind: Kind,
    frame: pl.DataFrame,
    row_issues: pl.DataFrame,
    reference: Reference,
    today: date,
) -> tuple[pl.DataFrame, list[pl.DataFrame], list[str]]:
    """The kind's cross-row and cross-store rules; returns parsed frame, issues and notes."""
    parsed = frame.select("row", *(spec.name for spec in SCHEMAS[kind]))
    # A row with a wrong value in a field no cross-row rule reads (a learner reference, a
    # batch number) still takes part in them, so the user sees every issue in one pass.
    relevant = pl.col("field").is_null() | ~pl.col("field").is_in(_NOT_CROSS_CHECKED)
    failed = (
        row_issues.filter((pl.col("severity") == "error") & relevant).get_column("row").unique()
    )
    ok = ~pl.col("row").is_in(failed.implode())
    if kind == "learners":
        parsed, issues, notes = cross_rules.learners(parsed, ok, reference, today)
        return identity.identify(parsed, reference), issues, notes
    if kind == "bookings":
        return linking.bookings(parsed, ok, reference)
    if kind == "results":
        return linking.results(parsed, ok, reference)
    if kind == "products":
        return cross_rules.products(parsed, ok)
    return cross_rules.approvals(parsed, ok, reference)


def _fates(issues: pl.DataFrame) -> pl.DataFrame:
    """Say in each issue pointing at an earlier row whether that row is loaded.

    A repeated row is refused in favour of the earlier one, but the earlier one may be
    refused too, for errors of its own: then neither is loaded, and the user must know.
    """
    rejected = issues.filter(pl.col("severity") == "error").get_column("row").unique()
    other = pl.col("other_row")
    fate = (
        pl.when(other.is_in(rejected.implode()))
        .then(fill(EARLIER_ROW["rejected"], row=other))
        .otherwise(fill(EARLIER_ROW["loaded"]))
    )
    return issues.with_columns(
        pl.when(other.is_not_null())
        .then(pl.concat_str(pl.col("message"), fate))
        .otherwise(pl.col("message"))
        .alias("message")
    )


SHOWN_VALUE_CHARACTERS = 200
"""An issue repeats its cell up to this long; a longer one is cut, saying how long it was."""


def _shortened(value: pl.Expr) -> pl.Expr:
    length = value.str.len_chars()
    return (
        pl.when(length > SHOWN_VALUE_CHARACTERS)
        .then(pl.format("{}… ({} characters)", value.str.slice(0, SHOWN_VALUE_CHARACTERS), length))
        .otherwise(value)
        .alias("value")
    )


def _finish(issues: pl.DataFrame, kind: Kind, columns: Mapping[str, str]) -> pl.DataFrame:
    """Name each issue's column as the file does and sort by row, then column position."""
    order = {name: position for position, name in enumerate(columns)}
    for position, spec in enumerate(SCHEMAS[kind], start=len(order)):
        order.setdefault(spec.name, position)
    return (
        _fates(issues.select(ISSUE_PARTS))
        .with_columns(
            pl.col("field").replace_strict(dict(columns), default=None).alias("column"),
            pl.col("field")
            .replace_strict(order, default=len(order) + 1, return_dtype=pl.Int64)
            .alias("position"),
        )
        .with_columns(_shortened(pl.col("value")))
        .sort("row", "position", maintain_order=True)
        .select(*(pl.col(name).cast(dtype) for name, dtype in ISSUE_SCHEMA.items()))
    )
