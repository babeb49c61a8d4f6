"""A small store for the export tests, loaded through the real import writer.

Two centres, three products, seven registrations, four bookings and six results, chosen so
that every export filter has rows to keep and rows to drop. Some stored values look like
formulas (reasonable adjustments such as ``+25% extra time``), as real data does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import polars as pl
from store_fixtures import record_rows

from centredesk.store import Location, Store, open_store

TODAY = date(2026, 9, 1)
"""The day the tests export on: some results are released by then, some are not."""

HEALTH, FOOD, CHILDCARE = "603/0862/X", "500/5959/2", "601/7180/7"
RIVERSIDE, HILLTOP = "123456", "654321"
SESSION = date(2027, 5, 12)
FORMULA_ADJUSTMENT = '=HYPERLINK("http://example.com","x")'

PRODUCTS = pl.DataFrame(
    {
        "product_code": [HEALTH, FOOD, CHILDCARE],
        "title": [
            "Level 2 Technical Award in Health and Fitness",
            "Level 1 Award in Food Safety & Hygiene",
            "Level 3 Diploma in Childcare",
        ],
        "level": ["1/2", "1", "3"],
        "sector": [
            "Health, Public Services and Care",
            "Retail and Commercial Enterprise",
            "Health, Public Services and Care",
        ],
        "discount_code": ["FK2B", "KA1", "0123"],
        "external_assessment": [True, True, False],
        "assessment_mode": ["paper-based", "on-screen", None],
        "operational_end_date": [date(2028, 8, 31), date(2027, 12, 31), None],
        "grading_scheme": ["graded", "pass-fail", "graded"],
        "registration_fee": [Decimal("45.00"), Decimal("20.50"), None],
    },
    schema_overrides={"registration_fee": pl.Decimal(8, 2)},
)

APPROVALS = pl.DataFrame(
    {
        "centre_number": [RIVERSIDE, RIVERSIDE, HILLTOP, HILLTOP],
        "centre_name": ["Riverside Academy"] * 2 + ["Hilltop College"] * 2,
        "product_code": [HEALTH, FOOD, FOOD, CHILDCARE],
        "approved_on": [date(2025, 9, 1), date(2025, 10, 1), date(2024, 1, 15), None],
    }
)

# One row per registration; registration_id follows the row order (1..7).
LEARNERS = pl.DataFrame(
    {
        "centre_number": [RIVERSIDE] * 4 + [HILLTOP] * 2 + [RIVERSIDE],
        "product_code": [HEALTH, HEALTH, FOOD, FOOD, CHILDCARE, FOOD, HEALTH],
        "forename": ["Siobhán", "Tom", "Siobhán", "Łukasz", "Amy", "Ben", "Ava"],
        "surname": ["O'Brien", "Smith-Jones", "O'Brien", "Nowak", "Smith", "Smithers", "Adams"],
        "date_of_birth": [
            date(2010, 4, 3),
            date(2009, 11, 20),
            date(2010, 4, 3),
            date(2010, 1, 15),
            date(2008, 6, 1),
            date(2008, 2, 2),
            date(2010, 7, 7),
        ],
        "uln": ["1000000043", None, "1000000043", "9276308686", None, None, None],
        "learner_reference": ["-2", "STU 2", "-2", "STU 4", "A5", "A6", "STU 7"],
        "reasonable_adjustments": [
            "+25% extra time",
            "@reader",
            "+25% extra time",
            None,
            None,
            None,
            FORMULA_ADJUSTMENT,
        ],
        "batch_number": [1001, 1001, 1002, 1002, 1003, 1003, 1001],
        "registration_date": [date(2025, 9, 15)] * 7,
    }
)

BOOKINGS = pl.DataFrame(
    {
        "registration_id": [1, 2, 3, 4, 7],
        "assessment": ["EA01"] * 5,
        "session_date": [SESSION, SESSION, SESSION, date(2027, 6, 1), SESSION],
        # None: the product's own mode applies (Health is paper-based).
        "assessment_mode": [None, None, "on-screen", "on-screen", "paper-based"],
        "booking_status": ["Active", "Cancelled", "Active", "Pending Result", "Active"],
        "attempt": [1, 1, 1, 1, 1],
    }
)

RESULTS = pl.DataFrame(
    {
        "registration_id": [1, 3, 4, 5, 6, 7],
        "component": ["EA01", "EA01", "EA01", "U1", "EA01", "EA01"],
        "grade": ["Merit", "Pass", "Fail", "Distinction", "Pass", "Distinction*"],
        "result_date": [date(2026, 7, 20)] * 4 + [date(2026, 6, 1), date(2026, 7, 20)],
        # Released by TODAY: 1, 3 (no release date), 5, 6 (on the day); withheld: 4 and 7.
        "release_date": [
            date(2026, 8, 14),
            None,
            date(2026, 10, 1),
            None,
            TODAY,
            date(2026, 12, 1),
        ],
    }
)
RELEASED, WITHHELD = 4, 2


def _load(store: Store, kind: str, accepted: pl.DataFrame) -> None:
    accepted = accepted.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int32))
    record_rows(
        store,
        kind,
        accepted,
        file_name=f"{kind}.xlsx",
        sha256=f"sha-{kind}",
        when=datetime(2026, 9, 1, 9, 0),
    )


def build_store(path: Location) -> Location:
    """Create the export test store at ``path`` and return the path."""
    with open_store(path) as store:
        _load(store, "products", PRODUCTS)
        _load(store, "approvals", APPROVALS)
        _load(store, "learners", LEARNERS)
        _load(store, "bookings", BOOKINGS.with_columns(pl.col("attempt").cast(pl.Int32)))
        _load(store, "results", RESULTS)
    return path
