"""The rules that compare rows with each other and with the store, by kind of upload.

Each rule is a window expression or a join over whole frames (no loop over rows), so a
million-row file checked against a million stored registrations takes seconds. A rule only
looks at rows whose own fields are sound (``ok``): a row already rejected for its own cells
is not compared with others, so one typo does not cascade into several issues. The rules
themselves live by concern: :mod:`duplicates`, :mod:`identity_rules`, :mod:`discount_rules`,
:mod:`reference_checks`; bookings and results in :mod:`linking`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation import duplicates
from centredesk.validation.comparing import CENTRE, KEY, PRODUCT, Outcome, key_hashes
from centredesk.validation.discount_rules import discount_clashes
from centredesk.validation.identity import REAL_ULN, with_person_key
from centredesk.validation.identity_rules import suspected_duplicates, uln_conflicts
from centredesk.validation.reference_checks import against_catalogue

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference


def learners(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference, today: date) -> Outcome:
    """Registration uploads: duplicates, ULN conflicts, discount clashes and the catalogue."""
    parsed = with_person_key(parsed).with_columns(
        pl.col("registration_date").fill_null(pl.lit(today))
    )
    eligible = ok & pl.all_horizontal(pl.col(CENTRE, PRODUCT, KEY).is_not_null())
    work = parsed.with_columns(eligible.alias("eligible"), REAL_ULN.alias("has_uln"))
    work = work.with_columns(key_hashes())
    # The rules are independent and polars releases the GIL: threads overlap them.
    with ThreadPoolExecutor(max_workers=4) as pool:
        listed = pool.submit(
            against_catalogue, work, reference, approvals=True, closing=True,
            also_needs_catalogue=("DISCOUNT_CLASH",),
        )  # fmt: skip
        others = [
            pool.submit(duplicates.learners_in_file, work),
            pool.submit(uln_conflicts, work, reference),
            pool.submit(suspected_duplicates, work, reference),
            pool.submit(discount_clashes, work, reference),
            pool.submit(duplicates.learners_in_store, work, reference),
        ]
    issues, notes = listed.result()
    for found in others:
        issues += found.result()
    return parsed, issues, notes


def products(parsed: pl.DataFrame, ok: pl.Expr) -> Outcome:
    """A catalogue upload: one product code once per file (the store upserts by code)."""
    return parsed, [duplicates.products_in_file(parsed)], []


def approvals(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference) -> Outcome:
    """An approvals upload: each centre and product once per file; products must exist."""
    # Approvals create centres, so an unknown centre is expected here.
    found, notes = against_catalogue(parsed, reference, centres=False)
    return parsed, [duplicates.approvals_in_file(parsed), *found], notes
