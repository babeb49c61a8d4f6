"""Who each row of a registration upload is, worked out once, for the rules and the store.

Within a centre, a learner is known by a real ULN, or (without one: none given, or the
placeholder that many people share) by their normalised name and date of birth
(``person_key``: ``O'Brien`` and ``O’BRIEN`` alike). The rules use the same identity to find
duplicates, conflicts and clashes; the store writes what this module decides and decides
nothing itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.fields import ULN_PLACEHOLDER
from centredesk.validation.parsing import fold_name

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference

REAL_ULN = pl.col("uln").is_not_null() & (pl.col("uln") != ULN_PLACEHOLDER)
"""A ULN that names one person: given, and not the placeholder."""

LEARNER_IDENTITY = pl.format(
    "{}|{}",
    pl.col("centre_number"),
    pl.when(REAL_ULN)
    .then(pl.format("u:{}", pl.col("uln")))
    .otherwise(pl.format("k:{}", pl.col("person_key"))),
)
"""The text every row of one learner shares: centre, then ULN or name-and-birth key."""


def with_person_key(people: pl.DataFrame) -> pl.DataFrame:
    """``people`` with ``person_key``: folded forename | folded surname | ISO date of birth.

    Folding (accents, case, spacing, punctuation) is the costly part and a file repeats its
    names, so each distinct forename and surname is folded once.
    """
    folded = people
    for name in ("forename", "surname"):
        distinct = people.select(pl.col(name).unique())
        folded = folded.join(
            distinct.with_columns(fold_name(pl.col(name)).alias(f"{name}:folded")),
            on=name, how="left", nulls_equal=True, maintain_order="left",
        )  # fmt: skip
    key = pl.format(
        "{}|{}|{}",
        pl.col("forename:folded"),
        pl.col("surname:folded"),
        pl.col("date_of_birth").dt.to_string("%Y-%m-%d"),
    )
    return people.with_columns(folded.select(key.alias("person_key")).to_series())


def identity_hash() -> pl.Expr:
    """A 64-bit hash of :data:`LEARNER_IDENTITY`'s parts: rows of one learner hash alike.

    Cheaper than building the identity text for every row; centre numbers are upper-cased
    codes, so the text cannot be read two ways and equal texts always mean equal parts.
    """
    return pl.struct(
        pl.col("centre_number"),
        REAL_ULN.alias("real_uln"),
        pl.when(REAL_ULN).then(pl.col("uln")).otherwise(pl.col("person_key")).alias("who"),
    ).hash()


def identify(parsed: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """``parsed`` (with ``person_key``) plus ``learner_identity`` and ``learner_number``.

    ``learner_number`` is the stored learner a row names (by ULN, or by name and date of
    birth when the row has no real ULN; the lowest number if several match), or null for a
    learner new to the store.
    """
    rows = parsed.with_columns(LEARNER_IDENTITY.alias("learner_identity"))
    stored = reference.get("learners")
    if stored is None:
        return rows.with_columns(pl.lit(None, pl.Int64).alias("learner_number"))
    number = pl.col("learner_number").min()
    by_uln = stored.filter(REAL_ULN).group_by("centre_number", "uln").agg(number.alias("by_uln"))
    by_key = stored.group_by("centre_number", "person_key").agg(number.alias("by_key"))
    matched = (
        rows.join(by_uln, on=["centre_number", "uln"], how="left", maintain_order="left")
        .join(by_key, on=["centre_number", "person_key"], how="left", maintain_order="left")
        .with_columns(
            pl.when(REAL_ULN)
            .then(pl.col("by_uln"))
            .otherwise(pl.col("by_key"))
            .cast(pl.Int64)
            .alias("learner_number")
        )
    )
    return matched.drop("by_uln", "by_key")
