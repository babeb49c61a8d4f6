"""Copying a whole store between a DuckDB file and a PostgreSQL database, either way."""

from __future__ import annotations

from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pg_server
import polars as pl
import pytest
from browse_fixtures import add_learner_history, build_store, import_learners

from centredesk.cli import main
from centredesk.jobs.copying import CopyError, copy_store
from centredesk.store import TABLES, Location, open_store


def filled(location: Location) -> Location:
    """A store with something in every table: learners, imports, issues, rejects, audit."""
    build_store(location, 300)
    with open_store(location) as store:
        import_learners(store, [("Zoë", "O'Brien", "2010-04-03", "1000000043")])
        add_learner_history(store, "1000000043")
        store.tables.append(
            "approvals",
            pl.DataFrame({"centre_number": ["12345"], "product_code": ["603/0862/X"]}),
        )
        store.tables.append(
            "other_cells",
            pl.DataFrame({"import_id": [1], "row": [2], "cells": ['{"Tutor": "Ms Ng"}']}),
        )
        products = store.tables.read("products")
        assert products.get_column("registration_fee").dtype == pl.Decimal(8, 2)
    return location


def contents(location: Location) -> dict[str, list[tuple[object, ...]]]:
    with open_store(location, read_only=True) as store:
        return {table: sorted(store.tables.read(table).rows(), key=repr) for table in TABLES}


@pytest.mark.postgresql
@pytest.mark.parametrize("direction", ["file to server", "server to file"])
def test_a_store_copies_either_way_with_every_row_and_value(
    direction: str, tmp_path: Path, postgres_server: pg_server.Server
) -> None:
    server = pg_server.new_database(postgres_server, "copy_source")
    target_server = pg_server.new_database(postgres_server, "copy_target")
    if direction == "file to server":
        source: Location = filled(tmp_path / "source.duckdb")
        target: Location = target_server
    else:
        source, target = filled(server), tmp_path / "target.duckdb"
    told: list[tuple[str, int]] = []
    outcome = copy_store(source, target, on_table=lambda table, n: told.append((table, n)))
    assert [table for table, _ in told] == list(TABLES)
    empty = {table for table in TABLES if outcome.counts[table] == 0}
    assert not empty & {"learners", "registrations", "imports", "rejected_rows", "audit_log"}
    assert contents(target) == contents(source)
    with open_store(source, read_only=True) as a, open_store(target, read_only=True) as b:
        assert a.tables.checksums() == b.tables.checksums() == outcome.checksums
        assert a.browse.row_keys("learners", sort="surname").to_pylist() == (
            b.browse.row_keys("learners", sort="surname").to_pylist()
        )


def test_a_target_that_holds_data_is_refused_and_left_alone(
    new_location: pg_server.Server, tmp_path: Path
) -> None:
    source = filled(tmp_path / "source.duckdb")
    target = filled(new_location("target"))  # type: ignore[operator]
    before = contents(target)
    with pytest.raises(CopyError, match="already holds data"):
        copy_store(source, target)
    assert contents(target) == before


def test_copying_a_store_onto_itself_is_refused(tmp_path: Path) -> None:
    path = filled(tmp_path / "same.duckdb")
    with pytest.raises(CopyError, match="both the source and the target"):
        copy_store(path, path)


def test_the_copy_command_reports_each_table_and_the_check(
    new_location: pg_server.Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = filled(tmp_path / "source.duckdb")
    target = new_location("target")  # type: ignore[operator]
    assert main(["db", "copy", str(source), str(target)]) == 0
    out = capsys.readouterr().out
    assert "learners" in out and "count and checksum equal" in out
    assert contents(target) == contents(source)
    assert main(["db", "copy", str(source), str(target)]) == 2
    assert "already holds data" in capsys.readouterr().err


@pytest.mark.postgresql
@pytest.mark.parametrize("direction", ["file to server", "server to file"])
def test_the_copys_sequences_continue_past_the_copied_keys(
    direction: str, tmp_path: Path, postgres_server: pg_server.Server
) -> None:
    server = pg_server.new_database(postgres_server, "sequence")
    file = tmp_path / "sequence.duckdb"
    source, target = (file, server) if direction == "file to server" else (server, file)
    copy_store(filled(source), target)
    with open_store(target, read_only=True) as store:
        highest = store.tables.read("audit_log").get_column("audit_id").max()
    assert highest > 0
    sql = "SELECT nextval('audit_id_seq')"
    if isinstance(target, Path):
        with duckdb.connect(str(target)) as con:
            assert con.execute(sql).fetchall()[0][0] == highest + 1
    else:
        with adbc.connect(target.url, autocommit=True) as con, con.cursor() as cursor:
            cursor.execute(sql)
            assert cursor.fetchall()[0][0] == highest + 1
