"""Rows against what the store knows: its product catalogue, centres and approvals.

Each check applies only once the store holds the data it compares with; until then one note
per file says which checks were skipped, so an empty store is never mistaken for a clean file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.comparing import CENTRE, EVERY_ROW, PRODUCT
from centredesk.validation.messages import said
from centredesk.validation.parsing import uk_date

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference


def skipped(what: str, codes: list[str]) -> str:
    """The once-per-file note that a rule was skipped because the store lacks its data."""
    listed = ", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0]
    verb = "were" if len(codes) > 1 else "was"
    return f"the store holds no {what} yet, so {listed} {verb} not checked"


@dataclass
class _Found:
    issues: list[pl.DataFrame]
    notes: list[str]


def against_catalogue(
    frame: pl.DataFrame,
    reference: Reference,
    *,
    centres: bool = True,
    approvals: bool = False,
    closing: bool = False,
    also_needs_catalogue: tuple[str, ...] = (),
) -> tuple[list[pl.DataFrame], list[str]]:
    """PRODUCT_UNKNOWN and, as asked, CENTRE_UNKNOWN, PRODUCT_NOT_APPROVED, PRODUCT_CLOSED.

    ``also_needs_catalogue`` names the caller's own rules that an empty catalogue skips, so
    the note lists them too.
    """
    found = _Found([], [])
    products = reference.get("products")
    if products is None:
        codes = ["PRODUCT_UNKNOWN", *(["PRODUCT_CLOSED"] * closing), *also_needs_catalogue]
        found.notes.append(skipped("product catalogue", codes))
        known_product = EVERY_ROW
    else:
        known_product = pl.col(PRODUCT).is_in(products.get_column(PRODUCT).implode())
        found.issues.append(
            issues_where(frame, pl.col(PRODUCT).is_not_null() & ~known_product,
                         "PRODUCT_UNKNOWN", said("PRODUCT_UNKNOWN", product=pl.col(PRODUCT)),
                         field=PRODUCT)
        )  # fmt: skip
        if closing:
            found.issues.append(_closed(frame, products))
    if centres:
        _centres_and_approvals(frame, reference, known_product, approvals, found)
    return found.issues, found.notes


def _closed(frame: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """PRODUCT_CLOSED: registered after the product's operational end date."""
    ends = products.select(PRODUCT, "operational_end_date")
    closed = frame.join(ends, on=PRODUCT, how="left")
    return issues_where(
        closed,
        pl.col("registration_date") > pl.col("operational_end_date"),
        "PRODUCT_CLOSED",
        said("PRODUCT_CLOSED", product=pl.col(PRODUCT),
             date=uk_date(pl.col("operational_end_date"))),
        field=PRODUCT,
    )  # fmt: skip


def _centres_and_approvals(
    frame: pl.DataFrame,
    reference: Reference,
    known_product: pl.Expr,
    approvals: bool,
    found: _Found,
) -> None:
    """CENTRE_UNKNOWN and, when asked, PRODUCT_NOT_APPROVED (for known centres and products)."""
    stored_centres = reference.get("centres")
    if stored_centres is None:
        codes = ["CENTRE_UNKNOWN"] + ["PRODUCT_NOT_APPROVED"] * approvals
        found.notes.append(skipped("centres", codes))
        return
    known_centre = pl.col(CENTRE).is_in(stored_centres.get_column(CENTRE).implode())
    found.issues.append(
        issues_where(frame, pl.col(CENTRE).is_not_null() & ~known_centre, "CENTRE_UNKNOWN",
                     said("CENTRE_UNKNOWN", centre=pl.col(CENTRE)), field=CENTRE)
    )  # fmt: skip
    if not approvals:
        return
    approved = reference.get("approvals")
    if approved is None:
        found.notes.append(skipped("approvals", ["PRODUCT_NOT_APPROVED"]))
        return
    if reference.get("products") is None:
        return
    pairs = approved.select(CENTRE, PRODUCT).unique().with_columns(approved=pl.lit(True))
    checked = frame.join(pairs, on=[CENTRE, PRODUCT], how="left")
    found.issues.append(
        issues_where(
            checked,
            known_centre & known_product & pl.col(PRODUCT).is_not_null()
            & pl.col("approved").is_null(),
            "PRODUCT_NOT_APPROVED",
            said("PRODUCT_NOT_APPROVED", centre=pl.col(CENTRE), product=pl.col(PRODUCT)),
            field=PRODUCT,
        )
    )  # fmt: skip
