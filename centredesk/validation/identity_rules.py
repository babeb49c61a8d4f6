"""One key, two people: ULN_CONFLICT and DUP_SUSPECTED, in the file and against the store.

Both rules have one shape: rows that agree on what should identify one person must agree on
what else is known of them. One ULN on two different people (by name and date of birth) is
ULN_CONFLICT; one person (by name and date of birth) under two ULNs is DUP_SUSPECTED. Each
looks first within the file, then at the learners the store holds, and reports one issue per
row (the file's own clash first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.comparing import (
    EVERY_ROW,
    KEY,
    ULN,
    disagreeing,
    first_per_row,
    sharing,
)
from centredesk.validation.identity import REAL_ULN
from centredesk.validation.messages import said
from centredesk.validation.parsing import uk_date

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference


@dataclass(frozen=True)
class _OneKey:
    """Rows agreeing on ``key`` must agree on ``value``; ``stored`` is what a message needs
    of a stored learner, ``in_file`` and ``in_store`` the messages."""

    code: str
    key: str
    value: str
    stored: tuple[pl.Expr, ...]
    in_file: pl.Expr
    in_store: pl.Expr


_ULN_CONFLICT = _OneKey(
    "ULN_CONFLICT",
    key=ULN,
    value=KEY,
    stored=(
        pl.col("learner_number").alias("stored_learner"),
        pl.format("{} {}, born {}", "forename", "surname", uk_date(pl.col("date_of_birth"))).alias(
            "stored_person"
        ),
    ),
    in_file=said("ULN_CONFLICT", "in_file", uln=pl.col(ULN), row=pl.col("other")),
    in_store=said("ULN_CONFLICT", "in_store", uln=pl.col(ULN), learner=pl.col("stored_learner"),
                  person=pl.col("stored_person")),
)  # fmt: skip
_SUSPECTED = _OneKey(
    "DUP_SUSPECTED",
    key=KEY,
    value=ULN,
    stored=(pl.col("learner_number").alias("stored_learner"),),
    in_file=said("DUP_SUSPECTED", "in_file", row=pl.col("other")),
    in_store=said("DUP_SUSPECTED", "in_store", learner=pl.col("stored_learner"),
                  uln=pl.col("stored_value")),
)  # fmt: skip


def uln_conflicts(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    """ULN_CONFLICT: one ULN given to two different people."""
    return [_one_key_two_values(work, reference, _ULN_CONFLICT)]


def suspected_duplicates(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    """DUP_SUSPECTED: the same name and date of birth under two ULNs."""
    return [_one_key_two_values(work, reference, _SUSPECTED)]


def _one_key_two_values(work: pl.DataFrame, reference: Reference, rule: _OneKey) -> pl.DataFrame:
    among = pl.col("eligible") & pl.col("has_uln")
    marked = disagreeing(work, rule.value, [rule.key], among)
    in_file = issues_where(
        marked, pl.col("other").is_not_null(), rule.code, rule.in_file, field=ULN
    )
    stored = reference.get("learners")
    if stored is None:
        return in_file
    rows, stored = sharing(work.filter(among), stored.filter(REAL_ULN), rule.key)
    known = stored.select(rule.key, pl.col(rule.value).alias("stored_value"), *rule.stored)
    joined = (
        rows.join(known, on=rule.key, how="inner")
        .filter(pl.col("stored_value") != pl.col(rule.value))
        .unique("row", keep="first")
    )
    against_store = issues_where(joined, EVERY_ROW, rule.code, rule.in_store, field=ULN)
    return first_per_row(in_file, against_store)
