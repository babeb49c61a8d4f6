"""Running the exports' queries on DuckDB (the queries themselves: ``store.shared.exports``).

Each query runs on a cursor of its own, so a long export never disturbs the store's main
connection; a large result streams straight from DuckDB's Arrow reader.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl

from centredesk.store.duckdb_store.session import Session


class DuckDBExportReader:
    """An :class:`~centredesk.store.shared.exports.ExportReader` on cursors of the session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def rows(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._session.con.cursor() as cursor:
            return cursor.sql(sql, params=list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[object]) -> pl.DataFrame:
        with self._session.con.cursor() as cursor:
            table = cursor.sql(sql, params=list(params)).to_arrow_table()
        result = pl.from_arrow(table)
        assert isinstance(result, pl.DataFrame)
        return result

    def stream(self, sql: str, params: Sequence[object], rows: int) -> Iterator[pl.DataFrame]:
        cursor = self._session.con.cursor()
        try:
            reader = cursor.sql(sql, params=list(params)).to_arrow_reader(rows)
            given = False
            for batch in reader:
                chunk = pl.from_arrow(batch)
                assert isinstance(chunk, pl.DataFrame)
                given = True
                yield chunk
            if not given:
                empty = pl.from_arrow(reader.schema.empty_table())
                assert isinstance(empty, pl.DataFrame)
                yield empty
        finally:
            cursor.close()
