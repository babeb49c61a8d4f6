"""Every query the app asks of the store: paged tables, counts and the records behind a row.

A browsable table is a :class:`View`: its rows, its key, the columns it shows, the columns it
sorts by and the search fields it understands. Paging works in two steps so that a page of a
1,000,000-row table costs milliseconds whatever the sort or filter:

1. :func:`row_keys` returns the key of every matching row, in display order (one column of
   integers or codes; its length is the filtered count);
2. :func:`rows_for_keys` fetches the displayed cells of one page of those keys.

Only identifiers from :data:`VIEWS` reach the SQL text; every value is a ``?`` parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.connection import Store
from centredesk.store.errors import StoreError


@dataclass(frozen=True)
class Column:
    """One displayed column: its name, header, width in cells and SQL expression."""

    name: str
    label: str
    width: int
    expr: str
    """The value as stored: what the column sorts by."""
    display: str = ""
    """The value as shown (text); the stored value cast to text when empty."""

    def shown(self) -> str:
        return self.display or f"CAST({self.expr} AS VARCHAR)"


@dataclass(frozen=True)
class View:
    """A browsable table: where its rows come from and how they are searched and sorted."""

    name: str
    key: str
    source: str
    """The FROM clause, joins included."""
    columns: tuple[Column, ...]
    search: Mapping[str, str] = field(default_factory=dict)
    """Search field -> SQL condition whose ``?`` marks take the lower-cased prefix."""
    scope: Mapping[str, str] = field(default_factory=dict)
    """Scope field -> SQL expression compared for equality (an import's issues)."""
    default_sort: str = ""
    default_descending: bool = False

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        sortable = ", ".join(column.name for column in self.columns)
        raise StoreError(f"{self.name} cannot be sorted by {name!r}; choose one of {sortable}")


UK_DATE = "%d/%m/%Y"
"""How the app writes a date: day first, as people in the UK read it."""
UK_TIME = "%d/%m/%Y %H:%M"
"""How the app writes a moment (an import, a change): the UK date and the time."""


def _date_column(name: str, label: str, expr: str) -> Column:
    # Sorted on the stored DATE (chronological), shown day first.
    return Column(name, label, 10, expr, f"strftime({expr}, '{UK_DATE}')")


def _prefix(expr: str) -> str:
    return f"starts_with(lower(CAST({expr} AS VARCHAR)), ?)"


def _dob(expr: str) -> str:
    # Match what people type: ISO (2010-04-03) or UK day-first (03/04/2010).
    return (
        f"(starts_with(strftime({expr}, '%Y-%m-%d'), ?) "
        f"OR starts_with(strftime({expr}, '%d/%m/%Y'), ?))"
    )


def _product(expr: str) -> str:
    # Product codes are typed with or without slashes; compare without them.
    return f"starts_with(lower(replace({expr}, '/', '')), ?)"


def _learner_search(learner: str) -> dict[str, str]:
    return {
        "forename": _prefix(f"{learner}.forename"),
        "surname": _prefix(f"{learner}.surname"),
        "date_of_birth": _dob(f"{learner}.date_of_birth"),
        "learner_number": _prefix(f"{learner}.learner_number"),
        "uln": _prefix(f"{learner}.uln"),
    }


def _registration_search(registration: str, learner: str) -> dict[str, str]:
    return {
        "batch": _prefix(f"{registration}.batch_number"),
        "product_code": _product(f"{registration}.product_code"),
        **_learner_search(learner),
    }


_LEARNER_COLUMNS = (
    Column("surname", "Surname", 14, "l.surname"),
    Column("forename", "Forename", 12, "l.forename"),
    _date_column("date_of_birth", "Born", "l.date_of_birth"),
)
_REG_JOIN = "JOIN learners l ON l.learner_number = r.learner_number"

VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View(
            "learners",
            "l.learner_number",
            "learners l",
            (
                Column("learner_number", "Learner", 8, "l.learner_number"),
                *_LEARNER_COLUMNS,
                Column("uln", "ULN", 10, "l.uln"),
                Column("centre_number", "Centre", 7, "l.centre_number"),
                Column("learner_reference", "Reference", 12, "l.learner_reference"),
            ),
            {
                **_learner_search("l"),
                # A learner matches a batch or product through any of their registrations.
                **{
                    name: f"l.learner_number IN (SELECT x.learner_number FROM registrations x "
                    f"WHERE {condition})"
                    for name, condition in _registration_search("x", "x").items()
                    if name in ("batch", "product_code")
                },
            },
            default_sort="learner_number",
        ),
        View(
            "registrations",
            "r.registration_id",
            f"registrations r {_REG_JOIN}",
            (
                Column("learner_number", "Learner", 8, "r.learner_number"),
                *_LEARNER_COLUMNS[:2],
                Column("product_code", "Product", 10, "r.product_code"),
                Column("batch_number", "Batch", 6, "r.batch_number"),
                _date_column("registration_date", "Registered", "r.registration_date"),
                Column("status", "Status", 9, "r.status"),
                Column("registration_id", "Reg. id", 8, "r.registration_id"),
            ),
            _registration_search("r", "l"),
            default_sort="registration_id",
        ),
        View(
            "bookings",
            "b.booking_id",
            f"bookings b JOIN registrations r ON r.registration_id = b.registration_id {_REG_JOIN}",
            (
                Column("learner_number", "Learner", 8, "r.learner_number"),
                Column("surname", "Surname", 11, "l.surname"),
                Column("product_code", "Product", 10, "r.product_code"),
                Column("assessment", "Assessment", 10, "b.assessment"),
                _date_column("session_date", "Session", "b.session_date"),
                Column("status", "Status", 14, "b.status"),
                Column("attempt", "Attempt", 7, "b.attempt"),
                Column("booking_id", "Booking", 8, "b.booking_id"),
            ),
            _registration_search("r", "l"),
            default_sort="booking_id",
        ),
        View(
            "results",
            "s.result_id",
            f"results s JOIN registrations r ON r.registration_id = s.registration_id {_REG_JOIN}",
            (
                Column("learner_number", "Learner", 8, "r.learner_number"),
                Column("surname", "Surname", 11, "l.surname"),
                Column("product_code", "Product", 10, "r.product_code"),
                Column("component", "Component", 10, "s.component"),
                Column("grade", "Grade", 11, "s.grade"),
                _date_column("result_date", "Result", "s.result_date"),
                _date_column("release_date", "Release", "s.release_date"),
                Column("result_id", "Result id", 9, "s.result_id"),
            ),
            _registration_search("r", "l"),
            default_sort="result_id",
        ),
        View(
            "products",
            "p.product_code",
            "products p",
            (
                Column("product_code", "Product", 10, "p.product_code"),
                Column("title", "Title", 30, "p.title"),
                Column("level", "Level", 5, "p.level"),
                Column("discount_code", "Discount", 8, "p.discount_code"),
                Column(
                    "external_assessment",
                    "Exam",
                    4,
                    "p.external_assessment",
                    "CASE WHEN p.external_assessment THEN 'yes' ELSE 'no' END",
                ),
                Column("assessment_mode", "Mode", 11, "p.assessment_mode"),
                _date_column("operational_end_date", "Ends", "p.operational_end_date"),
                Column("grading_scheme", "Grading", 12, "p.grading_scheme"),
            ),
            {"product_code": _product("p.product_code")},
            default_sort="product_code",
        ),
        View(
            "imports",
            "i.import_id",
            "imports i",
            (
                Column("import_id", "No.", 4, "i.import_id"),
                Column(
                    "finished_at",
                    "When",
                    16,
                    "i.finished_at",
                    f"strftime(i.finished_at, '{UK_TIME}')",
                ),
                Column("file_name", "File", 20, "i.file_name"),
                Column("kind", "Kind", 9, "i.kind"),
                Column("rows_accepted", "Loaded", 7, "i.rows_accepted"),
                Column("rows_rejected", "Rejected", 8, "i.rows_rejected"),
                Column("os_user", "By", 10, "i.os_user"),
            ),
            default_sort="import_id",
            default_descending=True,
        ),
        View(
            "issues",
            "x.rowid",
            "import_issues x",
            (
                Column("row", "Row", 7, "x.row"),
                Column("column_name", "Column", 16, "x.column_name"),
                Column(
                    "value",
                    "Value",
                    16,
                    "x.value",
                    # A parsed date is kept as ISO text; show it day first like the rest.
                    f"coalesce(strftime(try_strptime(x.value, '%Y-%m-%d'), '{UK_DATE}'), x.value)",
                ),
                Column("message", "Message", 50, "x.message"),
            ),
            scope={"import_id": "x.import_id", "code": "x.code"},
            default_sort="row",
        ),
    )
}


