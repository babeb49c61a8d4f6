"""The records behind the app's screens: the dashboard, a learner, an import.

Companion of each backend's ``browse`` (which pages whole tables): these queries each return
one screenful, small whatever the size of the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import polars as pl

from centredesk.store.interface import Details
from centredesk.store.records import (
    OTHER_COLUMNS,
    REGISTRATION_STATUS_ORDER,
    Dashboard,
    ImportSummary,
    LearnerDetail,
    RejectedRow,
)
from centredesk.store.shared.connection import Session, frame

IMPORT_COLUMNS = (
    "import_id, file_name, kind, sheet, rows_read, rows_accepted, rows_rejected, os_user, "
    "finished_at, rows_already_loaded, rolled_back_by"
)
"""The columns of an :class:`ImportSummary`, in its order."""

DASHBOARD_TABLES = ("learners", "registrations", "bookings", "results", "products", "centres")


class SharedDetails(Details):
    def __init__(self, session: Session) -> None:
        self._session = session

    def _frame(self, query: str, params: Sequence[object] = ()) -> pl.DataFrame:
        return frame(self._session.con, query, params)

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        return self._session.con.execute(query, list(params)).fetchall()

    def dashboard(self, *, latest: int = 5) -> Dashboard:
        counts_query = " UNION ALL ".join(
            f"SELECT '{table}', count(*) FROM {table}" for table in DASHBOARD_TABLES
        )
        counts = {str(name): int(str(n)) for name, n in self._rows(counts_query)}
        statuses = dict.fromkeys(REGISTRATION_STATUS_ORDER, 0)
        for status, n in self._rows("SELECT status, count(*) FROM registrations GROUP BY status"):
            statuses[str(status)] = int(str(n))
        imports = [
            ImportSummary(*row)  # type: ignore[arg-type]
            for row in self._rows(
                f"SELECT {IMPORT_COLUMNS} FROM imports ORDER BY import_id DESC LIMIT ?", [latest]
            )
        ]
        # Open: an issue of a rejected row of an import not rolled back, not loaded since
        # (fixed in place, or by a later import) and not closed by a later import (one that
        # loaded or rejected again the same record, or a later file of the same name) unless
        # that import was rolled back.
        open_issues = self._frame(
            """
            SELECT x.code, min(x.severity) AS severity, count(*) AS issues,
                   count(DISTINCT (x.import_id, x.row)) AS rows
            FROM import_issues x
            JOIN rejected_rows j ON j.import_id = x.import_id AND j.row = x.row
            JOIN imports i ON i.import_id = x.import_id
            LEFT JOIN imports closer ON closer.import_id = j.closed_by
            WHERE i.rolled_back_by IS NULL AND j.fixed_by IS NULL AND j.loaded_in IS NULL
              AND (j.closed_by IS NULL OR closer.rolled_back_by IS NOT NULL)
            GROUP BY x.code ORDER BY min(x.severity), issues DESC, x.code
            """,
        )
        return Dashboard(counts, statuses, imports, open_issues)

    def learner(self, learner_number: int) -> LearnerDetail | None:
        learner = self._frame(
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
        registrations = self._frame(
            """
            SELECT r.product_code, p.title, r.batch_number, r.registration_date, r.status
            FROM registrations r LEFT JOIN products p USING (product_code)
            WHERE r.learner_number = ? ORDER BY r.registration_date, r.registration_id
            """,
            [learner_number],
        )
        bookings = self._frame(
            """
            SELECT r.product_code, b.assessment, b.session_date, b.assessment_mode, b.status,
                   b.attempt, b.booking_id
            FROM bookings b JOIN registrations r USING (registration_id)
            WHERE r.learner_number = ? ORDER BY b.session_date, b.booking_id
            """,
            [learner_number],
        )
        results = self._frame(
            """
            SELECT r.product_code, s.component, s.grade, s.result_date, s.release_date,
                   coalesce(s.release_date > current_date, false) AS withheld
            FROM results s JOIN registrations r USING (registration_id)
            WHERE r.learner_number = ? ORDER BY s.result_date, s.result_id
            """,
            [learner_number],
        )
        # Each record of the learner a change touched, with that record's own values.
        history = self._frame(
            """
            SELECT a.changed_at, a.os_user, r.table_name, r.record_key, a.action,
                   CAST(r.before AS VARCHAR) AS before, CAST(r.after AS VARCHAR) AS after
            FROM audit_records r JOIN audit_log a USING (audit_id)
            WHERE (r.table_name = 'learners' AND r.record_key = CAST(? AS VARCHAR))
               OR (r.table_name = 'registrations' AND r.record_key IN (
                    SELECT CAST(registration_id AS VARCHAR) FROM registrations
                    WHERE learner_number = ?))
               OR (r.table_name = 'bookings' AND r.record_key IN (
                    SELECT CAST(b.booking_id AS VARCHAR) FROM bookings b
                    JOIN registrations g USING (registration_id) WHERE g.learner_number = ?))
               OR (r.table_name = 'results' AND r.record_key IN (
                    SELECT CAST(s.result_id AS VARCHAR) FROM results s
                    JOIN registrations g USING (registration_id) WHERE g.learner_number = ?))
            ORDER BY a.changed_at, a.audit_id, r.table_name, r.record_key
            """,
            [learner_number] * 4,
        )
        return LearnerDetail(
            learner.row(0, named=True),
            registrations,
            bookings,
            results,
            history,
            self._other_cells(learner_number),
        )

    def _other_cells(self, learner_number: int) -> pl.DataFrame:
        rows = self._rows(
            """
            SELECT r.product_code, CAST(o.cells AS VARCHAR)
            FROM registrations r
            JOIN other_cells o ON o.import_id = r.import_id AND o.row = r.source_row
            WHERE r.learner_number = ? ORDER BY r.registration_date, r.registration_id
            """,
            [learner_number],
        )
        # One learner's registrations: a handful of rows, each a small JSON object.
        found = [
            (product, column, value)
            for product, cells in rows
            for column, value in json.loads(str(cells)).items()
            if value is not None and str(value).strip()
        ]
        return pl.DataFrame(found, schema=dict.fromkeys(OTHER_COLUMNS, pl.String), orient="row")

    def import_summary(self, import_id: int) -> ImportSummary | None:
        rows = self._rows(f"SELECT {IMPORT_COLUMNS} FROM imports WHERE import_id = ?", [import_id])
        return ImportSummary(*rows[0]) if rows else None  # type: ignore[arg-type]

    def issue_groups(self, import_id: int) -> pl.DataFrame:
        return self._frame(
            """
            SELECT code, min(severity) AS severity, count(*) AS issues,
                   count(DISTINCT row) AS rows
            FROM import_issues WHERE import_id = ?
            GROUP BY code ORDER BY min(severity), issues DESC, code
            """,
            [import_id],
        )

    def rejected_row(self, import_id: int, row: int) -> RejectedRow | None:
        found = self._rows(
            "SELECT CAST(cells AS VARCHAR) FROM rejected_rows WHERE import_id = ? AND row = ?",
            [import_id, row],
        )
        if not found:
            return None
        cells = json.loads(str(found[0][0]))
        issues = self._frame(
            "SELECT column_name, code, severity, message, value FROM import_issues "
            "WHERE import_id = ? AND row = ? ORDER BY severity, code",
            [import_id, row],
        )
        text = {str(header): "" if value is None else str(value) for header, value in cells.items()}
        return RejectedRow(import_id, row, text, issues)
