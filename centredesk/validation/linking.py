"""Bookings and results: find the stored registration each row belongs to, then check it.

A row names its learner by AO learner number or, failing that, by ULN within the centre, and
names the product. The registration is looked up in the store's registrations frame with
joins (no loop over rows), and the row's ``registration_id`` (and, for bookings, its attempt
number) goes into the parsed frame so the store writer only inserts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.comparing import Outcome
from centredesk.validation.fields import GRADING_SCHEMES, UNGRADED
from centredesk.validation.identity import REAL_ULN
from centredesk.validation.messages import said
from centredesk.validation.parsing import uk_date
from centredesk.validation.reference_checks import against_catalogue

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference

_CENTRE, _PRODUCT, _ULN, _NUMBER = "centre_number", "product_code", "uln", "learner_number"
_NOT_COUNTED = ["Cancelled", "Transferred"]
"""Booking statuses that do not use up an attempt."""
_LOOKUP = {
    "registration_id": pl.Int64(),
    "status": pl.String(),
    "learner_number": pl.Int64(),
    "uln": pl.String(),
    "product_code": pl.String(),
    "centre_number": pl.String(),
}


def _registrations(reference: Reference) -> pl.DataFrame:
    found = reference.get("registrations")
    if found is None:
        return pl.DataFrame(schema=_LOOKUP)
    return found.select(*(pl.col(name).cast(dtype) for name, dtype in _LOOKUP.items()))


def _resolve(frame: pl.DataFrame, reference: Reference, wanted: pl.Expr) -> pl.DataFrame:
    """Add ``chosen_id`` (the registration ``wanted`` picks) and ``latest_status``.

    Rows with a learner number look it up by number; the others by real ULN. Both within
    the row's centre and on the row's product.
    """
    registrations = _registrations(reference)
    summary = [
        pl.col("registration_id").filter(wanted).max().alias("chosen_id"),
        pl.col("status").sort_by("registration_id").last().alias("latest_status"),
    ]
    by_number = registrations.group_by(_NUMBER, _PRODUCT, _CENTRE).agg(summary)
    by_uln = registrations.filter(REAL_ULN).group_by(_ULN, _PRODUCT, _CENTRE).agg(summary)
    with_number = frame.join(by_number, on=[_NUMBER, _PRODUCT, _CENTRE], how="left")
    with_uln = frame.join(by_uln, on=[_ULN, _PRODUCT, _CENTRE], how="left").select(
        "row", pl.col("chosen_id").alias("uln_id"), pl.col("latest_status").alias("uln_status")
    )
    use_number = pl.col(_NUMBER).is_not_null()
    return with_number.join(with_uln, on="row", how="left").with_columns(
        pl.when(use_number).then("chosen_id").otherwise("uln_id").alias("chosen_id"),
        pl.when(use_number).then("latest_status").otherwise("uln_status").alias("latest_status"),
        pl.when(use_number)
        .then(pl.format("learner {}", pl.col(_NUMBER)))
        .otherwise(pl.format("ULN {}", pl.col(_ULN)))
        .alias("learner"),
    )


def _identified(ok: pl.Expr) -> pl.Expr:
    return (
        ok
        & pl.col(_PRODUCT).is_not_null()
        & pl.col(_CENTRE).is_not_null()
        & (pl.col(_NUMBER).is_not_null() | REAL_ULN)
    )


def bookings(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference) -> Outcome:
    """Attach each booking to an active registration, then check product and attempts."""
    issues, notes = against_catalogue(
        parsed, reference, also_needs_catalogue=("BOOKING_NO_EXTERNAL",)
    )
    found = _resolve(parsed, reference, pl.col("status") == "active")
    ready = _identified(ok)
    issues.append(
        issues_where(found, ready & pl.col("latest_status").is_null(),
                     "BOOKING_REGISTRATION_MISSING",
                     said("BOOKING_REGISTRATION_MISSING", learner=pl.col("learner"),
                          product=pl.col(_PRODUCT), centre=pl.col(_CENTRE)),
                     field=_PRODUCT)
    )  # fmt: skip
    issues.append(
        issues_where(found, ready & pl.col("latest_status").is_not_null()
                     & pl.col("chosen_id").is_null(),
                     "BOOKING_REGISTRATION_INACTIVE",
                     said("BOOKING_REGISTRATION_INACTIVE", learner=pl.col("learner"),
                          product=pl.col(_PRODUCT), status=pl.col("latest_status")),
                     field=_PRODUCT)
    )  # fmt: skip
    products = reference.get("products")
    if products is None:
        found = found.with_columns(pl.lit(None, pl.Boolean).alias("external"),
                                   pl.lit(None, pl.String).alias("product_mode"))  # fmt: skip
    else:
        found = found.join(
            products.select(
                _PRODUCT,
                pl.col("external_assessment").alias("external"),
                pl.col("assessment_mode").alias("product_mode"),
            ),
            on=_PRODUCT,
            how="left",
        )
    issues.append(
        issues_where(found, ready & (pl.col("external") == False),  # noqa: E712
                     "BOOKING_NO_EXTERNAL",
                     said("BOOKING_NO_EXTERNAL", product=pl.col(_PRODUCT)),
                     field=_PRODUCT)
    )  # fmt: skip
    found = found.with_columns(
        pl.when(ready).then("chosen_id").alias("registration_id"),
        pl.coalesce("assessment_mode", "product_mode").alias("assessment_mode"),
    )
    found, attempt_issues = _attempts(found, reference)
    issues += attempt_issues
    columns = [*parsed.columns, "registration_id", "attempt"]
    return found.sort("row").select(columns), issues, notes


_SITTING = ["registration_id", "assessment"]


def _sittings(mine: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Every sitting that counts as an attempt: the file's rows ("at" their row) and the
    store's bookings ("at" 0, before any row), with their session date ("other_date")."""
    sittings = [
        mine.filter("counts").select(
            *_SITTING, pl.col("row").alias("at"), pl.col("session_date").alias("other_date")
        )
    ]
    stored = reference.get("bookings")
    if stored is not None:
        sittings.append(
            stored.filter(~pl.col("status").is_in(_NOT_COUNTED)).select(
                pl.col("registration_id").cast(pl.Int64),
                pl.col("assessment").cast(pl.String),
                pl.lit(0, pl.Int64).alias("at"),
                pl.col("session_date").cast(pl.Date).alias("other_date"),
            )
        )
    return pl.concat(sittings, how="vertical")


