"""The parts of writing an import that read the same on every backend.

Each runs on the writing transaction's connection, with the import's frames registered as
``incoming`` (its accepted rows), ``incoming_issues`` and ``incoming_rejected``.
"""

from __future__ import annotations

from centredesk.store.shared.connection import Connection
from centredesk.store.shared.dialect import Dialect
from centredesk.store.shared.import_keys import keep_overwritten
from centredesk.validation.catalogue import REPEATS


def _count(con: Connection, query: str) -> int:
    return int(con.execute(query).fetchall()[0][0] or 0)


def close_rejections(con: Connection, import_id: int, file_name: str) -> None:
    """Close the rejected rows this import settles (see ``rejected_rows.closed_by``)."""
    repeats = ", ".join("?" for _ in REPEATS)
    # Its own rows rejected only for repeating a record kept elsewhere.
    con.execute(
        f"""
        UPDATE rejected_rows SET closed_by = import_id
        WHERE import_id = ? AND row NOT IN (
            SELECT row FROM incoming_issues
            WHERE severity = 'error' AND row IS NOT NULL AND code NOT IN ({repeats}))
        """,
        [import_id, *REPEATS],
    )
    # Earlier rejections of a record this import loads, or rejects again.
    con.execute(
        """
        UPDATE rejected_rows SET closed_by = ?
        WHERE closed_by IS NULL AND import_id < ? AND (
            subject IN (SELECT subject FROM incoming UNION ALL
                        SELECT subject FROM incoming_rejected)
            OR subject_alt IN (SELECT subject_alt FROM incoming UNION ALL
                               SELECT subject_alt FROM incoming_rejected))
        """,
        [import_id, import_id],
    )
    # The rest of the earlier imports of a file of the same name: this one replaces them
    # (a corrected file), including rows too broken to know their record.
    con.execute(
        """
        UPDATE rejected_rows SET closed_by = ?
        WHERE closed_by IS NULL AND fixed_by IS NULL AND loaded_in IS NULL
          AND import_id IN (SELECT import_id FROM imports WHERE file_name = ? AND import_id < ?
                            AND rolled_back_by IS NULL)
        """,
        [import_id, file_name, import_id],
    )


def write_products(con: Connection, dialect: Dialect, import_id: int) -> int:
    """Upsert the incoming products by code; how many rows were written."""
    keep_overwritten(
        con, dialect, import_id, "products", "SELECT DISTINCT product_code FROM incoming"
    )
    con.execute(
        """
        INSERT INTO products (product_code, title, level, sector, discount_code,
                              external_assessment, assessment_mode, operational_end_date,
                              grading_scheme, registration_fee, title_folded)
        SELECT product_code, title, level, sector, discount_code,
               coalesce(external_assessment, false), assessment_mode, operational_end_date,
               coalesce(grading_scheme, 'graded'), registration_fee, title_folded
        FROM incoming
        ON CONFLICT (product_code) DO UPDATE SET
            title = excluded.title, title_folded = excluded.title_folded,
            level = excluded.level, sector = excluded.sector,
            discount_code = excluded.discount_code,
            external_assessment = excluded.external_assessment,
            assessment_mode = excluded.assessment_mode,
            operational_end_date = excluded.operational_end_date,
            grading_scheme = excluded.grading_scheme,
            registration_fee = excluded.registration_fee
        """
    )
    return _count(con, "SELECT count(*) FROM incoming")


def write_approvals(con: Connection, dialect: Dialect, import_id: int) -> int:
    """Upsert the incoming centres and approvals; how many rows were written."""
    keep_overwritten(
        con, dialect, import_id, "centres", "SELECT DISTINCT centre_number FROM incoming"
    )
    keep_overwritten(
        con,
        dialect,
        import_id,
        "approvals",
        "SELECT DISTINCT centre_number || '|' || product_code FROM incoming",
    )
    con.execute(
        """
        INSERT INTO centres (centre_number, name)
        SELECT centre_number, max(centre_name) FROM incoming GROUP BY centre_number
        ON CONFLICT (centre_number) DO UPDATE SET name = coalesce(excluded.name, centres.name)
        """
    )
    con.execute(
        """
        INSERT INTO approvals (centre_number, product_code, approved_on)
        SELECT centre_number, product_code, approved_on FROM incoming
        ON CONFLICT (centre_number, product_code) DO UPDATE SET
            approved_on = coalesce(excluded.approved_on, approvals.approved_on)
        """
    )
    return _count(con, "SELECT count(*) FROM incoming")