def view(name: str) -> View:
    """The view called ``name``; a :class:`StoreError` naming the known ones otherwise."""
    try:
        return VIEWS[name]
    except KeyError:
        raise StoreError(f"no table called {name!r}; choose one of {', '.join(VIEWS)}") from None


_UK_DAY_MONTH = re.compile(r"(\d{1,2})(?:[/.-](\d{1,2})?)?([/.-].*)?")


def _normalise_prefix(search_field: str, prefix: str) -> str:
    prefix = prefix.strip().casefold()
    if search_field == "product_code":
        prefix = prefix.replace("/", "")
    if search_field == "date_of_birth":
        prefix = _uk_date_prefix(prefix)
    return prefix


def _uk_date_prefix(prefix: str) -> str:
    """``3/4/2010``, ``03.04`` or ``3-4`` as the stored text ``03/04/2010`` or ``03/04``.

    Day and month are padded to two digits once the next part has begun (or a lone month
    digit can only be one month), so a date typed without leading zeros still matches; a
    four-digit year first means ISO and is kept as typed.
    """
    match = _UK_DAY_MONTH.fullmatch(prefix)
    if match is None or re.match(r"\d{4}", prefix):
        return prefix
    day, month, rest = match.groups()
    if match.end(1) == len(prefix):
        return day  # still typing the day
    text = f"{int(day):02d}/"
    if month is not None:
        # No month begins with 2-9, so a lone 4 can only mean April.
        finished = rest is not None or month[0] in "23456789"
        text += f"{int(month):02d}" if finished else month
    if rest is not None:
        text += "/" + rest[1:]
    return text


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
        if name not in target.search:
            known = ", ".join(target.search) or "nothing"
            raise StoreError(f"{target.name} cannot be searched by {name}; it knows {known}")
        condition = target.search[name]
        clauses.append(condition)
        params.extend([_normalise_prefix(name, prefix)] * condition.count("?"))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def row_keys(
    store: Store,
    name: str,
    *,
    search: Mapping[str, str] | None = None,
    scope: Mapping[str, object] | None = None,
    sort: str | None = None,
    descending: bool | None = None,
) -> pa.ChunkedArray:
    """The key of every row of ``name`` that matches, in display order.

    ``search`` maps search fields to case-insensitive prefixes (all must match); ``scope``
    maps scope fields to exact values. Sorting happens in the database, ties broken by key.
    """
    target = view(name)
    order = target.column(sort or target.default_sort).expr
    where, params = _where(target, search or {}, scope or {})
    if descending is None:
        descending = target.default_descending if sort is None else False
    direction = "DESC" if descending else "ASC"
    query = (
        f"SELECT {target.key} AS key FROM {target.source}{where} "
        f"ORDER BY {order} {direction} NULLS LAST, {target.key} {direction}"
    )
    return store.con.sql(query, params=params).to_arrow_table().column("key")