def _attempts(found: pl.DataFrame, reference: Reference) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Number each booking's attempt and find repeats of the same sitting.

    Earlier sittings are the store's bookings and the file's earlier rows on the same
    registration and assessment; cancelled and transferred ones do not count.
    """
    keys = _SITTING
    counts = ~pl.col("booking_status").is_in(_NOT_COUNTED)
    mine = found.filter(pl.col("registration_id").is_not_null()).select(
        "row", *keys, "session_date", counts.alias("counts")
    )
    sittings = _sittings(mine, reference)
    compared = (
        mine.join(sittings, on=keys, how="inner")
        .filter(pl.col("at") < pl.col("row"))
        .group_by("row")
        .agg(
            (pl.col("other_date") == pl.col("session_date")).any().alias("repeat"),
            pl.col("other_date")
            .filter(pl.col("other_date") != pl.col("session_date"))
            .n_unique()
            .alias("earlier"),
            pl.col("at").filter(pl.col("other_date") == pl.col("session_date")).max()
            .alias("repeat_of"),
        )
    )  # fmt: skip
    numbered = (
        found.join(mine.select("row", "counts"), on="row", how="left")
        .join(compared, on="row", how="left")
        .with_columns(
            pl.when(pl.col("registration_id").is_not_null())
            .then(1 + pl.col("earlier").fill_null(0))
            .cast(pl.Int64)
            .alias("attempt")
        )
    )
    repeat = pl.col("repeat").fill_null(False) & pl.col("counts").fill_null(False)
    sitting = {"assessment": pl.col("assessment"), "date": uk_date(pl.col("session_date"))}
    duplicate = (
        pl.when(pl.col("repeat_of") == 0)
        .then(said("BOOKING_DUPLICATE", "in_store", **sitting))
        .otherwise(said("BOOKING_DUPLICATE", "in_file", row=pl.col("repeat_of"), **sitting))
    )
    issues = [
        issues_where(numbered, repeat, "BOOKING_DUPLICATE", duplicate,
                     field="assessment",
                     other_row=pl.when(pl.col("repeat_of") > 0).then(pl.col("repeat_of"))),
        issues_where(numbered, ~repeat & (pl.col("attempt") > 2), "BOOKING_ATTEMPTS",
                     said("BOOKING_ATTEMPTS", attempt=pl.col("attempt"),
                          assessment=pl.col("assessment")),
                     field="assessment"),
    ]  # fmt: skip
    return numbered, issues


def results(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference) -> Outcome:
    """Attach each result to the learner's latest live registration; check the grade."""
    issues, notes = against_catalogue(
        parsed, reference, also_needs_catalogue=("RESULT_GRADE against the product's scheme",)
    )
    found = _resolve(parsed, reference, pl.col("status") != "cancelled")
    ready = _identified(ok)
    issues.append(
        issues_where(found, ready & pl.col("chosen_id").is_null(),
                     "RESULT_REGISTRATION_MISSING",
                     said("RESULT_REGISTRATION_MISSING", learner=pl.col("learner"),
                          product=pl.col(_PRODUCT), centre=pl.col(_CENTRE)),
                     field=_PRODUCT)
    )  # fmt: skip
    products = reference.get("products")
    if products is not None:
        schemes = pl.DataFrame(
            {
                "grading_scheme": list(GRADING_SCHEMES),
                "allowed": [[*grades, UNGRADED] for grades in GRADING_SCHEMES.values()],
            }
        )
        graded = found.join(
            products.select(_PRODUCT, "grading_scheme"), on=_PRODUCT, how="left"
        ).join(schemes, on="grading_scheme", how="left")
        off_scheme = (
            pl.col("grade").is_not_null() & pl.col("allowed").is_not_null()
            & ~pl.col("allowed").list.contains(pl.col("grade"))
        )  # fmt: skip
        issues.append(
            issues_where(
                graded,
                off_scheme,
                "RESULT_GRADE",
                said("RESULT_GRADE", "scheme", grade=pl.col("grade"), product=pl.col(_PRODUCT),
                     scheme=pl.col("grading_scheme")),
                field="grade",
            )
        )  # fmt: skip
        found = found.join(
            graded.select("row", off_scheme.fill_null(False).alias("off_scheme")), on="row"
        )
    else:
        found = found.with_columns(pl.lit(False).alias("off_scheme"))
    found = found.with_columns(pl.when(ready).then("chosen_id").alias("registration_id"))
    # A row rejected for its grade is not loaded, so it cannot make a later row a repeat.
    issues.extend(_repeated_results(found.filter(ready & ~pl.col("off_scheme")), reference))
    return found.sort("row").select(*parsed.columns, "registration_id"), issues, notes


