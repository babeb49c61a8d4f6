"""The records behind the app's screens: the dashboard, a learner, an import's issues.

Companion of :mod:`centredesk.store.browse` (which pages whole tables): these queries each
return one screenful, small whatever the size of the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from centredesk.store.browse import UK_DATE, UK_TIME
from centredesk.store.connection import Store


def _frame(store: Store, query: str, params: Sequence[object] = ()) -> pl.DataFrame:
    result = pl.from_arrow(store.con.sql(query, params=list(params)).to_arrow_table())
    assert isinstance(result, pl.DataFrame)
    return result


@dataclass(frozen=True)
class ImportSummary:
    """One import as the app lists it."""

    import_id: int
    file_name: str
    kind: str
    sheet: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    os_user: str
    finished_at: datetime


_IMPORT_COLUMNS = (
    "import_id, file_name, kind, sheet, rows_read, rows_accepted, rows_rejected, os_user, "
    "finished_at"
)


@dataclass(frozen=True)
class Dashboard:
    """The figures of the first screen."""

    counts: dict[str, int]
    registrations_by_status: dict[str, int]
    latest_imports: list[ImportSummary]
    open_issues: pl.DataFrame
    """code, severity, issues, rows: issues of each file's latest import, by rule."""


DASHBOARD_TABLES = ("learners", "registrations", "bookings", "results", "products", "centres")


def dashboard(store: Store, *, latest: int = 5) -> Dashboard:
    """Counts per table, registrations by status, the latest imports and open issues.

    An issue is open while the latest import of its file still carries it: loading a
    corrected file again under the same name closes the issues of the earlier attempt.
    """
    counts_query = " UNION ALL ".join(
        f"SELECT '{table}', count(*) FROM {table}" for table in DASHBOARD_TABLES
    )
    counts = {str(name): int(n) for name, n in store.con.execute(counts_query).fetchall()}
    statuses = dict.fromkeys(("active", "withdrawn", "cancelled", "completed"), 0)
    for status, n in store.con.execute(
        "SELECT status, count(*) FROM registrations GROUP BY status"
    ).fetchall():
        statuses[str(status)] = int(n)
    imports = [
        ImportSummary(*row)
        for row in store.con.execute(
            f"SELECT {_IMPORT_COLUMNS} FROM imports ORDER BY import_id DESC LIMIT ?", [latest]
        ).fetchall()
    ]
    open_issues = _frame(
        store,
        """
        WITH latest AS (SELECT max(import_id) AS import_id FROM imports GROUP BY file_name)
        SELECT code, min(severity) AS severity, count(*) AS issues,
               count(DISTINCT (x.import_id, x.row)) AS rows
        FROM import_issues x JOIN latest USING (import_id)
        GROUP BY code ORDER BY issues DESC, code
        """,
    )
    return Dashboard(counts, statuses, imports, open_issues)


@dataclass(frozen=True)
class LearnerDetail:
    """A learner and everything recorded about them."""

    details: dict[str, object]
    registrations: pl.DataFrame
    """product_code, title, batch_number, registration_date, status."""
    bookings: pl.DataFrame
    """product_code, assessment, session_date, assessment_mode, status, attempt."""
    results: pl.DataFrame
    """product_code, component, grade, result_date, release_date, and ``withheld``: the
    release date is still to come, so the centre may not tell the learner yet."""
    history: pl.DataFrame
    """The audit log entries of the learner and of their registrations: changed_at,
    os_user, table_name, record_key, action, before, after (JSON text)."""


