"""Building blocks shared by the rule modules: checks and issue frames.

A rule is a boolean expression (where it applies) and a message expression (what to tell the
user); rule modules turn them into issue frames with :func:`issues_where`, so every rule
produces records of the same shape without a loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from centredesk.validation.catalogue import Severity, rule

ISSUE_PARTS = ["row", "field", "code", "severity", "message", "value", "other_row"]
"""The columns of every issue frame the rules build. ``other_row`` is the earlier row an
issue points at (DUP_IN_FILE), so the message can say what became of that row."""


@dataclass(frozen=True)
class Check:
    """One rule on one field: where it applies and what to tell the user."""

    code: str
    severity: Severity
    when: pl.Expr
    message: pl.Expr


def first_match(checks: list[Check]) -> pl.Expr:
    """A struct of (code, message) of the first check that applies, null when none does."""
    head, *rest = checks
    code = pl.when(head.when).then(pl.lit(head.code))
    message = pl.when(head.when).then(head.message)
    for check in rest:
        code = code.when(check.when).then(pl.lit(check.code))  # type: ignore[assignment]
        message = message.when(check.when).then(check.message)  # type: ignore[assignment]
    return pl.struct(code=code, message=message)


def issues_where(
    frame: pl.DataFrame,
    when: pl.Expr,
    code: str,
    message: pl.Expr,
    *,
    field: str | None,
    value: pl.Expr | None = None,
    severity: Severity | None = None,
    other_row: pl.Expr | None = None,
) -> pl.DataFrame:
    """Issue records for the rows of ``frame`` where ``when`` holds.

    ``field`` None makes a whole-row issue; the value defaults to the field's parsed value
    as text. The severity comes from the catalogue unless the rule has two.
    """
    level = severity or rule(code).severity
    if level not in ("error", "warning"):
        raise ValueError(f"{code} has two severities: say which one applies")
    shown = (
        value
        if value is not None
        else (pl.col(field).cast(pl.String) if field is not None else pl.lit(None, pl.String))
    )
    return frame.filter(when.fill_null(False)).select(
        pl.col("row").cast(pl.Int64),
        pl.lit(field, pl.String).alias("field"),
        pl.lit(code).alias("code"),
        pl.lit(level).alias("severity"),
        message.cast(pl.String).alias("message"),
        shown.cast(pl.String).alias("value"),
        (other_row if other_row is not None else pl.lit(None)).cast(pl.Int64).alias("other_row"),
    )
