"""A database of every earlier schema version is brought up to date, its data kept."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from centredesk.jobs import statuses
from centredesk.store import open_store
from centredesk.store.duckdb_store.schema import SCHEMA_VERSION, migrate
from centredesk.store.records import Selection
from centredesk.store.schema import MIGRATIONS

ROLES_VERSION = 3
"""The schema version that gave the people who had imported their roles."""


def database_at(version: int, path: Path) -> Path:
    """A file at schema ``version`` holding a centre, a product, two learners, their
    registrations, a booking, two imports by two people and a rejected row."""
    con = duckdb.connect(str(path))
    migrate(con, up_to=version)
    con.execute(
        """
        INSERT INTO centres (centre_number, name) VALUES ('123456', 'Riverside');
        INSERT INTO products (product_code, title, external_assessment, registration_fee)
            VALUES ('603/0862/X', 'Award', true, 45);
        INSERT INTO learners (learner_number, centre_number, forename, surname, date_of_birth,
                              uln, person_key, import_id)
            VALUES (20000001, '123456', 'Ann', 'Lee', DATE '2010-04-03', '1000000043',
                    'ann|lee|2010-04-03', 2),
                   (20000002, '123456', 'Bo', 'Day', DATE '2010-05-04', NULL,
                    'bo|day|2010-05-04', 2);
        INSERT INTO registrations (registration_id, learner_number, product_code,
                                   centre_number, batch_number, registration_date, status,
                                   import_id, source_row) VALUES
            (1, 20000001, '603/0862/X', '123456', 1001, DATE '2025-11-21', 'active', 2, 2),
            (2, 20000002, '603/0862/X', '123456', 1001, DATE '2025-11-21', 'active', 2, 3);
        INSERT INTO bookings (booking_id, registration_id, assessment, session_date,
                              assessment_mode, status, attempt, import_id)
            VALUES (1, 1, 'EA01', DATE '2026-05-12', 'on-screen', 'Active', 1, 3);
        INSERT INTO imports (import_id, file_name, sha256, kind, sheet, rows_read,
                             rows_accepted, rows_rejected, os_user, started_at, finished_at)
        VALUES (1, 'products.xlsx', 'a', 'products', 'Data', 1, 1, 0, 'maker',
                TIMESTAMP '2025-11-20 09:00', TIMESTAMP '2025-11-20 09:01'),
               (2, 'learners.xlsx', 'b', 'learners', 'Data', 3, 2, 1, 'colleague',
                TIMESTAMP '2025-11-21 09:00', TIMESTAMP '2025-11-21 09:01');
        INSERT INTO rejected_rows (import_id, row, cells) VALUES (2, 4, '{"Forename": "Zoë2"}');
        """
    )
    con.close()
    return path


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_earlier_database_is_upgraded_with_its_data(tmp_path: Path, version: int) -> None:
    path = database_at(version, tmp_path / f"v{version}.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        learners = con.sql("SELECT * FROM learners ORDER BY learner_number").pl()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        versions = store.tables.read("schema_version")["version"].sort().to_list()
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        upgraded = store.tables.read("learners").sort("learner_number")
        # Later versions add columns (a version, folded names): the old ones keep their values.
        assert upgraded.select(learners.columns).equals(learners)
        assert upgraded["version"].to_list() == [1, 1]
        if version < ROLES_VERSION:
            # Whoever imported first made the database: its admin; the others edit.
            assert {(u.user, u.role) for u in store.users.all()} == {
                ("maker", "admin"), ("colleague", "editor")}  # fmt: skip
        assert store.imports.open_rejected_rows([2]).rows() == [(2, 4)]
        summary = store.details.import_summary(2)
        assert summary is not None and (summary.rows_already_loaded, summary.rolled_back_by) == (
            0, None)  # fmt: skip
        # The upgraded store takes changes, and hands out keys after the old ones.
        if store.users.role(store.acting_user) != "admin":
            store.users.grant(store.acting_user, "admin")
        change = statuses.withdraw(store, Selection((1,))).change
        assert change is not None and change.records == 1
        assert store.registrations.selected(Selection((1,)))["version"].to_list() == [2]
        statuses_now = store.tables.read("registrations").sort("registration_id")["status"]
        assert statuses_now.to_list() == ["withdrawn", "active"]
        assert store.tables.read("bookings").filter(pl.col("booking_id") == 1).height == 1


def test_a_failed_upgrade_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from centredesk.store import schema

    path = database_at(SCHEMA_VERSION - 1, tmp_path / "old.duckdb")
    columns_before = _columns(path)
    broken = [*MIGRATIONS[SCHEMA_VERSION], "SELECT * FROM no_such_table"]
    monkeypatch.setitem(schema.MIGRATIONS, SCHEMA_VERSION, broken)
    with pytest.raises(duckdb.CatalogException):
        open_store(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [
            (SCHEMA_VERSION - 1,)
        ]
    assert _columns(path) == columns_before


def _columns(path: Path) -> set[tuple[str, str]]:
    """Every table's columns: what a migration adds, a failed one must not leave behind."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall()
    return {(str(table), str(column)) for table, column in found}
