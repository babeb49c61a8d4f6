"""Whole tables on PostgreSQL: counts, contents, bulk loading and the data's fingerprint."""

from __future__ import annotations

import polars as pl

from centredesk.store.errors import StoreError
from centredesk.store.folded import with_folded
from centredesk.store.interface import TABLES, Tables
from centredesk.store.pg_store.session import Session
from centredesk.store.schema import SEQUENCES

_READABLE = (*TABLES, "schema_version")
SERVER_ONLY_COLUMNS = {"import_issues": ("issue_id",)}
"""Columns only the PostgreSQL schema has (keys DuckDB gets from its row id): left out of a
table's contents, so both backends hold and compare the same columns."""


def _checked(table: str) -> str:
    # Table names reach the SQL text, so only our own are let through.
    if table not in _READABLE:
        raise StoreError(f"no table called {table!r}; choose one of {', '.join(_READABLE)}")
    return table


class PostgresTables(Tables):
    def __init__(self, session: Session) -> None:
        self._session = session

    def counts(self) -> dict[str, int]:
        query = " UNION ALL ".join(
            f"SELECT '{table}' AS name, count(*) AS n FROM {table}" for table in TABLES
        )
        counts = dict(self._session.rows(query))
        return {table: int(counts[table]) for table in TABLES}

    def columns(self, table: str) -> dict[str, str]:
        """The table's columns in order with their types, as both backends have them."""
        found = self._session.rows(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            [_checked(table)],
        )
        skipped = SERVER_ONLY_COLUMNS.get(table, ())
        return {str(name): str(kind) for name, kind in found if name not in skipped}

    def read(self, table: str) -> pl.DataFrame:
        columns = ", ".join(f'"{name}"' for name in self.columns(table))
        return self._session.frame(f"SELECT {columns} FROM {_checked(table)}")

    def append(self, table: str, rows: pl.DataFrame) -> int:
        rows = with_folded(_checked(table), rows)
        known = self.columns(table)
        unknown = [name for name in rows.columns if name not in known]
        if unknown:
            raise StoreError(f"{table} has no column named {', '.join(unknown)}")
        columns = ", ".join(f'"{name}"' for name in rows.columns)
        values = ", ".join(f'"{name}"::{known[name]}' for name in rows.columns)
        with self._session.transaction(claim=False):
            # Binary COPY wants each value in the column's exact type: a temporary table of
            # the frame's own types, then INSERT … SELECT casting to the table's.
            self._session.load("appended_rows", rows, temporary=True)
            self._session.execute(
                f"INSERT INTO {_checked(table)} ({columns}) SELECT {values} FROM appended_rows"
            )
            self._session.execute("DROP TABLE appended_rows")
        return rows.height

    def advance_sequences(self) -> None:
        for sequence, (table, key) in SEQUENCES.items():
            self._session.execute(
                f"SELECT setval('{sequence}', (SELECT coalesce(max({key}), 0) + 1 FROM {table}), "
                "false)"
            )

    def data_version(self) -> tuple[int, ...]:
        # The highest keys, read from their indexes in a millisecond: the app asks every
        # couple of seconds, where counting a million rows would cost a table scan.
        rows = self._session.rows(
            "SELECT (SELECT coalesce(max(import_id), 0) FROM imports), "
            "(SELECT coalesce(max(audit_id), 0) FROM audit_log), "
            "(SELECT coalesce(max(learner_number), 0) FROM learners), "
            "(SELECT coalesce(max(registration_id), 0) FROM registrations)"
        )
        return tuple(int(value) for value in rows[0])
