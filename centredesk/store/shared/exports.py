"""The queries behind every export, with their filters, streamed in Arrow chunks.

An export may cover a million rows, so nothing here fetches a whole result into Python:
:meth:`ExportQuery.chunks` hands out polars frames of a bounded size, straight from the
backend's Arrow reader (:class:`ExportReader`), for the workbook writer to consume one at a
time. Filter values always go in as ``?`` parameters; the SQL is assembled only from the fixed
fragments below.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import polars as pl

from centredesk.dates import UK_DATE
from centredesk.store.exports import (
    CHUNK_ROWS,
    MAX_CHOICES,
    ExportFilters,
    ExportRows,
    FilterValue,
    SessionBookings,
)
from centredesk.store.interface import Exports
from centredesk.store.shared.dialect import Dialect


class ExportReader(Protocol):
    """How a backend runs an export's queries, away from its other work where it can."""

    def rows(self, sql: str, params: Sequence[object], /) -> list[tuple[Any, ...]]:
        """A small result (a count, a title, a list of codes)."""
        ...

    def frame(self, sql: str, params: Sequence[object], /) -> pl.DataFrame:
        """A whole, small result as a frame."""
        ...

    def stream(self, sql: str, params: Sequence[object], rows: int, /) -> Iterator[pl.DataFrame]:
        """A large result in frames of at most ``rows`` rows; one empty frame for none."""
        ...


@dataclass(frozen=True)
class _Sql:
    """A query's text and its parameters, before it is bound to a store."""

    sql: str
    params: list[object] = field(default_factory=list)


class ExportQuery(ExportRows):
    """A SELECT with its parameters, on a store's connection: count it, or stream it."""

    def __init__(self, session: ExportReader, query: _Sql) -> None:
        self._session = session
        self.sql = query.sql
        self.params = query.params

    def count(self) -> int:
        found = self._session.rows(f"SELECT count(*) FROM ({self.sql}) AS export_rows", self.params)
        return int(found[0][0])

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
        yield from self._session.stream(self.sql, self.params, rows)


class _Where:
    """Collects WHERE conditions and their parameters side by side."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self.conditions: list[str] = []
        self.params: list[object] = []

    def add(self, condition: str, *params: object) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def exact(self, column: str, value: object) -> None:
        if value is not None:
            self.add(f"{column} = ?", value)

    def part(self, column: str, value: str | None) -> None:
        # Not ILIKE: a % or _ the user types is just a character.
        if value is not None:
            self.add(self._dialect.contains.format(text=f"lower({column})", part="lower(?)"), value)

    def product(self, column: str, value: str | None) -> None:
        if value is not None:
            self.add(
                f"replace({column}, '/', '') = replace(upper(trim(?)), '/', '')",
                value,
            )

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.conditions) if self.conditions else ""


def _learner_filters(where: _Where, filters: ExportFilters, *, alias: str = "g") -> None:
    """The filters shared by results, registrations and bookings (``g`` = registration)."""
    where.exact(f"{alias}.centre_number", filters.centre)
    if filters.batch is not None:
        # Compared as text, so 0042 is not 42 and BT17 is a label, not a failed number.
        where.add(f"CAST({alias}.batch_number AS VARCHAR) = trim(?)", filters.batch)
    where.product(f"{alias}.product_code", filters.product)
    where.part("l.forename", filters.forename)
    where.part("l.surname", filters.surname)
    where.exact("l.date_of_birth", filters.dob)
    where.exact("l.learner_number", filters.learner)
    where.exact("l.uln", filters.uln)


def products(dialect: Dialect, filters: ExportFilters) -> _Sql:
    """A centre's approved products, or (without ``centre``) the whole catalogue."""
    where = _Where(dialect)
    where.product("p.product_code", filters.product)
    where.part("p.sector", filters.sector)
    where.part("p.title", filters.title)
    columns = """
        p.product_code, p.title, p.level, p.sector, p.discount_code,
        CASE WHEN p.external_assessment THEN 'Y' ELSE 'N' END AS external_assessment,
        p.assessment_mode, p.operational_end_date"""
    if filters.centre is None:
        sql = f"SELECT {columns} FROM products p{where.sql()} ORDER BY p.product_code"
        return _Sql(sql, where.params)
    where.add("a.centre_number = ?", filters.centre)
    sql = (
        f"SELECT {columns}, a.approved_on "
        f"FROM approvals a JOIN products p USING (product_code){where.sql()} "
        "ORDER BY p.product_code"
    )
    return _Sql(sql, where.params)


