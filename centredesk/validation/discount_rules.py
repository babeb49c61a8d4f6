"""DISCOUNT_CLASH: a learner on two products that share a DfE discount code.

Products sharing a discount code count once in school performance tables, so a learner
active on two of them gets a warning (both registrations are still allowed), whether the
two are in the file or one is already in the store. Discount codes are opaque, compared
trimmed and upper-cased.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.comparing import (
    CENTRE,
    EVERY_ROW,
    KEY,
    PRODUCT,
    ULN,
    disagreeing,
    first_per_row,
    hashed,
)
from centredesk.validation.identity import LEARNER_IDENTITY, identity_hash
from centredesk.validation.messages import said

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference


def discount_clashes(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    """DISCOUNT_CLASH within the file and against active registrations in the store."""
    products = reference.get("products")
    if products is None:
        return []  # the catalogue check's note already says DISCOUNT_CLASH was skipped
    codes = products.select(
        PRODUCT, pl.col("discount_code").str.strip_chars().str.to_uppercase().alias("discount")
    ).filter(pl.col("discount").is_not_null() & (pl.col("discount") != ""))
    # Rows on a product with a discount code: the inner join keeps exactly those.
    coded = (
        work.filter("eligible")
        .select("row", CENTRE, PRODUCT, ULN, KEY, "eligible")
        .join(codes, on=PRODUCT, how="inner")
        .with_columns(identity_hash().alias("identity_hash"))
    )
    in_file = _in_file(coded)
    registrations = reference.get("registrations")
    if registrations is None:
        return [in_file]
    return [first_per_row(in_file, _against_store(coded, registrations, codes))]


def _in_file(coded: pl.DataFrame) -> pl.DataFrame:
    # Only learners (by hash) holding two products of one discount code can clash: the
    # text identity is built for those few rows only.
    split = (
        coded.filter(hashed("identity_hash", "discount").is_duplicated())
        .group_by("identity_hash", "discount")
        .agg(pl.col(PRODUCT).n_unique().alias("products"))
        .filter(pl.col("products") > 1)
    )
    clashing = coded.join(split, on=["identity_hash", "discount"], how="semi").with_columns(
        LEARNER_IDENTITY.alias("identity")
    )
    among = pl.col("eligible") & pl.col("discount").is_not_null()
    marked = disagreeing(clashing, PRODUCT, ["identity", "discount"], among)
    return issues_where(
        marked, pl.col("other").is_not_null(), "DISCOUNT_CLASH",
        said("DISCOUNT_CLASH", "in_file", product=pl.col(PRODUCT), code=pl.col("discount"),
             row=pl.col("other")),
        field=PRODUCT,
    )  # fmt: skip


def _against_store(
    coded: pl.DataFrame, registrations: pl.DataFrame, codes: pl.DataFrame
) -> pl.DataFrame:
    active = (
        registrations.filter(pl.col("status") == "active")
        .join(codes, on=PRODUCT, how="inner")
        .with_columns(identity_hash().alias("identity_hash"))
    )
    # Registrations and rows of learners (by hash) found on both sides, then compared by
    # their text identity.
    coded = coded.join(active.select("identity_hash"), on="identity_hash", how="semi")
    active = (
        active.join(coded.select("identity_hash"), on="identity_hash", how="semi")
        .select(LEARNER_IDENTITY.alias("identity"), "discount",
                pl.col(PRODUCT).alias("stored_product"))
        .unique(["identity", "discount", "stored_product"])
    )  # fmt: skip
    joined = (
        coded.with_columns(LEARNER_IDENTITY.alias("identity"))
        .join(active, on=["identity", "discount"], how="inner")
        .filter(pl.col("stored_product") != pl.col(PRODUCT))
        .unique("row", keep="first")
    )
    return issues_where(
        joined, EVERY_ROW, "DISCOUNT_CLASH",
        said("DISCOUNT_CLASH", "in_store", product=pl.col(PRODUCT), code=pl.col("discount"),
             other=pl.col("stored_product")),
        field=PRODUCT,
    )  # fmt: skip