def rows_for_keys(store: Store, name: str, keys: Sequence[object]) -> pa.Table:
    """The displayed cells (as text) of the rows with ``keys``, in the order of ``keys``.

    The first column, ``key``, is the row's key; the rest are the view's columns by name.
    """
    target = view(name)
    if not keys:
        return pa.table({"key": pa.array([], pa.int64())})
    cells = ", ".join(f"{column.shown()} AS {column.name}" for column in target.columns)
    query = (
        f"SELECT {target.key} AS key, {cells} FROM {target.source} "
        f"WHERE {target.key} = ANY(?) ORDER BY list_position(?, {target.key})"
    )
    key_list = list(keys)
    return store.con.sql(query, params=[key_list, key_list]).to_arrow_table()


def total(store: Store, name: str, *, scope: Mapping[str, object] | None = None) -> int:
    """How many rows ``name`` holds (within ``scope``), before any search."""
    target = view(name)
    where, params = _where(target, {}, scope or {})
    rows = store.con.execute(f"SELECT count(*) FROM {target.source}{where}", params).fetchall()
    return int(rows[0][0])


def page(
    store: Store,
    name: str,
    offset: int,
    limit: int,
    *,
    search: Mapping[str, str] | None = None,
    sort: str | None = None,
    descending: bool = False,
) -> pa.Table:
    """One page in one call, for scripts: the keys of the page, then their cells."""
    keys = row_keys(store, name, search=search, sort=sort, descending=descending)
    return rows_for_keys(store, name, keys.slice(offset, limit).to_pylist())


def data_version(store: Store) -> tuple[int, ...]:
    """A cheap fingerprint of the data: it changes when an import or a change lands."""
    rows = store.con.execute(
        "SELECT (SELECT coalesce(max(import_id), 0) FROM imports), "
        "(SELECT coalesce(max(audit_id), 0) FROM audit_log), "
        "(SELECT count(*) FROM learners), (SELECT count(*) FROM registrations)"
    ).fetchall()
    return tuple(int(value) for value in rows[0])
