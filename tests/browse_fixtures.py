"""Stores of any size for the browse and app tests, built with SQL in one pass.

Small stores come from real imports (``record_import``); large ones (100,000 rows and up)
are generated here with ``INSERT ... SELECT FROM range(...)`` so building them costs well
under a second instead of going through spreadsheets.
"""

from __future__ import annotations

from pathlib import Path

from centredesk.store import Store

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


def build_store(path: Path, learners: int, *, imports: bool = True) -> Path:
    """A store with ``learners`` learners, one registration each, and a booking and a
    result for every tenth registration; plus two imports with issues and rejected rows."""
    forenames = "[" + ", ".join(f"'{name}'" for name in FORENAMES) + "]"
    surnames = "[" + ", ".join("'" + name.replace("'", "''") + "'" for name in SURNAMES) + "]"
    with Store.open(path) as store, store.transaction() as con:
        con.execute(
            "INSERT INTO centres (centre_number, name) VALUES ('12345', 'Northgate College')"
        )
        con.executemany(
            "INSERT INTO products VALUES "
            "(?, ?, ?, 'ICT', ?, ?, ?, DATE '2030-07-31', 'graded', 30)",
            [list(product) for product in PRODUCTS],
        )
        con.execute(
            f"""
            INSERT INTO learners (learner_number, centre_number, forename, surname,
                                  date_of_birth, uln, learner_reference, person_key, import_id)
            SELECT 20000001 + i, '12345',
                   list_element({forenames}, (i % {len(FORENAMES)})::INT + 1),
                   list_element({surnames}, ((i // 7) % {len(SURNAMES)})::INT + 1),
                   DATE '2005-01-01' + (i % 2000)::INT,
                   CASE WHEN i % 5 = 4 THEN NULL ELSE (2000000000 + i)::VARCHAR END,
                   'REF' || i, 'key' || i, 1
            FROM range({learners}) t(i)
            """
        )
        con.execute(
            f"""
            INSERT INTO registrations
            SELECT 1 + i, 20000001 + i,
                   list_element(['603/0862/X', '500/5959/2', '601/1234/5'], (i % 3)::INT + 1),
                   '12345', 1001 + i // 1000, DATE '2024-09-01' + (i % 30)::INT,
                   list_element(['active', 'active', 'active', 'withdrawn', 'cancelled'],
                                (i % 5)::INT + 1),
                   1, (i + 2)::INT
            FROM range({learners}) t(i)
            """
        )
        con.execute(
            f"""
            INSERT INTO bookings
            SELECT 1 + i // 10, 1 + i, 'Exam ' || (i % 3 + 1), DATE '2025-06-01' + (i % 20)::INT,
                   'on-screen', 'Active', 1, NULL
            FROM range({learners}) t(i) WHERE i % 10 = 0
            """
        )
        con.execute(
            f"""
            INSERT INTO results
            SELECT 1 + i // 10, 1 + i, 'Unit 1', list_element(['Pass', 'Merit', 'Distinction'],
                   (i % 3)::INT + 1), DATE '2025-08-01', NULL, NULL
            FROM range({learners}) t(i) WHERE i % 10 = 0
            """
        )
        if imports:
            _add_imports(con)
    return path


