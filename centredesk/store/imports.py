"""Writing an import: accepted rows, the import record, its issues and rejected rows.

Everything of one import lands in one transaction (:func:`record_import`), so a crash or a
kill at any moment leaves the store as it was. Frames go in through Arrow (DuckDB reads a
registered polars frame directly); no row is inserted one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from centredesk.store.connection import Store
from centredesk.store.errors import StoreError

ISSUE_COLUMNS = ["row", "column", "field", "code", "severity", "message", "value"]


@dataclass(frozen=True)
class ImportMeta:
    """What the ``imports`` table records about one file."""

    file_name: str
    sha256: str
    kind: str
    sheet: str | None
    rows_read: int
    os_user: str
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True)
class PreviousImport:
    import_id: int
    file_name: str
    finished_at: datetime


def find_by_sha256(store: Store, sha256: str) -> PreviousImport | None:
    """The latest import of a file with this content, if there was one."""
    rows = store.con.execute(
        "SELECT import_id, file_name, finished_at FROM imports WHERE sha256 = ? "
        "ORDER BY import_id DESC LIMIT 1",
        [sha256],
    ).fetchall()
    if not rows:
        return None
    import_id, file_name, finished_at = rows[0]
    return PreviousImport(int(import_id), str(file_name), finished_at)


def imported_file_names(store: Store) -> set[str]:
    """The names of every file imported into the store."""
    return {row[0] for row in store.con.execute("SELECT file_name FROM imports").fetchall()}


def next_batch_number(store: Store) -> int:
    """A batch number no registration uses yet (for uploads that give none)."""
    rows = store.con.execute("SELECT max(batch_number) FROM registrations").fetchall()
    return int(rows[0][0] or 1000) + 1


def record_import(
    store: Store,
    meta: ImportMeta,
    accepted: pl.DataFrame,
    issues: pl.DataFrame,
    rejected: pl.DataFrame,
) -> int:
    """Write one import in one transaction and return its ``import_id``.

    ``accepted`` holds the parsed canonical columns of the rows without errors (plus
    ``row``); ``issues`` the issue records; ``rejected`` one row per rejected source row with
    ``row`` and ``cells`` (a JSON object of header text to cell text).
    """
    if accepted.height + rejected.height != meta.rows_read:
        raise StoreError(
            f"internal check failed: {accepted.height} accepted + {rejected.height} rejected "
            f"!= {meta.rows_read} rows read; nothing was written"
        )
    writer = _WRITERS.get(meta.kind)
    if writer is None:
        raise StoreError(f"unknown import kind {meta.kind!r}")
    con = store.con
    # Views are registered outside the transaction: unregistering inside an aborted one
    # would fail and hide the real error.
    con.register("incoming_issues", issues.select(ISSUE_COLUMNS))
    con.register("incoming_rejected", rejected.select("row", "cells"))
    con.register("incoming", accepted)
    try:
        with store.transaction():
            import_id = _scalar(con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    meta.file_name,
                    meta.sha256,
                    meta.kind,
                    meta.sheet,
                    meta.rows_read,
                    accepted.height,
                    rejected.height,
                    meta.os_user,
                    meta.started_at,
                    meta.finished_at,
                ],
            )
            con.execute(
                'INSERT INTO import_issues SELECT ?, row, "column", field, code, severity, '
                "message, value FROM incoming_issues",
                [import_id],
            )
            con.execute(
                "INSERT INTO rejected_rows SELECT ?, row, cells FROM incoming_rejected",
                [import_id],
            )
            written = writer(con, import_id) if accepted.height else 0
            if written != accepted.height:
                raise StoreError(
                    f"internal check failed: {written} of {accepted.height} accepted rows "
                    "could be attached; nothing was written"
                )
    finally:
        for view in ("incoming_issues", "incoming_rejected", "incoming"):
            con.unregister(view)
    return import_id


def _scalar(con: duckdb.DuckDBPyConnection, query: str, params: list[object] | None = None) -> int:
    rows = con.execute(query, params or []).fetchall()
    return int(rows[0][0] or 0)


def _write_products(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    con.execute(
        """
        INSERT INTO products
        SELECT product_code, title, level, sector, discount_code,
               coalesce(external_assessment, false), assessment_mode, operational_end_date,
               coalesce(grading_scheme, 'graded'), registration_fee
        FROM incoming
        ON CONFLICT (product_code) DO UPDATE SET
            title = excluded.title, level = excluded.level, sector = excluded.sector,
            discount_code = excluded.discount_code,
            external_assessment = excluded.external_assessment,
            assessment_mode = excluded.assessment_mode,
            operational_end_date = excluded.operational_end_date,
            grading_scheme = excluded.grading_scheme,
            registration_fee = excluded.registration_fee
        """
    )
    return _scalar(con, "SELECT count(*) FROM incoming")


def _write_approvals(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    con.execute(
        """
        INSERT INTO centres (centre_number, name)
        SELECT centre_number, max(centre_name) FROM incoming GROUP BY centre_number
        ON CONFLICT (centre_number) DO UPDATE SET name = coalesce(excluded.name, centres.name)
        """
    )
    con.execute(
        """
        INSERT INTO approvals
        SELECT centre_number, product_code, approved_on FROM incoming
        ON CONFLICT (centre_number, product_code) DO UPDATE SET
            approved_on = coalesce(excluded.approved_on, approvals.approved_on)
        """
    )
    return _scalar(con, "SELECT count(*) FROM incoming")


# A real ULN identifies a learner; the placeholder 9999999999 is shared by many people.
_REAL_ULN = "(uln IS NOT NULL AND uln <> '9999999999')"


def _write_learners(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    # Each incoming row's learner identity within its centre: the ULN when there is a real
    # one, else the normalised name and date of birth.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE incoming_identity AS
        SELECT *, centre_number || '|' || CASE WHEN {_REAL_ULN} THEN 'u:' || uln
                                               ELSE 'k:' || person_key END AS identity
        FROM incoming
        """
    )
    # Existing learners of the centre: by ULN, or (without a real ULN) by name and birth.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE identity_learner AS
        WITH ids AS (SELECT DISTINCT identity, centre_number, uln, person_key,
                            {_REAL_ULN} AS has_uln
                     FROM incoming_identity)
        SELECT ids.identity, min(l.learner_number) AS learner_number
        FROM ids JOIN learners l
          ON l.centre_number = ids.centre_number
         AND ((ids.has_uln AND l.uln = ids.uln)
              OR (NOT ids.has_uln AND l.person_key = ids.person_key))
        GROUP BY ids.identity
        """
    )
    base = _scalar(con, "SELECT coalesce(max(learner_number), 20000000) FROM learners")
    con.execute(
        """
        INSERT INTO identity_learner
        SELECT identity, ? + row_number() OVER (ORDER BY min(row))
        FROM incoming_identity
        WHERE identity NOT IN (SELECT identity FROM identity_learner)
        GROUP BY identity
        """,
        [base],
    )
    # New learners take their details from the first row that names them.
    con.execute(
        f"""
        INSERT INTO learners (learner_number, centre_number, forename, surname, date_of_birth,
                              uln, learner_reference, reasonable_adjustments, person_key,
                              import_id)
        SELECT il.learner_number, i.centre_number, i.forename, i.surname, i.date_of_birth,
               i.uln,
               i.learner_reference, i.reasonable_adjustments, i.person_key, {import_id}
        FROM incoming_identity i JOIN identity_learner il USING (identity)
        WHERE il.learner_number > ?
        QUALIFY row_number() OVER (PARTITION BY il.learner_number ORDER BY i.row) = 1
        """,
        [base],
    )
    first_id = _scalar(con, "SELECT coalesce(max(registration_id), 0) FROM registrations")
    con.execute(
        """
        INSERT INTO registrations
        SELECT ? + row_number() OVER (ORDER BY i.row), il.learner_number, i.product_code,
               i.centre_number, i.batch_number, i.registration_date, 'active', ?, i.row
        FROM incoming_identity i JOIN identity_learner il USING (identity)
        """,
        [first_id, import_id],
    )
    written = _scalar(con, "SELECT count(*) FROM registrations WHERE import_id = ?", [import_id])
    con.execute("DROP TABLE incoming_identity")
    con.execute("DROP TABLE identity_learner")
    return written


def _write_bookings(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    # Validation has already resolved each row's registration, attempt number and mode.
    first_id = _scalar(con, "SELECT coalesce(max(booking_id), 0) FROM bookings")
    con.execute(
        """
        INSERT INTO bookings
        SELECT ? + row_number() OVER (ORDER BY row), registration_id, assessment, session_date,
               assessment_mode, coalesce(booking_status, 'Active'), attempt, ?
        FROM incoming
        """,
        [first_id, import_id],
    )
    return _scalar(con, "SELECT count(*) FROM bookings WHERE import_id = ?", [import_id])


def _write_results(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    first_id = _scalar(con, "SELECT coalesce(max(result_id), 0) FROM results")
    con.execute(
        """
        INSERT INTO results
        SELECT ? + row_number() OVER (ORDER BY row), registration_id, component, grade,
               result_date, release_date, ?
        FROM incoming
        """,
        [first_id, import_id],
    )
    return _scalar(con, "SELECT count(*) FROM results WHERE import_id = ?", [import_id])


_WRITERS = {
    "products": _write_products,
    "approvals": _write_approvals,
    "learners": _write_learners,
    "bookings": _write_bookings,
    "results": _write_results,
}
