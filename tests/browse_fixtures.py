"""Stores of any size for the browse and app tests, built in one pass.

Small stores come from real imports (``store.imports.record``); large ones (100,000 rows and
up) are generated here as polars frames and bulk-loaded with ``store.tables.append``, so
building them costs well under a second instead of going through spreadsheets.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl
from store_fixtures import record_rows

from centredesk.store import Location, Store, open_store
from centredesk.validation.identity import with_person_key

FORENAMES = ["Amara", "Ben", "Chloé", "Dylan", "Eilidh", "Femi", "Gráinne", "Harry", "Isla", "Jack"]
SURNAMES = [
    "Smith",
    "Jones",
    "O'Brien",
    "Patel",
    "Smith-Jones",
    "Nguyen",
    "Evans",
    "Łukasz",
    "Williams",
    "Taylor",
    "Smythe",
    "Brown",
    "Ní Bhriain",
]
PRODUCTS = [
    ("603/0862/X", "Level 2 Certificate in Digital Skills", "2", "DC01", True, "on-screen"),
    ("500/5959/2", "Level 1 Award in Food Safety", "1", "DC02", True, "paper-based"),
    ("601/1234/5", "Level 3 Diploma in Business", "3", "DC01", False, None),
]


def _pick(values: list[str], index: pl.Expr) -> pl.Expr:
    """``values[index]`` for each row, as one vectorised lookup."""
    return pl.lit(pl.Series(values)).get(index)


def build_store(path: Location, learners: int, *, imports: bool = True) -> Location:
    """A store with ``learners`` learners, one registration each, and a booking and a
    result for every tenth registration; plus two imports with issues and rejected rows."""
    i = pl.int_range(0, learners, eager=True).alias("i").to_frame()
    tenth = i.filter(pl.col("i") % 10 == 0)
    code, title, level, discount, exam, mode = (
        list(column) for column in zip(*PRODUCTS, strict=True)
    )
    with open_store(path) as store, store.transaction():
        append = store.tables.append
        append("centres", pl.DataFrame({"centre_number": ["12345"], "name": ["Northgate College"]}))
        append(
            "products",
            pl.DataFrame(
                {
                    "product_code": code,
                    "title": title,
                    "level": level,
                    "sector": ["ICT"] * 3,
                    "discount_code": discount,
                    "external_assessment": exam,
                    "assessment_mode": mode,
                    "operational_end_date": [date(2030, 7, 31)] * 3,
                    "grading_scheme": ["graded"] * 3,
                    "registration_fee": [30.0] * 3,
                }
            ),
        )
        append(
            "learners",
            with_person_key(
                i.select(
                    (20000001 + pl.col("i")).alias("learner_number"),
                    pl.lit("12345").alias("centre_number"),
                    _pick(FORENAMES, pl.col("i") % len(FORENAMES)).alias("forename"),
                    _pick(SURNAMES, (pl.col("i") // 7) % len(SURNAMES)).alias("surname"),
                    (pl.lit(date(2005, 1, 1)) + pl.duration(days=pl.col("i") % 2000)).alias(
                        "date_of_birth"
                    ),
                    pl.when(pl.col("i") % 5 == 4)
                    .then(None)
                    .otherwise((2000000000 + pl.col("i")).cast(pl.String))
                    .alias("uln"),
                    pl.format("REF{}", pl.col("i")).alias("learner_reference"),
                    pl.lit(1).alias("import_id"),
                )
            ),
        )
        append(
            "registrations",
            i.select(
                (1 + pl.col("i")).alias("registration_id"),
                (20000001 + pl.col("i")).alias("learner_number"),
                _pick([p[0] for p in PRODUCTS], pl.col("i") % 3).alias("product_code"),
                pl.lit("12345").alias("centre_number"),
                (1001 + pl.col("i") // 1000).alias("batch_number"),
                (pl.lit(date(2024, 9, 1)) + pl.duration(days=pl.col("i") % 30)).alias(
                    "registration_date"
                ),
                _pick(
                    ["active", "active", "active", "withdrawn", "cancelled"], pl.col("i") % 5
                ).alias("status"),
                pl.lit(1).alias("import_id"),
                (pl.col("i") + 2).alias("source_row"),
            ),
        )
        append(
            "bookings",
            tenth.select(
                (1 + pl.col("i") // 10).alias("booking_id"),
                (1 + pl.col("i")).alias("registration_id"),
                pl.format("Exam {}", pl.col("i") % 3 + 1).alias("assessment"),
                (pl.lit(date(2025, 6, 1)) + pl.duration(days=pl.col("i") % 20)).alias(
                    "session_date"
                ),
                pl.lit("on-screen").alias("assessment_mode"),
                pl.lit("Active").alias("status"),
                pl.lit(1).alias("attempt"),
            ),
        )
        append(
            "results",
            tenth.select(
                (1 + pl.col("i") // 10).alias("result_id"),
                (1 + pl.col("i")).alias("registration_id"),
                pl.lit("Unit 1").alias("component"),
                _pick(["Pass", "Merit", "Distinction"], pl.col("i") % 3).alias("grade"),
                pl.lit(date(2025, 8, 1)).alias("result_date"),
            ),
        )
        if imports:
            _add_imports(store)
    return path


def _add_imports(store: Store) -> None:
    """Two imports of learner files: the first with rejected rows and their issues."""
    store.tables.append(
        "imports",
        pl.DataFrame(
            {
                "import_id": [1, 2],
                "file_name": ["autumn-learners.xlsx", "products.csv"],
                "sha256": ["aaa", "bbb"],
                "kind": ["learners", "products"],
                "sheet": ["Sheet1", None],
                "rows_read": [5, 3],
                "rows_accepted": [3, 3],
                "rows_rejected": [2, 0],
                "os_user": ["dmanager"] * 2,
                "started_at": [datetime(2025, 9, 10, 9, 0, 0), datetime(2025, 9, 11, 10, 0, 0)],
                "finished_at": [datetime(2025, 9, 10, 9, 0, 5), datetime(2025, 9, 11, 10, 0, 1)],
            }
        ),
    )
    store.tables.append(
        "import_issues",
        pl.DataFrame(
            [
                (
                    1,
                    4,
                    "ULN",
                    "uln",
                    "ULN_CHECKSUM",
                    "error",
                    "ULN 1000000042 fails its check digit",
                    "1000000042",
                ),
                (
                    1,
                    4,
                    "Surname",
                    "surname",
                    "NAME_CASE",
                    "warning",
                    "surname is all capitals",
                    "SMITH",
                ),
                (
                    1,
                    6,
                    "ULN",
                    "uln",
                    "ULN_CHECKSUM",
                    "error",
                    "ULN 1000000063 fails its check digit",
                    "1000000063",
                ),
                (
                    1,
                    6,
                    "Date of Birth",
                    "date_of_birth",
                    "DOB_FUTURE",
                    "error",
                    "date of birth 01/01/2099 is in the future",
                    "2099-01-01",
                ),
            ],
            schema=[
                "import_id",
                "row",
                "column_name",
                "field",
                "code",
                "severity",
                "message",
                "value",
            ],
            orient="row",
        ),
    )
    cells = [
        {
            "Centre Number": "12345",
            "Forename": "Ann",
            "Surname": "SMITH",
            "Date of Birth": "03/04/2010",
            "ULN": "1000000042",
        },
        {
            "Centre Number": "12345",
            "Forename": "Bob",
            "Surname": "Lee",
            "Date of Birth": "01/01/2099",
            "ULN": "1000000063",
        },
    ]
    store.tables.append(
        "rejected_rows",
        pl.DataFrame(
            {
                "import_id": [1, 1],
                "row": [4, 6],
                "cells": [json.dumps(row) for row in cells],
            }
        ),
    )


def import_learners(store: Store, people: list[tuple[str, str, str, str | None]]) -> int:
    """Load ``(forename, surname, ISO date of birth, ULN)`` rows as one learners import,
    through the store's own import writer, all on product 603/0862/X in batch 2001."""
    accepted = pl.DataFrame(
        {
            "centre_number": ["12345"] * len(people),
            "product_code": ["603/0862/X"] * len(people),
            "forename": [person[0] for person in people],
            "surname": [person[1] for person in people],
            "date_of_birth": [date.fromisoformat(person[2]) for person in people],
            "uln": [person[3] for person in people],
            "learner_reference": [None] * len(people),
            "reasonable_adjustments": [None] * len(people),
            "batch_number": [2001] * len(people),
            "registration_date": [date(2025, 9, 1)] * len(people),
        },
        schema_overrides={
            "uln": pl.String,
            "learner_reference": pl.String,
            "reasonable_adjustments": pl.String,
        },
    )
    return record_rows(
        store,
        "learners",
        accepted,
        file_name="spring.xlsx",
        sha256="ccc",
        when=datetime(2025, 9, 12, 8, 30),
    )


