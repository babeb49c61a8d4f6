"""A connection-shaped view of a :class:`Session`, for the modules that change records.

The record-changing modules (edits, roles, history and undo) are written as a sequence of
statements on a connection: ``con.execute(sql, params).fetchall()``, ``con.sql(sql,
params=…).to_arrow_table()``, ``con.register(name, frame)``. :class:`Connection` gives
them that shape over a PostgreSQL session, so their logic reads the same on both backends
while their SQL is PostgreSQL's. A data-changing statement answers one row holding the
number of rows it changed, as DuckDB's do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.pg_store.session import Session

_CHANGES = ("INSERT", "UPDATE", "DELETE")
_NAMED = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _positional(sql: str, params: Mapping[str, object]) -> tuple[str, list[object]]:
    """``$name`` parameters as ``?`` ones, in the order they appear."""
    values: list[object] = []

    def one(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "?"

    return _NAMED.sub(one, sql), values


class Result:
    """The rows a statement answered."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows


class Relation:
    """A query to be read whole as Arrow."""

    def __init__(self, session: Session, sql: str, params: Sequence[object]) -> None:
        self._session = session
        self._sql = sql
        self._params = params

    def to_arrow_table(self) -> pa.Table:
        return self._session.arrow(self._sql, self._params)

    def pl(self) -> pl.DataFrame:
        return self._session.frame(self._sql, self._params)


class Connection:
    """``execute``, ``sql``, ``register`` and ``unregister`` over a session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def execute(
        self, sql: str, params: Sequence[object] | Mapping[str, object] | None = None
    ) -> Result:
        if isinstance(params, Mapping):
            sql, params = _positional(sql, params)
        first = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if first in _CHANGES and "RETURNING" not in sql.upper():
            return Result([(self._session.changed(sql, params or []),)])
        return Result(self._session.rows(sql, params or []))

    def sql(self, sql: str, params: Sequence[object] | None = None) -> Relation:
        return Relation(self._session, sql, params or [])

    def register(self, name: str, frame: pl.DataFrame) -> None:
        self._session.load(name, frame, temporary=True)

    def unregister(self, name: str) -> None:
        self._session.execute(f"DROP TABLE IF EXISTS {name}")