def learner_detail(store: Store, learner_number: int) -> LearnerDetail | None:
    """The learner with ``learner_number`` and their records; None if there is none."""
    learner = _frame(
        store,
        """
        SELECT l.learner_number, l.forename, l.surname, l.date_of_birth, l.uln,
               l.learner_reference, l.reasonable_adjustments, l.centre_number,
               c.name AS centre_name, l.import_id, l.created_at
        FROM learners l LEFT JOIN centres c USING (centre_number)
        WHERE l.learner_number = ?
        """,
        [learner_number],
    )
    if learner.height == 0:
        return None
    registrations = _frame(
        store,
        """
        SELECT r.product_code, p.title, r.batch_number, r.registration_date, r.status
        FROM registrations r LEFT JOIN products p USING (product_code)
        WHERE r.learner_number = ? ORDER BY r.registration_date, r.registration_id
        """,
        [learner_number],
    )
    bookings = _frame(
        store,
        """
        SELECT r.product_code, b.assessment, b.session_date, b.assessment_mode, b.status,
               b.attempt
        FROM bookings b JOIN registrations r USING (registration_id)
        WHERE r.learner_number = ? ORDER BY b.session_date, b.booking_id
        """,
        [learner_number],
    )
    results = _frame(
        store,
        """
        SELECT r.product_code, s.component, s.grade, s.result_date, s.release_date,
               coalesce(s.release_date > current_date, false) AS withheld
        FROM results s JOIN registrations r USING (registration_id)
        WHERE r.learner_number = ? ORDER BY s.result_date, s.result_id
        """,
        [learner_number],
    )
    history = _frame(
        store,
        """
        SELECT a.changed_at, a.os_user, a.table_name, a.record_key, a.action,
               CAST(a.before AS VARCHAR) AS before, CAST(a.after AS VARCHAR) AS after
        FROM audit_log a
        WHERE (a.table_name = 'learners' AND a.record_key = CAST(? AS VARCHAR))
           OR (a.table_name = 'registrations' AND a.record_key IN (
                SELECT CAST(registration_id AS VARCHAR) FROM registrations
                WHERE learner_number = ?))
        ORDER BY a.changed_at, a.audit_id
        """,
        [learner_number, learner_number],
    )
    return LearnerDetail(learner.row(0, named=True), registrations, bookings, results, history)


def import_summary(store: Store, import_id: int) -> ImportSummary | None:
    """One import's record; None if there is none."""
    rows = store.con.execute(
        f"SELECT {_IMPORT_COLUMNS} FROM imports WHERE import_id = ?", [import_id]
    ).fetchall()
    return ImportSummary(*rows[0]) if rows else None


def issue_groups(store: Store, import_id: int) -> pl.DataFrame:
    """An import's issues by rule: code, severity, issues, rows; errors first."""
    return _frame(
        store,
        """
        SELECT code, min(severity) AS severity, count(*) AS issues,
               count(DISTINCT row) AS rows
        FROM import_issues WHERE import_id = ?
        GROUP BY code ORDER BY min(severity), issues DESC, code
        """,
        [import_id],
    )


@dataclass(frozen=True)
class RejectedRow:
    """A rejected source row: its cells as read (header text -> cell text) and its issues."""

    import_id: int
    row: int
    cells: dict[str, str]
    issues: pl.DataFrame
    """column_name, code, severity, message, value."""


def rejected_row(store: Store, import_id: int, row: int) -> RejectedRow | None:
    """The cells and issues of source row ``row`` of an import; None if it was not rejected."""
    found = store.con.execute(
        "SELECT CAST(cells AS VARCHAR) FROM rejected_rows WHERE import_id = ? AND row = ?",
        [import_id, row],
    ).fetchall()
    if not found:
        return None
    cells = json.loads(found[0][0])
    issues = _frame(
        store,
        "SELECT column_name, code, severity, message, value FROM import_issues "
        "WHERE import_id = ? AND row = ? ORDER BY severity, code",
        [import_id, row],
    )
    text = {str(header): "" if value is None else str(value) for header, value in cells.items()}
    return RejectedRow(import_id, row, text, issues)


def cell_text(value: object) -> str:
    """How the app shows one stored value: dates day first (UK), nothing for null."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(UK_TIME)
    if isinstance(value, date):
        return value.strftime(UK_DATE)
    return str(value)