def add_learner_history(store: Store, uln: str) -> int:
    """Give the learner with ``uln`` a booking, a released result, a result withheld until
    2099 and two changes in the history (a surname edited, a registration withdrawn); their
    learner number."""
    learner = store.tables.read("learners").filter(pl.col("uln") == uln)["learner_number"][0]
    registrations = store.tables.read("registrations")
    registration = registrations.filter(pl.col("learner_number") == learner)["registration_id"][0]
    next_booking = (store.tables.read("bookings")["booking_id"].max() or 0) + 1  # type: ignore[operator]
    next_result = (store.tables.read("results")["result_id"].max() or 0) + 1  # type: ignore[operator]
    with store.transaction():
        store.tables.append(
            "bookings",
            pl.DataFrame(
                {
                    "booking_id": [next_booking],
                    "registration_id": [registration],
                    "assessment": ["Online test paper 1"],
                    "session_date": [date(2025, 11, 20)],
                    "assessment_mode": ["on-screen"],
                    "status": ["Result Issued"],
                    "attempt": [2],
                }
            ),
        )
        store.tables.append(
            "results",
            pl.DataFrame(
                {
                    "result_id": [next_result, next_result + 1],
                    "registration_id": [registration] * 2,
                    "component": ["Unit 1 Digital communication", "Unit 2"],
                    "grade": ["Merit", "Distinction"],
                    "result_date": [date(2025, 12, 1), date(2025, 12, 2)],
                    "release_date": [None, date(2099, 8, 20)],
                }
            ),
        )
        changes = pl.DataFrame(
            {
                "audit_id": [9001, 9002],
                "changed_at": [datetime(2025, 9, 12, 8, 30), datetime(2025, 10, 1, 14, 5)],
                "os_user": ["tester", "jpatel"],
                "table_name": ["learners", "registrations"],
                "record_key": [str(learner), f"registration {registration}"],
                "action": ["edit", "withdraw"],
                "before": ['{"surname": "O\'Brian"}', '{"status": "active"}'],
                "after": ['{"surname": "O\'Brien"}', '{"status": "withdrawn"}'],
            }
        )
        store.tables.append("audit_log", changes)
        # Each change touched one record: its own values before and after.
        keys = pl.Series("record_key", [str(learner), str(registration)])
        store.tables.append(
            "audit_records", changes.select("audit_id", "table_name", keys, "before", "after")
        )
    return int(learner)
