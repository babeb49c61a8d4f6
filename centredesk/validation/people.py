"""How a learner is recognised: by a real ULN, else by name and date of birth.

The placeholder ULN is shared by everyone whose ULN is not known yet, so it identifies no
one; without a real ULN, the same folded forename and surname with the same date of birth
is the same learner (``O'Brien`` and ``O’BRIEN`` alike).
"""

from __future__ import annotations

import polars as pl

from centredesk.validation.comparing import CENTRE, KEY, ULN, hashed
from centredesk.validation.fields import ULN_PLACEHOLDER
from centredesk.validation.parsing import fold_name


def real_uln(column: str = ULN) -> pl.Expr:
    """Where a ULN identifies its learner: present and not the placeholder."""
    return pl.col(column).is_not_null() & (pl.col(column) != ULN_PLACEHOLDER)


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
    return people.with_columns(folded.select(key.alias(KEY)).to_series())


def identity() -> pl.Expr:
    """Learner identity within a centre, as the store recognises learners."""
    return pl.format(
        "{}|{}",
        pl.col(CENTRE),
        pl.when(real_uln())
        .then(pl.format("u:{}", pl.col(ULN)))
        .otherwise(pl.format("k:{}", pl.col(KEY))),
    )


def identity_hash() -> pl.Expr:
    """A hash of what :func:`identity` spells out: learners with one identity hash alike.

    Centre numbers are upper-cased codes, so the identity text cannot be read two ways and
    equal texts always mean equal parts.
    """
    return hashed(
        pl.col(CENTRE),
        real_uln().alias("real_uln"),
        pl.when(real_uln()).then(pl.col(ULN)).otherwise(pl.col(KEY)).alias("who"),
    )
