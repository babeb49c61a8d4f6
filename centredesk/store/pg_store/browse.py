"""The app's paged tables on PostgreSQL: the views of :mod:`centredesk.store.views` as SQL.

The keys of a table come in blocks as the app scrolls (:mod:`centredesk.store.pg_store.keys`),
so the first screen of a million rows sorted by any column costs a count and one top-N
query, not a sort of every row.

A search is a ``LIKE 'prefix%'`` on the lower-cased text; a word of a name or title is a
``LIKE`` on its folded column (at the start, or after a space), a scan of short text the
server does in about 0.1 s at a million learners. What is typed is escaped, so a ``%`` or
``_`` the user types is just a character.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.errors import StoreError
from centredesk.store.interface import Browse, RowKeys
from centredesk.store.pg_store.keys import KeyQuery, KeysInBlocks
from centredesk.store.pg_store.session import Session
from centredesk.store.views import WORDS, SearchField, View, normalise_prefix, plain_words
from centredesk.store.views import view as find_view

_KEYS = {"x.rowid": "x.issue_id"}
"""Keys of the shared views that are DuckDB's row id, and the column that stands for it."""


def key_of(target: View) -> str:
    return _KEYS.get(target.key, target.key)


def like_text(text: str) -> str:
    """``text`` as part of a LIKE pattern, taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching text that starts with ``prefix``, taken literally."""
    return like_text(prefix) + "%"


def _condition(search: SearchField) -> str:
    """The search field's test in PostgreSQL's dialect, each ``?`` a LIKE pattern (see
    :func:`_patterns`)."""
    expr = search.expr
    if search.match == "code":
        # Product codes are typed with or without slashes; compare without them.
        condition = f"lower(replace({expr}, '/', '')) LIKE ?"
    elif search.match == "date":
        # Match what people type: ISO (2010-04-03) or UK day-first (03/04/2010).
        condition = (
            f"(to_char({expr}, 'YYYY-MM-DD') LIKE ? OR to_char({expr}, 'DD/MM/YYYY') LIKE ?)"
        )
    elif search.match == "words":
        # The column holds folded words: the first, or any after a space, may match.
        condition = f"({expr} LIKE ? OR {expr} LIKE ?)"
    elif search.match == "yesno":
        condition = f"(CASE WHEN {expr} THEN 'yes' ELSE 'no' END) LIKE ?"
    else:
        condition = f"lower(({expr})::text) LIKE ?"
    return search.within.format(condition)


def _patterns(search: SearchField, typed: str) -> list[object]:
    """The LIKE patterns of :func:`_condition` for the normalised ``typed`` text."""
    if search.match == "words":
        return [like_prefix(typed), "% " + like_prefix(typed)]
    if search.match == "contains":
        return ["%" + like_prefix(typed)]
    return [like_prefix(typed)] * (2 if search.match == "date" else 1)


def _tests(search: SearchField, prefix: str) -> tuple[str, list[object]]:
    condition = _condition(search)
    typed = normalise_prefix(search, prefix)
    if search.match == "words":
        # Each word typed must begin a word of the value, in any order.
        words = typed.split() or [""]
        tests = " AND ".join([condition] * len(words))
        return f"({tests})", [value for word in words for value in _patterns(search, word)]
    return condition, _patterns(search, typed)


def where(
    target: View, search: Mapping[str, str], scope: Mapping[str, object]
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for name, value in scope.items():
        if name not in target.scope:
            raise StoreError(f"{target.name} cannot be narrowed by {name!r}")
        clauses.append(f"{target.scope[name]} = ?")
        params.append(value)
    for name, prefix in search.items():
        if name == WORDS:
            for word in plain_words(prefix):
                # A word matches if any natural field of the view matches it.
                tests = [_tests(field, word) for field in target.word_fields(word)]
                either = " OR ".join(test for test, _ in tests)
                clauses.append(f"({either})" if tests else "false")
                params.extend(value for _, values in tests for value in values)
            continue
        condition, values = _tests(target.search_field(name), prefix)
        clauses.append(condition)
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class PostgresBrowse(Browse):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._text_columns: dict[str, frozenset[str]] = {}

    def _order(self, target: View, name: str) -> str:
        """The sort expression of column ``name``: text in byte order (COLLATE "C"), as
        DuckDB sorts it, which is also the order PostgreSQL sorts fastest."""
        column = target.column(name)
        if target.name not in self._text_columns:
            cells = ", ".join(f"{c.expr} AS {c.name}" for c in target.columns)
            schema = self._session.arrow(f"SELECT {cells} FROM {target.source} LIMIT 0").schema
            self._text_columns[target.name] = frozenset(
                field.name for field in schema if pa.types.is_string(field.type)
            )
        if column.name in self._text_columns[target.name]:
            return f'{column.expr} COLLATE "C"'
        return column.expr

    def row_keys(
        self,
        view: str,
        *,
        search: Mapping[str, str] | None = None,
        scope: Mapping[str, object] | None = None,
        sort: str | None = None,
        descending: bool | None = None,
    ) -> RowKeys:
        target = find_view(view)
        key = key_of(target)
        order = self._order(target, sort or target.default_sort)
        condition, params = where(target, search or {}, scope or {})
        if descending is None:
            descending = target.default_descending if sort is None else False
        query = KeyQuery(key, target.source, condition, params, order, descending)
        if search:
            return KeysInBlocks.counted_with_first_block(self._session, query)
        counting = f"SELECT count(*) FROM {target.source}{condition}"
        count = int(self._session.scalar(counting, params))
        return KeysInBlocks(self._session, query, count)

    def rows(self, view: str, keys: Sequence[object]) -> pa.Table:
        target = find_view(view)
        if not keys:
            return pa.table({"key": pa.array([], pa.int64())})
        key = key_of(target)
        cells = ", ".join(f"{column.expr} AS {column.name}" for column in target.columns)
        query = (
            f"SELECT {key} AS key, {cells} FROM {target.source} "
            f"WHERE {key} = ANY(?) ORDER BY array_position(?, {key})"
        )
        key_list = list(keys)
        table = self._session.arrow(query, [key_list, key_list])
        return table

    def total(self, view: str, *, scope: Mapping[str, object] | None = None) -> int:
        target = find_view(view)
        condition, params = where(target, {}, scope or {})
        query = f"SELECT count(*) FROM {target.source}{condition}"
        return int(self._session.scalar(query, params))
