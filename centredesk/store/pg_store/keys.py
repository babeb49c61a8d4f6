"""The keys of a browsed table on PostgreSQL, fetched a block at a time as they are needed.

Fetching the sorted key of every one of a million rows means sorting them all on the server
before the first screen can be drawn; a sort by a column without an index takes seconds.
:class:`KeysInBlocks` holds only the count at first, and fetches blocks of keys in display
order when a page of them is asked for: each block continues from the last row of the one
before it (keyset paging: ``WHERE (sort value, key) > (last ones) ORDER BY … LIMIT n``),
which a server answers with a top-N sort or an index scan, never a whole sort. A jump far
ahead (the last row) skips there with OFFSET once, and pages on from it by keyset again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from centredesk.store.pg_store.session import Session

BLOCK = 5_000
"""Keys fetched at a time: fifty of the app's pages."""


@dataclass(frozen=True)
class KeyQuery:
    """How the keys of one browse are selected and ordered."""

    key: str
    source: str
    where: str
    """`` WHERE …`` (or nothing): the search and scope."""
    params: list[object]
    order: str
    descending: bool


class KeysInBlocks:
    """Every key of a browse in display order, read from the server in blocks on demand.

    It answers ``len()``, ``slice(offset, length)`` (lazy: nothing is read until its
    ``to_pylist()``) and ``to_pylist()``, as the Arrow array of a DuckDB store does. Safe
    to use from several threads.
    """

    def __init__(self, session: Session, query: KeyQuery, count: int) -> None:
        self._session = session
        self._query = query
        self._count = count
        self._blocks: dict[int, list[Any]] = {}
        self._last: dict[int, tuple[Any, Any]] = {}
        """Block number -> the sort value and key of its last row."""
        self._lock = threading.Lock()

    @classmethod
    def counted_with_first_block(cls, session: Session, query: KeyQuery) -> KeysInBlocks:
        """The keys of a search, counted in the same visit that reads their first block.

        A search tests every row (folded names, text anywhere): once for the count and
        again for the first block, were they two queries. Here the matching rows are found
        once, then counted and their first block sorted out of them. Only for searches: a
        whole table is counted cheaply, and copying all its rows first would cost more.
        """
        rows = session.arrow(_block_sql(query, query.where, 0, counted=True), query.params)
        count = int(rows.column("total")[0].as_py()) if rows.num_rows else 0
        keys = cls(session, query, count)
        first: list[Any] = rows.column("key").to_pylist()
        keys._blocks[0] = first
        if first:
            keys._last[0] = (rows.column("sort_value")[-1].as_py(), first[-1])
        return keys

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def slice(self, offset: int, length: int | None = None) -> KeySlice:
        stop = self._count if length is None else min(self._count, offset + length)
        return KeySlice(self, max(0, offset), max(offset, stop))

    def to_pylist(self) -> list[Any]:
        return self.slice(0).to_pylist()

    def keys(self, start: int, stop: int) -> list[Any]:
        """The keys of rows ``start`` to ``stop`` (not included), reading what is missing."""
        found: list[Any] = []
        for number in range(start // BLOCK, (stop - 1) // BLOCK + 1 if stop > start else 0):
            block = self._block(number)
            first = number * BLOCK
            found.extend(block[max(start - first, 0) : stop - first])
        return found

    def _block(self, number: int) -> list[Any]:
        with self._lock:
            if number not in self._blocks:
                self._blocks[number] = self._read(number)
            return self._blocks[number]

    def _read(self, number: int) -> list[Any]:
        query = self._query
        where, params = query.where, list(query.params)
        after = self._last.get(number - 1)
        offset = 0
        if after is not None:
            condition, values = _after(query, *after)
            where = f"{where} AND {condition}" if where else f" WHERE {condition}"
            params.extend(values)
        else:
            offset = number * BLOCK
        rows = self._session.arrow(_block_sql(query, where, offset), params)
        keys: list[Any] = rows.column("key").to_pylist()
        if keys:
            self._last[number] = (rows.column("sort_value")[-1].as_py(), keys[-1])
        return keys


def _block_sql(query: KeyQuery, where: str, offset: int, *, counted: bool = False) -> str:
    """One block of keys (with each row's sort value, and the count of all when
    ``counted``) in display order, from ``offset``."""
    direction = "DESC" if query.descending else "ASC"
    order = f"ORDER BY sort_value {direction} NULLS LAST, key {direction}"
    if counted:
        # The matching rows are found once (the search's test is the costly part), then
        # counted and the first block taken from them by a top-N sort.
        return (
            f"WITH found AS MATERIALIZED (SELECT {query.key} AS key, {query.order} AS "
            f"sort_value FROM {query.source}{where}) "
            f"SELECT key, sort_value, (SELECT count(*) FROM found) AS total FROM found "
            f"{order} LIMIT {BLOCK} OFFSET {offset}"
        )
    return (
        f"SELECT {query.key} AS key, {query.order} AS sort_value FROM {query.source}{where} "
        f"ORDER BY {query.order} {direction} NULLS LAST, {query.key} {direction} "
        f"LIMIT {BLOCK} OFFSET {offset}"
    )


def _after(query: KeyQuery, value: Any, key: Any) -> tuple[str, list[object]]:
    """The rows that come after (``value``, ``key``) in display order, nulls last."""
    beyond = "<" if query.descending else ">"
    order, key_expr = query.order, query.key
    if value is None:
        return f"({order} IS NULL AND {key_expr} {beyond} ?)", [key]
    return (
        f"({order} {beyond} ? OR ({order} = ? AND {key_expr} {beyond} ?) OR {order} IS NULL)",
        [value, value, key],
    )


class KeySlice:
    """Rows ``start`` to ``stop`` of a :class:`KeysInBlocks`, read when listed."""

    def __init__(self, keys: KeysInBlocks, start: int, stop: int) -> None:
        self._keys = keys
        self._start = start
        self._stop = stop

    def __len__(self) -> int:
        return self._stop - self._start

    def to_pylist(self) -> list[Any]:
        return self._keys.keys(self._start, self._stop)