_RESULTS_FROM = """
    FROM results s
    JOIN registrations g USING (registration_id)
    JOIN learners l ON l.learner_number = g.learner_number
    LEFT JOIN products p ON p.product_code = g.product_code
"""


def _results_where(
    dialect: Dialect, filters: ExportFilters, today: date, *, released: bool
) -> _Where:
    where = _Where(dialect)
    _learner_filters(where, filters)
    if released:
        where.add("(s.release_date IS NULL OR s.release_date <= ?)", today)
    else:
        where.add("s.release_date > ?", today)
    return where


def results(dialect: Dialect, filters: ExportFilters, today: date) -> _Sql:
    """Released results matching ``filters``, as of ``today``."""
    where = _results_where(dialect, filters, today, released=True)
    sql = f"""
        SELECT g.centre_number, l.learner_number, l.uln, l.forename, l.surname,
               l.date_of_birth, g.batch_number, g.product_code, p.title, s.component,
               s.grade, s.result_date
        {_RESULTS_FROM}{where.sql()}
        ORDER BY g.centre_number, l.surname, l.forename, l.learner_number, g.product_code,
                 s.component, s.result_id
    """
    return _Sql(sql, where.params)


def withheld_results(dialect: Dialect, filters: ExportFilters, today: date) -> _Sql:
    """Results matching ``filters`` that are still before their release date."""
    where = _results_where(dialect, filters, today, released=False)
    return _Sql(f"SELECT s.result_id {_RESULTS_FROM}{where.sql()}", where.params)


def grade_counts(
    session: ExportReader, dialect: Dialect, filters: ExportFilters, today: date
) -> pl.DataFrame:
    """Released results per product and grade: product_code, title, grade, results."""
    where = _results_where(dialect, filters, today, released=True)
    sql = f"""
        SELECT g.product_code, min(p.title) AS title, s.grade, count(*) AS results
        {_RESULTS_FROM}{where.sql()}
        GROUP BY g.product_code, s.grade
        ORDER BY g.product_code, s.grade
    """
    return session.frame(sql, where.params)


def registrations(dialect: Dialect, filters: ExportFilters) -> _Sql:
    """Registrations with their learner and product, matching ``filters``."""
    where = _Where(dialect)
    _learner_filters(where, filters)
    if filters.status is not None:
        where.add("lower(g.status) = lower(trim(?))", filters.status)
    sql = f"""
        SELECT g.centre_number, l.learner_number, l.uln, l.forename, l.surname,
               l.date_of_birth, l.learner_reference, g.product_code, p.title,
               g.batch_number, g.registration_date, g.status
        FROM registrations g
        JOIN learners l ON l.learner_number = g.learner_number
        LEFT JOIN products p ON p.product_code = g.product_code
        {where.sql()}
        ORDER BY g.centre_number, l.surname, l.forename, l.learner_number, g.registration_id
    """
    return _Sql(sql, where.params)


_BOOKINGS_FROM = """
    FROM bookings b
    JOIN registrations g USING (registration_id)
    JOIN learners l ON l.learner_number = g.learner_number
    LEFT JOIN products p ON p.product_code = g.product_code
"""


def bookings(dialect: Dialect, filters: ExportFilters) -> _Sql:
    """Bookings with their learner, product, session and status, matching ``filters``."""
    where = _Where(dialect)
    _learner_filters(where, filters)
    if filters.status is not None:
        where.add("lower(b.status) = lower(trim(?))", filters.status)
    sql = f"""
        SELECT g.centre_number, l.learner_number, l.uln, l.forename, l.surname,
               l.date_of_birth, g.product_code, p.title, b.assessment, b.session_date,
               coalesce(b.assessment_mode, p.assessment_mode) AS assessment_mode,
               b.status, b.attempt, g.batch_number
        {_BOOKINGS_FROM}{where.sql()}
        ORDER BY b.session_date, g.centre_number, l.surname, l.forename, b.booking_id
    """
    return _Sql(sql, where.params)


