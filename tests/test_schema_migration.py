"""A database written by an earlier centredesk is brought up to date, data and all."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from centredesk.store import TABLES, open_store
from centredesk.store import schema as store_schema
from centredesk.store.duckdb_store.schema import SCHEMA_VERSION, current_version
from centredesk.store.schema import MIGRATIONS, statements


def version_one_database(path: Path) -> Path:
    """A schema-version-1 file holding a centre, a product, two learners with numeric batch
    numbers, a booking, a result, an import with a rejected row, and an audit entry."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL, "
        "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for statement in statements(1, "duckdb"):
        con.execute(statement)
    con.execute("INSERT INTO schema_version (version) VALUES (1)")
    con.execute(
        """
        INSERT INTO centres (centre_number, name) VALUES ('123456', 'Riverside');
        INSERT INTO products (product_code, title, external_assessment)
            VALUES ('603/0862/X', 'Award', true);
        INSERT INTO learners (learner_number, centre_number, forename, surname, date_of_birth,
                              uln, person_key, import_id)
            VALUES (20000001, '123456', 'Ann', 'Lee', DATE '2010-04-03', '1000000043',
                    'ann|lee|2010-04-03', 1),
                   (20000002, '123456', 'Bo', 'Day', DATE '2010-05-04', NULL,
                    'bo|day|2010-05-04', 1);
        INSERT INTO registrations VALUES
            (1, 20000001, '603/0862/X', '123456', 1001, DATE '2026-09-01', 'active', 1, 2),
            (2, 20000002, '603/0862/X', '123456', 42, DATE '2026-09-01', 'withdrawn', 1, 3);
        INSERT INTO bookings VALUES (1, 1, 'EA01', DATE '2027-05-12', 'on-screen', 'Active', 1, 2);
        INSERT INTO results VALUES (1, 1, 'EA01', 'Merit', DATE '2027-07-20', NULL, 3);
        INSERT INTO imports VALUES (1, 'learners.xlsx', 'abc', 'learners', 'Data', 3, 2, 1,
            'tester', TIMESTAMP '2026-09-01 09:00', TIMESTAMP '2026-09-01 09:01');
        INSERT INTO rejected_rows VALUES (1, 4, '{"Forename": "Zoë2"}');
        INSERT INTO audit_log VALUES (nextval('audit_id_seq'), current_timestamp, 'tester',
            'registrations', '2', 'update', '{"status": "active"}', '{"status": "withdrawn"}');
        """
    )
    assert column_type(con, "registrations", "batch_number") == "BIGINT"
    con.close()
    return path


def column_type(con: duckdb.DuckDBPyConnection, table: str, column: str) -> str | None:
    found = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchall()
    return str(found[0][0]) if found else None


def test_a_version_one_database_holding_data_is_migrated(tmp_path: Path) -> None:
    path = version_one_database(tmp_path / "v1.duckdb")
    with duckdb.connect(str(path)) as con:
        old_tables = [
            table
            for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            if table in TABLES
        ]
        before = {table: con.sql(f"SELECT * FROM {table}").pl() for table in old_tables}
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        counts = store.tables.counts()
        assert {table: counts[table] for table in old_tables} == {
            table: frame.height for table, frame in before.items()
        }
        assert counts["other_cells"] == 0
        # Later versions add columns (a record's version, an audit entry's records); the
        # columns there were keep their values.
        for table in ("learners", "imports", "audit_log", "products"):
            kept = store.tables.read(table).select(before[table].columns)
            assert kept.equals(before[table])
        assert store.imports.next_batch_number(pl.Series([], dtype=pl.String)) == "1002"
    with duckdb.connect(str(path)) as con:
        assert column_type(con, "registrations", "batch_number") == "VARCHAR"
        assert con.execute(
            "SELECT registration_id, batch_number FROM registrations ORDER BY 1"
        ).fetchall() == [(1, "1001"), (2, "42")]
        assert con.execute("SELECT source_row FROM bookings").fetchall() == [(None,)]
        assert con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall() == [
            (version,) for version in range(1, SCHEMA_VERSION + 1)
        ]
        # The old constraints still hold after the column changed type.
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE registrations SET status = 'lost' WHERE registration_id = 1")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE registrations SET batch_number = NULL WHERE registration_id = 1")


def test_a_failed_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = version_one_database(tmp_path / "v1.duckdb")
    broken = [*MIGRATIONS[2], "SELECT * FROM no_such_table"]
    monkeypatch.setitem(store_schema.MIGRATIONS, 2, broken)
    with pytest.raises(duckdb.CatalogException):
        open_store(path)
    with duckdb.connect(str(path)) as con:
        assert current_version(con) == 1
        assert column_type(con, "registrations", "batch_number") == "BIGINT"
        assert column_type(con, "bookings", "source_row") is None
        assert column_type(con, "other_cells", "cells") is None


def test_reading_an_old_database_brings_it_up_to_date_first(tmp_path: Path) -> None:
    path = version_one_database(tmp_path / "v1.duckdb")
    with open_store(path, read_only=True) as store:
        assert store.read_only
        assert store.schema_version == SCHEMA_VERSION
        assert store.tables.counts()["other_cells"] == 0
