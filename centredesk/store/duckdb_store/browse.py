"""The app's paged tables on DuckDB: the views of :mod:`centredesk.store.views` as SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.duckdb_store.session import Session
from centredesk.store.errors import StoreError
from centredesk.store.interface import Browse, RowKeys
from centredesk.store.views import WORDS, SearchField, View, normalise_prefix, plain_words
from centredesk.store.views import view as find_view


def _condition(search: SearchField) -> tuple[str, int]:
    """The search field's test in DuckDB's dialect, and how many ``?`` it has; each ``?``
    takes the normalised prefix (for words, the second one with a space before it)."""
    expr = search.expr
    if search.match == "code":
        # Product codes are typed with or without slashes; compare without them.
        condition = f"starts_with(lower(replace({expr}, '/', '')), ?)"
    elif search.match == "date":
        # Match what people type: ISO (2010-04-03) or UK day-first (03/04/2010).
        condition = (
            f"(starts_with(strftime({expr}, '%Y-%m-%d'), ?) "
            f"OR starts_with(strftime({expr}, '%d/%m/%Y'), ?))"
        )
    elif search.match == "words":
        # The column holds folded words: the first, or any after a space, may match.
        condition = f"(starts_with({expr}, ?) OR contains({expr}, ?))"
    elif search.match == "yesno":
        condition = f"starts_with(CASE WHEN {expr} THEN 'yes' ELSE 'no' END, ?)"
    elif search.match == "contains":
        condition = f"contains(lower(CAST({expr} AS VARCHAR)), ?)"
    else:
        condition = f"starts_with(lower(CAST({expr} AS VARCHAR)), ?)"
    return search.within.format(condition), condition.count("?")


def _tests(search: SearchField, prefix: str) -> tuple[str, list[object]]:
    condition, marks = _condition(search)
    typed = normalise_prefix(search, prefix)
    if search.match == "words":
        # Each word typed must begin a word of the value, in any order.
        words = typed.split() or [""]
        tests = " AND ".join([condition] * len(words))
        return f"({tests})", [value for word in words for value in (word, f" {word}")]
    return condition, [typed] * marks


def _where(
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


class DuckDBBrowse(Browse):
    def __init__(self, session: Session) -> None:
        self._session = session

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
        order = target.column(sort or target.default_sort).expr
        where, params = _where(target, search or {}, scope or {})
        if descending is None:
            descending = target.default_descending if sort is None else False
        direction = "DESC" if descending else "ASC"
        query = (
            f"SELECT {target.key} AS key FROM {target.source}{where} "
            f"ORDER BY {order} {direction} NULLS LAST, {target.key} {direction}"
        )
        keys: RowKeys = self._session.con.sql(query, params=params).to_arrow_table().column("key")
        return keys

    def rows(self, view: str, keys: Sequence[object]) -> pa.Table:
        target = find_view(view)
        if not keys:
            return pa.table({"key": pa.array([], pa.int64())})
        cells = ", ".join(f"{column.expr} AS {column.name}" for column in target.columns)
        query = (
            f"SELECT {target.key} AS key, {cells} FROM {target.source} "
            f"WHERE {target.key} = ANY(?) ORDER BY list_position(?, {target.key})"
        )
        key_list = list(keys)
        return self._session.con.sql(query, params=[key_list, key_list]).to_arrow_table()

    def total(self, view: str, *, scope: Mapping[str, object] | None = None) -> int:
        target = find_view(view)
        where, params = _where(target, {}, scope or {})
        query = f"SELECT count(*) FROM {target.source}{where}"
        return int(self._session.con.execute(query, params).fetchall()[0][0])