def _add_imports(con: object) -> None:
    """Two imports of learner files: the first with rejected rows and their issues."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    con.execute(
        """
        INSERT INTO imports VALUES
          (1, 'autumn-learners.xlsx', 'aaa', 'learners', 'Sheet1', 5, 3, 2, 'dmanager',
           TIMESTAMP '2025-09-10 09:00:00', TIMESTAMP '2025-09-10 09:00:05'),
          (2, 'products.csv', 'bbb', 'products', NULL, 3, 3, 0, 'dmanager',
           TIMESTAMP '2025-09-11 10:00:00', TIMESTAMP '2025-09-11 10:00:01')
        """
    )
    con.execute(
        """
        INSERT INTO import_issues VALUES
          (1, 4, 'ULN', 'uln', 'ULN_CHECKSUM', 'error',
           'ULN 1000000042 fails its check digit', '1000000042'),
          (1, 4, 'Surname', 'surname', 'NAME_CASE', 'warning', 'surname is all capitals', 'SMITH'),
          (1, 6, 'ULN', 'uln', 'ULN_CHECKSUM', 'error',
           'ULN 1000000063 fails its check digit', '1000000063'),
          (1, 6, 'Date of Birth', 'date_of_birth', 'DOB_FUTURE', 'error',
           'date of birth 01/01/2099 is in the future', '2099-01-01')
        """
    )
    con.execute(
        """
        INSERT INTO rejected_rows VALUES
          (1, 4, '{"Centre Number": "12345", "Forename": "Ann", "Surname": "SMITH",
                   "Date of Birth": "03/04/2010", "ULN": "1000000042"}'),
          (1, 6, '{"Centre Number": "12345", "Forename": "Bob", "Surname": "Lee",
                   "Date of Birth": "01/01/2099", "ULN": "1000000063"}')
        """
    )


def import_learners(store: Store, people: list[tuple[str, str, str, str | None]]) -> int:
    """Load ``(forename, surname, ISO date of birth, ULN)`` rows as one learners import,
    through the store's own import writer, all on product 603/0862/X in batch 2001."""
    from datetime import date, datetime

    import polars as pl

    from centredesk.store.imports import ImportMeta, record_import

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
            "person_key": [f"{p[0]}|{p[1]}|{p[2]}".casefold() for p in people],
            "batch_number": [2001] * len(people),
            "registration_date": [date(2025, 9, 1)] * len(people),
            "row": list(range(2, 2 + len(people))),
        },
        schema_overrides={
            "uln": pl.String,
            "learner_reference": pl.String,
            "reasonable_adjustments": pl.String,
        },
    )
    now = datetime(2025, 9, 12, 8, 30)
    meta = ImportMeta("spring.xlsx", "ccc", "learners", "Sheet1", len(people), "tester", now, now)
    empty_issues = pl.DataFrame(
        schema={
            "row": pl.Int64,
            "column": pl.String,
            "field": pl.String,
            "code": pl.String,
            "severity": pl.String,
            "message": pl.String,
            "value": pl.String,
        }
    )
    empty_rejected = pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})
    return record_import(store, meta, accepted, empty_issues, empty_rejected)


def add_learner_history(store: Store, uln: str) -> int:
    """Give the learner with ``uln`` a booking, a released result, a result withheld until
    2099 and two audit entries (a status change, a new learner); their learner number."""
    con = store.con
    found = con.execute(
        "SELECT l.learner_number, r.registration_id FROM learners l "
        "JOIN registrations r USING (learner_number) WHERE l.uln = ?",
        [uln],
    ).fetchall()
    learner, registration = found[0]
    next_result = con.execute("SELECT coalesce(max(result_id), 0) + 1 FROM results").fetchall()[0][
        0
    ]
    con.execute(
        "INSERT INTO bookings VALUES ((SELECT max(booking_id) + 1 FROM bookings), ?, "
        "'Online test paper 1', DATE '2025-11-20', 'on-screen', 'Result Issued', 2, NULL)",
        [registration],
    )
    con.execute(
        "INSERT INTO results VALUES "
        "(?, ?, 'Unit 1 Digital communication', 'Merit', DATE '2025-12-01', NULL, NULL), "
        "(? + 1, ?, 'Unit 2', 'Distinction', DATE '2025-12-02', DATE '2099-08-20', NULL)",
        [next_result, registration, next_result, registration],
    )
    con.execute(
        "INSERT INTO audit_log VALUES "
        "(9001, TIMESTAMP '2025-09-12 08:30:00', 'tester', 'learners', ?, 'insert', NULL, "
        "'{\"surname\": \"O''Brien\"}'), "
        "(9002, TIMESTAMP '2025-10-01 14:05:00', 'jpatel', 'registrations', ?, 'update', "
        '\'{"status": "active", "registration_date": "2025-09-01"}\', '
        '\'{"status": "withdrawn", "registration_date": "2025-09-02"}\')',
        [str(learner), str(registration)],
    )
    return int(learner)