_PAPER = "coalesce(b.assessment_mode, p.assessment_mode) = 'paper-based'"
# Cancelled and transferred bookings do not sit the session.
_STANDING = "b.status NOT IN ('Cancelled', 'Transferred')"


def _session_where(
    dialect: Dialect, product: str, session: date | None, centre: str | None
) -> _Where:
    where = _Where(dialect)
    where.product("g.product_code", product)
    where.exact("b.session_date", session)
    where.exact("g.centre_number", centre)
    return where


def register(dialect: Dialect, product: str, session: date, centre: str | None = None) -> _Sql:
    """Who sits a paper-based session: one product, one date, bookings still standing."""
    where = _session_where(dialect, product, session, centre)
    where.add(_PAPER)
    where.add(_STANDING)
    sql = f"""
        SELECT g.centre_number, l.learner_number, l.forename, l.surname, l.uln,
               l.reasonable_adjustments, b.assessment, NULL::VARCHAR AS signature
        {_BOOKINGS_FROM}{where.sql()}
        ORDER BY g.centre_number, l.surname, l.forename, l.learner_number
    """
    return _Sql(sql, where.params)


def session_bookings(
    session: ExportReader,
    dialect: Dialect,
    product: str,
    day: date,
    centre: str | None,
    today: date,
) -> SessionBookings:
    """Why a register holds what it holds: the day's bookings, counted by kind."""
    where = _session_where(dialect, product, day, centre)
    (counts,) = _fetch(
        session,
        f"""SELECT count(*) FILTER (WHERE {_STANDING} AND {_PAPER}),
                   count(*) FILTER (WHERE {_STANDING} AND NOT coalesce({_PAPER}, false)),
                   count(*) FILTER (WHERE NOT {_STANDING})
            {_BOOKINGS_FROM}{where.sql()}""",
        where.params,
    )
    dates = _session_where(dialect, product, None, centre)
    dates.add(_PAPER)
    dates.add(_STANDING)
    dates.add("b.session_date >= ?", today)
    found = _fetch(
        session,
        f"SELECT DISTINCT b.session_date {_BOOKINGS_FROM}{dates.sql()} "
        "ORDER BY b.session_date LIMIT 3",
        dates.params,
    )
    return SessionBookings(
        int(counts[0]), int(counts[1]), int(counts[2]), [row[0] for row in found]
    )


def charges(dialect: Dialect, filters: ExportFilters) -> _Sql:
    """Cancellation charges and fee credits, one line each, matching ``filters``."""
    where = _Where(dialect)
    where.exact("c.centre_number", filters.centre)
    where.exact("c.batch_number", filters.batch)
    if filters.since is not None:
        where.add("c.charged_on >= ?", filters.since)
    if filters.until is not None:
        where.add("c.charged_on <= ?", filters.until)
    sql = f"""
        SELECT c.charged_on, c.centre_number, c.kind, c.amount, c.registration_id,
               g.learner_number, l.forename, l.surname, g.product_code, c.batch_number,
               c.reason, c.audit_id, a.os_user
        FROM charges c
        JOIN audit_log a USING (audit_id)
        LEFT JOIN registrations g USING (registration_id)
        LEFT JOIN learners l ON l.learner_number = g.learner_number
        {where.sql()}
        ORDER BY c.charged_on, c.centre_number, c.audit_id, c.registration_id NULLS FIRST,
                 c.charge_id
    """
    return _Sql(sql, where.params)


def find_product(session: ExportReader, code: str) -> tuple[str, str] | None:
    """A catalogue product's code as stored and its title, given the code with or without
    slashes in any case; None when the catalogue has no such product."""
    found = _fetch(
        session,
        "SELECT product_code, title FROM products "
        "WHERE replace(product_code, '/', '') = replace(upper(trim(?)), '/', '')",
        [code],
    )
    return (str(found[0][0]), str(found[0][1])) if found else None


def centre_known(session: ExportReader, centre: str) -> bool:
    """Whether the store knows the centre (from approvals or registrations)."""
    found = _fetch(
        session,
        "SELECT 1 FROM centres WHERE centre_number = ? "
        "UNION ALL SELECT 1 FROM registrations WHERE centre_number = ? LIMIT 1",
        [centre, centre],
    )
    return bool(found)


