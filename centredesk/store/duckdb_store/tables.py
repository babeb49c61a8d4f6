"""Whole tables on DuckDB: counts, contents, bulk loading and the data's fingerprint."""

from __future__ import annotations

from contextlib import suppress

import duckdb
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.duckdb_store.session import Session
from centredesk.store.errors import StoreError
from centredesk.store.folded import with_folded
from centredesk.store.interface import TABLES, Tables
from centredesk.store.schema import SEQUENCES

_READABLE = (*TABLES, "schema_version")


def _checked(table: str) -> str:
    # Table names reach the SQL text, so only our own are let through.
    if table not in _READABLE:
        raise StoreError(f"no table called {table!r}; choose one of {', '.join(_READABLE)}")
    return table


class DuckDBTables(Tables):
    def __init__(self, session: Session) -> None:
        self._session = session

    def counts(self) -> dict[str, int]:
        query = " UNION ALL ".join(
            f"SELECT '{table}' AS name, count(*) AS n FROM {table}" for table in TABLES
        )
        counts = dict(self._session.con.execute(query).fetchall())
        return {table: int(counts[table]) for table in TABLES}

    def read(self, table: str) -> pl.DataFrame:
        arrow = self._session.con.sql(f"SELECT * FROM {_checked(table)}").to_arrow_table()
        # JSON arrives marked as an Arrow extension: read it as the text it is, as every
        # backend gives it.
        plain = pa.schema([pa.field(field.name, field.type) for field in arrow.schema])
        frame = pl.from_arrow(arrow.cast(plain))
        assert isinstance(frame, pl.DataFrame)
        return frame

    def append(self, table: str, rows: pl.DataFrame) -> int:
        rows = with_folded(_checked(table), rows)
        if any('"' in name for name in rows.columns):
            raise StoreError(f"{table} has no column named like {rows.columns}")
        columns = ", ".join(f'"{name}"' for name in rows.columns)
        with self._session.transaction(claim=False) as con:
            con.register("appended_rows", rows)
            try:
                con.execute(
                    f"INSERT INTO {_checked(table)} ({columns}) SELECT {columns} FROM appended_rows"
                )
            finally:
                with suppress(duckdb.Error):
                    con.unregister("appended_rows")
        return rows.height

    def advance_sequences(self) -> None:
        # DuckDB cannot set a sequence: it is made again, starting past the highest key.
        with self._session.transaction() as con:
            for sequence, (table, key) in SEQUENCES.items():
                rows = con.execute(f"SELECT coalesce(max({key}), 0) + 1 FROM {table}").fetchall()
                con.execute(f"DROP SEQUENCE {sequence}")
                con.execute(f"CREATE SEQUENCE {sequence} START {int(rows[0][0])}")

    def data_version(self) -> tuple[int, ...]:
        rows = self._session.con.execute(
            "SELECT (SELECT coalesce(max(import_id), 0) FROM imports), "
            "(SELECT coalesce(max(audit_id), 0) FROM audit_log), "
            "(SELECT count(*) FROM learners), (SELECT count(*) FROM registrations)"
        ).fetchall()
        return tuple(int(value) for value in rows[0])
