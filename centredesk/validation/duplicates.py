"""The same thing twice: in one file (DUP_IN_FILE) and against the store (DUP_IN_STORE).

A learner is the same learner by ULN, or (where a ULN is missing) by name and date of birth
(:mod:`centredesk.validation.identity`); a product by its code; an approval by centre and
product. A cancelled registration does not count: a cancelled learner is registered afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.comparing import (
    CENTRE,
    KEY,
    PRODUCT,
    ROW,
    ULN,
    earlier,
    key_hashes,
    meeting,
)
from centredesk.validation.identity import REAL_ULN
from centredesk.validation.messages import said

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference


def learners_in_file(work: pl.DataFrame) -> list[pl.DataFrame]:
    """DUP_IN_FILE: a learner on a product an earlier row of the file registers them on."""
    eligible, has_uln = pl.col("eligible"), pl.col("has_uln")
    by_uln = earlier(eligible & has_uln, [CENTRE, PRODUCT, ULN])
    by_key_without_uln = earlier(eligible & ~has_uln, [CENTRE, PRODUCT, KEY])
    by_key = earlier(eligible, [CENTRE, PRODUCT, KEY])
    dup_of = (
        pl.when(~eligible)
        .then(None)
        .when(has_uln)
        .then(
            pl.min_horizontal(
                pl.when(by_uln < ROW).then(by_uln),
                pl.when(by_key_without_uln < ROW).then(by_key_without_uln),
            )
        )
        .otherwise(pl.when(by_key < ROW).then(by_key))
    )
    # Only rows whose centre, product and ULN or person key (by hash) recur can be
    # duplicates; the windows then run over those few rows only.
    by_uln_hash = pl.when(has_uln).then(pl.col("uln_hash"))
    recurring = (by_uln_hash.is_duplicated() & has_uln) | pl.col("key_hash").is_duplicated()
    marked = work.filter(eligible).filter(recurring).with_columns(dup_of.alias("dup_of"))
    return [
        issues_where(marked, pl.col("dup_of").is_not_null(), "DUP_IN_FILE",
                     said("DUP_IN_FILE", "learner", product=pl.col(PRODUCT),
                          row=pl.col("dup_of")),
                     field=None, other_row=pl.col("dup_of"))
    ]  # fmt: skip


def learners_in_store(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    """DUP_IN_STORE: a learner already registered on the product (and not cancelled)."""
    registrations = reference.get("registrations")
    if registrations is None:
        return []
    keys = [CENTRE, PRODUCT]
    live = (
        registrations.filter(pl.col("status") != "cancelled")
        .select(*keys, ULN, KEY, "learner_number")
        .with_columns(key_hashes())
    )
    candidates = work.filter("eligible").select(
        "row", *keys, ULN, KEY, "has_uln", "uln_hash", "key_hash"
    )
    # Most rows are new learners: keep only the rows and registrations whose centre,
    # product and ULN or person key (by hash) meet, then compare the real keys.
    live = meeting(live, candidates).with_columns(REAL_ULN.alias("stored_uln"))
    candidates = meeting(candidates, live)
    first_learner = pl.col("learner_number").min()
    by_uln = live.filter("stored_uln").group_by(*keys, ULN).agg(first_learner.alias("same_uln"))
    by_key = live.group_by(*keys, KEY).agg(first_learner.alias("same_key"))
    by_key_without_uln = (
        live.filter(~pl.col("stored_uln"))
        .group_by(*keys, KEY)
        .agg(first_learner.alias("same_key_without_uln"))
    )
    joined = (
        candidates.join(by_uln, on=[*keys, ULN], how="left")
        .join(by_key, on=[*keys, KEY], how="left")
        .join(by_key_without_uln, on=[*keys, KEY], how="left")
        .with_columns(
            pl.when(pl.col("has_uln").fill_null(False))
            .then(pl.coalesce("same_uln", "same_key_without_uln"))
            .otherwise(pl.col("same_key"))
            .alias("stored_learner")
        )
    )
    return [
        issues_where(joined, pl.col("stored_learner").is_not_null(), "DUP_IN_STORE",
                     said("DUP_IN_STORE", product=pl.col(PRODUCT),
                          learner=pl.col("stored_learner")),
                     field=None)
    ]  # fmt: skip


def products_in_file(parsed: pl.DataFrame) -> pl.DataFrame:
    """DUP_IN_FILE in a catalogue: one product code once per file (the store upserts by it)."""
    marked = parsed.with_columns(earlier(pl.col(PRODUCT).is_not_null(), [PRODUCT]).alias("first"))
    return issues_where(
        marked, pl.col("first") < ROW, "DUP_IN_FILE",
        said("DUP_IN_FILE", "product", product=pl.col(PRODUCT), row=pl.col("first")),
        field=PRODUCT, other_row=pl.col("first"),
    )  # fmt: skip


def approvals_in_file(parsed: pl.DataFrame) -> pl.DataFrame:
    """DUP_IN_FILE in approvals: each centre and product once per file."""
    present = pl.col(CENTRE).is_not_null() & pl.col(PRODUCT).is_not_null()
    marked = parsed.with_columns(earlier(present, [CENTRE, PRODUCT]).alias("first"))
    return issues_where(
        marked, pl.col("first") < ROW, "DUP_IN_FILE",
        said("DUP_IN_FILE", "approval", centre=pl.col(CENTRE), product=pl.col(PRODUCT),
             row=pl.col("first")),
        field=None, other_row=pl.col("first"),
    )  # fmt: skip
