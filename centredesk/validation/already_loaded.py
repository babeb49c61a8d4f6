"""Rows the store holds already: a file imported again, or the fix list of an import.

When a data manager fixes the rejected rows of an upload and imports the fix list (or the
corrected file) again, the rows loaded the first time come back too. They are not
duplicates to reject but records already there: each such row is recognised, reported and
skipped, so only the rows that were rejected and are now clean are loaded.

A row is already there when the store holds a record it repeats exactly, as far as the row
says: for a registration, a live (not cancelled) registration of the same learner (the
same ULN, name and date of birth) on the same product at the same centre, with the same
batch, registration date and learner reference wherever the row gives them; for a booking,
a standing booking of the same registration on the same assessment and session date (and
status, when given); for a result, the same registration, component, grade and date. A row
that differs in any of those stays what it was: a duplicate, reported as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.fields import Kind

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference

_DUPLICATE = {
    "learners": "DUP_IN_STORE",
    "bookings": "BOOKING_DUPLICATE",
    "results": "RESULT_DUPLICATE",
}
"""The error a row already there would otherwise get."""
_NOT_STANDING = ["Cancelled", "Transferred"]
FOUND_SCHEMA = {"row": pl.Int64, "import_id": pl.Int64}


@dataclass(frozen=True)
class Origin:
    """Where the rows being checked come from."""

    file_name: str
    """The file's base name, compared with the names of earlier imports."""
    fix_list: bool = False
    """True for a fix list centredesk wrote: its rows are the earlier imports' own rows."""

    def admits(self) -> pl.Expr:
        """Whether a stored record (``import_file``: the name of the file that loaded it)
        is one this file repeats rather than duplicates."""
        if self.fix_list:
            return pl.lit(True)
        return pl.col("import_file").eq_missing(pl.lit(self.file_name))


def no_rows() -> pl.DataFrame:
    return pl.DataFrame(schema=FOUND_SCHEMA)


def recognise(
    kind: Kind,
    parsed: pl.DataFrame,
    cells: pl.DataFrame,
    issues: pl.DataFrame,
    reference: Reference,
    origin: Origin | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``issues`` without the duplicate errors of rows already there, and those rows
    (``row``, and the ``import_id`` that loaded the record, null if none is known).

    ``origin`` None admits a record loaded by any import (a rejected row fixed in place
    belongs to an import already); otherwise only the records the file can repeat count.

    ``cells`` is the canonical text of each row (``row`` + one column per field): a field
    left empty is not compared.
    """
    if kind not in ("learners", "bookings", "results"):
        return issues, no_rows()
    errors = issues.filter(pl.col("severity") == "error")
    duplicate = _DUPLICATE.get(kind)
    if duplicate is None:
        candidates = parsed.filter(~pl.col("row").is_in(errors.get_column("row").implode()))
    else:
        only_duplicate = errors.group_by("row").agg(
            (pl.col("code") == duplicate).all().alias("only")
        )
        rows = only_duplicate.filter("only").get_column("row")
        candidates = parsed.filter(pl.col("row").is_in(rows.implode()))
    if candidates.height == 0:
        return issues, no_rows()
    given = cells.select(
        "row",
        *(
            (pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != "")).alias(
                f"{name}:given"
            )
            for name in cells.columns
            if name != "row"
        ),
    )
    candidates = candidates.join(given, on="row", how="left")
    if kind == "learners":
        found = _registrations(candidates, reference)
    elif kind == "bookings":
        found = _bookings(candidates, reference)
    else:
        found = _results(candidates, reference)
    if origin is not None and found.height:
        found = found.filter(origin.admits())
    found = (
        found.unique("row", keep="first")
        .sort("row")
        .select(*(pl.col(name).cast(dtype) for name, dtype in FOUND_SCHEMA.items()))
    )
    if duplicate is not None and found.height:
        issues = issues.filter(
            ~(
                pl.col("row").is_in(found.get_column("row").implode())
                & (pl.col("code") == duplicate)
            )
        )
    return issues, found


def _unless_empty(name: str, stored: str | None = None) -> pl.Expr:
    """The row's ``name`` equals the stored one, or the row left it empty."""
    other = pl.col(stored or f"{name}:stored")
    same = pl.col(name).cast(pl.String).eq_missing(other.cast(pl.String))
    return ~pl.col(f"{name}:given").fill_null(False) | same


def _registrations(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    stored = reference.get("registrations")
    if stored is None or "person_key" not in rows.columns:
        return no_rows()
    compared = [name for name in _COMPARED if name in stored.columns]
    live = stored.filter(pl.col("status") != "cancelled").select(
        "centre_number",
        "product_code",
        "person_key",
        pl.col("uln").alias("uln:stored"),
        *(pl.col(name).alias(f"{name}:stored") for name in compared),
        *_import_id(stored),
    )
    joined = rows.join(live, on=["centre_number", "product_code", "person_key"], how="inner")
    return joined.filter(
        pl.col("uln").eq_missing(pl.col("uln:stored")),
        *(_unless_empty(name) for name in compared),
    ).select("row", "import_id", "import_file")


_COMPARED = ("batch_number", "registration_date", "learner_reference")
"""What a registration row must repeat, where it gives it (and the store holds it)."""


def _import_id(stored: pl.DataFrame) -> list[pl.Expr]:
    """The import that loaded a stored record and its file's name, null where the frame
    does not say."""
    return [
        pl.col(name).cast(dtype) if name in stored.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in (("import_id", pl.Int64), ("import_file", pl.String))
    ]


def _bookings(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    stored = reference.get("bookings")
    if stored is None or "registration_id" not in rows.columns:
        return no_rows()
    standing = stored.filter(~pl.col("status").is_in(_NOT_STANDING)).select(
        pl.col("registration_id").cast(pl.Int64),
        pl.col("assessment").cast(pl.String),
        pl.col("session_date").cast(pl.Date),
        pl.col("status").alias("booking_status:stored"),
        *_import_id(stored),
    )
    joined = rows.with_columns(pl.col("registration_id").cast(pl.Int64)).join(
        standing, on=["registration_id", "assessment", "session_date"], how="inner"
    )
    return joined.filter(_unless_empty("booking_status")).select("row", "import_id", "import_file")


def _results(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    stored = reference.get("results")
    if stored is None or "registration_id" not in rows.columns:
        return no_rows()
    keys = ["registration_id", "component", "grade", "result_date"]
    known = stored.select(
        pl.col("registration_id").cast(pl.Int64),
        pl.col("component").cast(pl.String),
        pl.col("grade").cast(pl.String),
        pl.col("result_date").cast(pl.Date),
        *_import_id(stored),
    )
    joined = rows.filter(pl.col("registration_id").is_not_null()).with_columns(
        pl.col("registration_id").cast(pl.Int64)
    )
    return joined.join(known, on=keys, how="inner").select("row", "import_id", "import_file")