_RESULT_KEY = ["registration_id", "component"]
_RESULT_VALUES = ["grade", "result_date", "release_date"]


def _repeated_results(found: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    """RESULT_DUPLICATE and RESULT_CORRECTION: one result per registration and component.

    A row repeating an earlier row's key is a duplicate (whatever its values); the first row
    of a key is a duplicate of a stored result with the same values, and a correction of one
    with other values.
    """
    keyed = found.filter(
        pl.col("registration_id").is_not_null() & pl.col("component").is_not_null()
    )
    first = keyed.group_by(_RESULT_KEY).agg(
        pl.col("row").min().alias("first_row"),
        *(pl.col(name).sort_by("row").first().alias(f"first_{name}") for name in _RESULT_VALUES),
    )
    rows = keyed.join(first, on=_RESULT_KEY, how="left")
    same_as_first = pl.all_horizontal(
        pl.col(name).eq_missing(pl.col(f"first_{name}")) for name in _RESULT_VALUES
    )
    issues = [
        issues_where(rows, pl.col("row") != pl.col("first_row"), "RESULT_DUPLICATE",
                     pl.when(same_as_first)
                     .then(said("RESULT_DUPLICATE", "in_file", component=pl.col("component"),
                                row=pl.col("first_row")))
                     .otherwise(said("RESULT_DUPLICATE", "in_file_other",
                                     row=pl.col("first_row"), component=pl.col("component"),
                                     grade=pl.col("first_grade"))),
                     field="component", other_row=pl.col("first_row")),
    ]  # fmt: skip
    stored = reference.get("results")
    if stored is None:
        return issues
    stored = stored.select(
        pl.col("registration_id").cast(pl.Int64),
        pl.col("component").cast(pl.String),
        pl.col("grade").cast(pl.String).alias("stored_grade"),
        pl.col("result_date").cast(pl.Date).alias("stored_result_date"),
        pl.col("release_date").cast(pl.Date).alias("stored_release_date"),
    ).unique(_RESULT_KEY, keep="last")
    compared = rows.filter(pl.col("row") == pl.col("first_row")).join(
        stored, on=_RESULT_KEY, how="inner"
    )
    unchanged = pl.all_horizontal(
        pl.col(name).eq_missing(pl.col(f"stored_{name}")) for name in _RESULT_VALUES
    )
    issues += [
        issues_where(compared, unchanged, "RESULT_DUPLICATE",
                     said("RESULT_DUPLICATE", "in_store", component=pl.col("component"),
                          grade=pl.col("stored_grade"),
                          date=uk_date(pl.col("stored_result_date"))),
                     field="component"),
        issues_where(compared, ~unchanged, "RESULT_CORRECTION",
                     said("RESULT_CORRECTION", component=pl.col("component"),
                          grade=pl.col("grade"), date=uk_date(pl.col("result_date")),
                          old_grade=pl.col("stored_grade"),
                          old_date=uk_date(pl.col("stored_result_date"))),
                     field="grade"),
    ]  # fmt: skip
    return issues
