"""The store on real DuckDB files: schema, migrations, round trips, the import writer."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from centredesk.store import Store, StoreError
from centredesk.store.imports import ImportMeta, find_by_sha256, record_import
from centredesk.store.queries import TABLES, table_counts
from centredesk.store.schema import SCHEMA_VERSION, current_version

ISSUES_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "field": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "value": pl.String,
}


def meta(kind: str, rows: int, sha: str = "abc") -> ImportMeta:
    now = datetime(2026, 11, 1, 9, 30)
    return ImportMeta(f"{kind}.xlsx", sha, kind, "Sheet1", rows, "tester", now, now)


def no_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUES_SCHEMA)


def no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})


def learner_rows(**overrides: list[object]) -> pl.DataFrame:
    columns: dict[str, list[object]] = {
        "row": [2, 3, 4],
        "centre_number": ["100001", "100001", "100001"],
        "product_code": ["603/0862/X", "500/5959/2", "603/0862/X"],
        "forename": ["Zoë", "Zoë", "Sean"],
        "surname": ["O'Brien", "O'Brien", "Smith-Jones"],
        "date_of_birth": [date(2010, 4, 3), date(2010, 4, 3), date(2009, 1, 9)],
        "uln": ["1000000043", "1000000043", None],
        "learner_reference": ["A1", "A1", None],
        "batch_number": [1001, 1001, 1001],
        "registration_date": [date(2026, 9, 1)] * 3,
        "reasonable_adjustments": [None, None, "25% extra time"],
        "person_key": ["zoeobrien|2010-04-03", "zoeobrien|2010-04-03", "seansmithjones|2009-01-09"],
    }
    columns.update(overrides)
    return pl.DataFrame(columns)


def test_new_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.duckdb") as store:
        assert current_version(store.con) == SCHEMA_VERSION
        assert table_counts(store) == dict.fromkeys(TABLES, 0)


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "keep.duckdb"
    with Store.open(path) as store:
        record_import(store, meta("learners", 3), learner_rows(), no_issues(), no_rejects())
    with Store.open(path) as store:
        assert table_counts(store)["registrations"] == 3
        versions = store.con.execute("SELECT count(*) FROM schema_version").fetchall()
        assert versions == [(1,)]


def test_an_empty_duckdb_file_made_elsewhere_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with Store.open(path) as store:
        assert current_version(store.con) == SCHEMA_VERSION


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with Store.open(path) as store:
        store.con.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match="newer centredesk"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a centredesk database"):
        Store.open(path)


def test_read_only_open_of_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)


def test_same_learner_twice_in_one_file_becomes_one_learner(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        record_import(store, meta("learners", 3), learner_rows(), no_issues(), no_rejects())
        learners = store.con.execute(
            "SELECT learner_number, forename, uln FROM learners ORDER BY learner_number"
        ).fetchall()
        registrations = store.con.execute(
            "SELECT learner_number, product_code, status, source_row FROM registrations "
            "ORDER BY source_row"
        ).fetchall()
    assert learners == [(20000001, "Zoë", "1000000043"), (20000002, "Sean", None)]
    assert registrations == [
        (20000001, "603/0862/X", "active", 2),
        (20000001, "500/5959/2", "active", 3),
        (20000002, "603/0862/X", "active", 4),
    ]


def test_a_later_upload_matches_existing_learners_by_uln_then_by_name_and_birth(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        record_import(store, meta("learners", 3), learner_rows(), no_issues(), no_rejects())
        # Zoë again by ULN, Sean again by name and date of birth (he has no ULN).
        later = learner_rows(product_code=["601/1111/1"] * 3)
        record_import(store, meta("learners", 3, "def"), later, no_issues(), no_rejects())
        assert table_counts(store)["learners"] == 2
        assert table_counts(store)["registrations"] == 6


def test_the_same_learner_at_another_centre_is_another_learner(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        record_import(store, meta("learners", 3), learner_rows(), no_issues(), no_rejects())
        other = learner_rows(centre_number=["200002"] * 3)
        record_import(store, meta("learners", 3, "def"), other, no_issues(), no_rejects())
        assert table_counts(store)["learners"] == 4


def test_issues_and_rejected_cells_are_kept_with_the_import(tmp_path: Path) -> None:
    issues = pl.DataFrame(
        {
            "row": [5],
            "column": ["ULN"],
            "field": ["uln"],
            "code": ["ULN_CHECKSUM"],
            "severity": ["error"],
            "message": ["1000000042 fails the ULN check digit"],
            "value": ["1000000042"],
        },
        schema=ISSUES_SCHEMA,
    )
    rejected = pl.DataFrame({"row": [5], "cells": [json.dumps({"ULN": "1000000042"})]})
    with Store.open(tmp_path / "s.duckdb") as store:
        import_id = record_import(store, meta("learners", 4), learner_rows(), issues, rejected)
        kept = store.con.execute(
            "SELECT i.code, i.column_name, r.cells FROM import_issues i "
            "JOIN rejected_rows r USING (import_id, row) WHERE import_id = ?",
            [import_id],
        ).fetchall()
        record = store.con.execute(
            "SELECT rows_read, rows_accepted, rows_rejected FROM imports"
        ).fetchall()
        assert find_by_sha256(store, "abc") is not None
        assert find_by_sha256(store, "zzz") is None
    assert kept == [("ULN_CHECKSUM", "ULN", '{"ULN": "1000000042"}')]
    assert record == [(4, 3, 1)]


def test_counts_that_do_not_add_up_write_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(StoreError, match="nothing was written"):
            record_import(store, meta("learners", 7), learner_rows(), no_issues(), no_rejects())
        assert table_counts(store) == dict.fromkeys(TABLES, 0)


def test_a_failure_inside_the_write_rolls_back_everything(tmp_path: Path) -> None:
    # A registration date missing slips past validation here on purpose: the NOT NULL
    # constraint fails half-way through, after the import record was written.
    rows = learner_rows(registration_date=[date(2026, 9, 1), None, date(2026, 9, 1)])
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(duckdb.ConstraintException):
            record_import(store, meta("learners", 3), rows, no_issues(), no_rejects())
        assert table_counts(store) == dict.fromkeys(TABLES, 0)


def test_products_and_approvals_are_upserted(tmp_path: Path) -> None:
    product = {
        "row": [2],
        "product_code": ["603/0862/X"],
        "title": ["Level 2 Technical Award in Health and Fitness"],
        "level": ["2"],
        "sector": ["Sport"],
        "discount_code": ["FK2B"],
        "external_assessment": [True],
        "assessment_mode": ["on-screen"],
        "operational_end_date": [date(2028, 8, 31)],
        "grading_scheme": ["graded"],
        "registration_fee": [45.0],
    }
    approval = {
        "row": [2],
        "centre_number": ["100001"],
        "centre_name": ["Riverside Academy"],
        "product_code": ["603/0862/X"],
        "approved_on": [None],
    }
    with Store.open(tmp_path / "s.duckdb") as store:
        record_import(store, meta("products", 1), pl.DataFrame(product), no_issues(), no_rejects())
        renamed = pl.DataFrame({**product, "title": ["Renamed"]})
        record_import(store, meta("products", 1, "p2"), renamed, no_issues(), no_rejects())
        accepted = pl.DataFrame(approval, schema_overrides={"approved_on": pl.Date})
        for sha in ("a1", "a2"):
            record_import(store, meta("approvals", 1, sha), accepted, no_issues(), no_rejects())
        titles = store.con.execute("SELECT title FROM products").fetchall()
        approvals = store.con.execute("SELECT * FROM approvals").fetchall()
        centres = store.con.execute("SELECT centre_number, name FROM centres").fetchall()
    assert titles == [("Renamed",)]
    assert approvals == [("100001", "603/0862/X", None)]
    assert centres == [("100001", "Riverside Academy")]
