"""The shape of a backend's connection and session, as the shared operations use them.

DuckDB's connection has this shape natively; the PostgreSQL backend gives its session the
same shape (``pg_store.compat``). The shared operations name these protocols, never a driver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

Params = Sequence[object] | Mapping[str, object]
"""``?`` parameters in order, or ``$name`` parameters by name."""


class Rows(Protocol):
    """What a statement answered."""

    def fetchall(self) -> list[tuple[Any, ...]]: ...


class Query(Protocol):
    """A query to be read whole as Arrow."""

    def to_arrow_table(self) -> pa.Table: ...


class Connection(Protocol):
    """Statements, whole-result queries and frames registered as tables, in SQL."""

    def execute(self, sql: str, params: Params = ..., /) -> Rows: ...

    def sql(self, sql: str, /, *, params: Sequence[object] = ...) -> Query: ...

    def register(self, name: str, frame: Any, /) -> object: ...

    def unregister(self, name: str, /) -> object: ...


class Session(Protocol):
    """Who is acting, a connection to read with, and transactions to write in."""

    @property
    def user(self) -> str: ...

    @property
    def con(self) -> Connection: ...

    def transaction(self) -> AbstractContextManager[Connection]: ...


def frame(con: Connection, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
    """A whole result as a polars frame."""
    result = pl.from_arrow(con.sql(sql, params=list(params)).to_arrow_table())
    assert isinstance(result, pl.DataFrame)
    return result