def catalogue_codes(session: ExportReader) -> list[str]:
    """Every product code in the catalogue, sorted (for template dropdowns)."""
    found = _fetch(session, "SELECT product_code FROM products ORDER BY product_code")
    return [str(code) for (code,) in found]


_CHOICES = {
    "centre": """
        SELECT centre_number, centre_number || coalesce(' ' || max(name), '') FROM (
            SELECT centre_number, name FROM centres
            UNION ALL SELECT DISTINCT centre_number, NULL FROM registrations
        ) AS known GROUP BY centre_number ORDER BY centre_number LIMIT ?
    """,
    "batch": """
        SELECT batch_number, batch_number || ' (' || count(*) || ' registrations)'
        FROM registrations GROUP BY batch_number
        ORDER BY max(registration_id) DESC LIMIT ?
    """,
    "product": """
        SELECT product_code, product_code || ' ' || title FROM products
        ORDER BY product_code LIMIT ?
    """,
    "sector": """
        SELECT DISTINCT sector, sector FROM products WHERE sector IS NOT NULL
        ORDER BY sector LIMIT ?
    """,
}


def filter_values(
    session: ExportReader, dialect: Dialect, name: str, product: str | None
) -> list[FilterValue]:
    """The values the store holds for one choosable filter (see ``Exports.filter_values``)."""
    if name == "session":
        where = _Where(dialect)
        where.product("r.product_code", product)
        found = _fetch(
            session,
            "SELECT b.session_date, count(*) FROM bookings b "
            f"JOIN registrations r USING (registration_id){where.sql()} "
            "GROUP BY b.session_date ORDER BY b.session_date DESC LIMIT ?",
            [*where.params, MAX_CHOICES],
        )
        return [
            FilterValue(day.strftime(UK_DATE), f"{day:{UK_DATE}} ({count} bookings)")
            for day, count in found
        ]
    if name not in _CHOICES:
        raise ValueError(f"the store lists no values for the filter {name!r}")
    found = _fetch(session, _CHOICES[name], [MAX_CHOICES])
    return [FilterValue(str(value), str(label)) for value, label in found]


def _fetch(
    session: ExportReader, sql: str, params: list[object] | None = None
) -> list[tuple[Any, ...]]:
    return session.rows(sql, params or [])


class SharedExports(Exports):
    def __init__(self, session: ExportReader, dialect: Dialect) -> None:
        self._session = session
        self._dialect = dialect

    def products(self, filters: ExportFilters) -> ExportRows:
        return ExportQuery(self._session, products(self._dialect, filters))

    def results(self, filters: ExportFilters, today: date) -> ExportRows:
        return ExportQuery(self._session, results(self._dialect, filters, today))

    def withheld_results(self, filters: ExportFilters, today: date) -> ExportRows:
        return ExportQuery(self._session, withheld_results(self._dialect, filters, today))

    def grade_counts(self, filters: ExportFilters, today: date) -> pl.DataFrame:
        return grade_counts(self._session, self._dialect, filters, today)

    def registrations(self, filters: ExportFilters) -> ExportRows:
        return ExportQuery(self._session, registrations(self._dialect, filters))

    def bookings(self, filters: ExportFilters) -> ExportRows:
        return ExportQuery(self._session, bookings(self._dialect, filters))

    def register(self, product: str, session: date, centre: str | None = None) -> ExportRows:
        return ExportQuery(self._session, register(self._dialect, product, session, centre))

    def session_bookings(
        self, product: str, session: date, centre: str | None, today: date
    ) -> SessionBookings:
        return session_bookings(self._session, self._dialect, product, session, centre, today)

    def find_product(self, code: str) -> tuple[str, str] | None:
        return find_product(self._session, code)

    def centre_known(self, centre: str) -> bool:
        return centre_known(self._session, centre)

    def catalogue_codes(self) -> list[str]:
        return catalogue_codes(self._session)

    def charges(self, filters: ExportFilters) -> ExportRows:
        return ExportQuery(self._session, charges(self._dialect, filters))

    def filter_values(self, name: str, *, product: str | None = None) -> list[FilterValue]:
        return filter_values(self._session, self._dialect, name, product)
