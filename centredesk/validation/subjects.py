"""What record each row of an upload is about, so a later import can close its issues.

A rejected row stays open until the record it is about is loaded (by a later import, from
a corrected file or from another one) or is rejected again by a later import (then the later
rejection is the one that counts). Rows are about the same record when they share a
subject: for a registration upload the centre, the product and the learner, known by ULN or
by folded name and date of birth (``subject_alt``), so a row whose ULN was mistyped is still
closed by the row that corrects it; for bookings the registration, assessment and session;
for results the registration and component; for the catalogue the product; for approvals the
centre and product. A subject is null where the row's values could not be read.
"""

from __future__ import annotations

import polars as pl

from centredesk.validation.fields import Kind
from centredesk.validation.identity import REAL_ULN

_C = pl.col


def _text(*parts: pl.Expr | str) -> pl.Expr:
    # pl.format gives null when any part is null: a row that could not be read has none.
    return pl.format("|".join("{}" for _ in parts), *parts)


_SUBJECTS: dict[str, tuple[pl.Expr, pl.Expr | None]] = {
    "learners": (
        pl.when(REAL_ULN).then(
            _text(pl.lit("learners"), _C("centre_number"), _C("product_code"), _C("uln"))
        ),
        _text(pl.lit("learners"), _C("centre_number"), _C("product_code"), _C("person_key")),
    ),
    "bookings": (
        _text(
            pl.lit("bookings"),
            _C("registration_id"),
            _C("assessment").str.to_lowercase(),
            _C("session_date"),
        ),
        None,
    ),
    "results": (
        _text(pl.lit("results"), _C("registration_id"), _C("component").str.to_lowercase()),
        None,
    ),
    "products": (_text(pl.lit("products"), _C("product_code")), None),
    "approvals": (_text(pl.lit("approvals"), _C("centre_number"), _C("product_code")), None),
}

SUBJECT_COLUMNS = ("subject", "subject_alt")


def with_subjects(kind: Kind, parsed: pl.DataFrame) -> pl.DataFrame:
    """``parsed`` plus ``subject`` and ``subject_alt`` (text, null where unknown)."""
    subject, alternative = _SUBJECTS[kind]
    return parsed.with_columns(
        subject.alias("subject"),
        (alternative if alternative is not None else pl.lit(None, pl.String)).alias("subject_alt"),
    )
