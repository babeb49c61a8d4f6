"""Writing an import on PostgreSQL: accepted rows, the import record, its issues and rejects.

Everything of one import lands in one transaction, so a crash or a kill at any moment leaves
the database as it was, and other people keep reading the data as it was until the commit.
The frames go to the server with binary COPY into temporary tables, and plain SQL moves them
into place; no row is inserted one at a time.

Imports from several people at once take turns at the write (an advisory lock for the
transaction), so the numbers each gives its new rows never collide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl

from centredesk.store import numbering
from centredesk.store.errors import ConcurrentImportError, RefusedChange, StoreError
from centredesk.store.folded import with_folded
from centredesk.store.interface import Imports
from centredesk.store.pg_store.compat import Connection
from centredesk.store.pg_store.dialect import DIALECT
from centredesk.store.pg_store.session import Session
from centredesk.store.records import (
    ISSUE_COLUMNS,
    Change,
    Dependent,
    ImportMeta,
    ImportSummary,
    PreviousImport,
)
from centredesk.store.shared import import_changes
from centredesk.store.shared.changes import begin_change
from centredesk.store.shared.details import IMPORT_COLUMNS
from centredesk.store.shared.import_keys import (
    next_key_base,
    remember_last_keys,
)
from centredesk.store.shared.import_writers import (
    close_rejections,
    write_approvals,
    write_products,
)

ANALYZE_AFTER = 10_000
"""Rows an import must load before it refreshes the planner's statistics itself."""
FIRST_BATCH = 1001
"""The label of the first batch the store assigns itself."""
IMPORT_LOCK = 0x63646970  # "cdip"
"""The advisory lock an import's transaction holds while it numbers and writes its rows."""

_SUBJECTS = ("subject", "subject_alt")
"""What record a row is about (``centredesk.validation.subjects``), given by the caller."""

_TABLES = {"learners": "learners", "products": "products"}
"""The table of an import kind whose rows carry folded names or titles."""


class PostgresImports(Imports):
    def __init__(self, session: Session) -> None:
        self._session = session

    def find_by_sha256(self, sha256: str) -> PreviousImport | None:
        rows = self._session.rows(
            # A rolled-back import no longer counts: its file may be imported again.
            "SELECT import_id, file_name, finished_at FROM imports WHERE sha256 = ? "
            "AND rolled_back_by IS NULL ORDER BY import_id DESC LIMIT 1",
            [sha256],
        )
        if not rows:
            return None
        import_id, file_name, finished_at = rows[0]
        return PreviousImport(int(import_id), str(file_name), finished_at)

    def file_names(self) -> set[str]:
        return {str(row[0]) for row in self._session.rows("SELECT file_name FROM imports")}

    def next_batch_number(self, incoming: pl.Series) -> str:
        labels = incoming.drop_nulls().unique().cast(pl.String).to_list()
        largest = self._session.scalar(
            "SELECT max(CAST(batch_number AS NUMERIC)) FROM ("
            "SELECT batch_number FROM registrations UNION ALL "
            "SELECT unnest(CAST(? AS VARCHAR[]))) AS labels(batch_number) "
            "WHERE batch_number ~ '^[0-9]{1,30}$'",
            [labels],
        )
        return str(FIRST_BATCH if largest is None else max(int(largest) + 1, FIRST_BATCH))

    def summaries(self, *, limit: int | None = None) -> list[ImportSummary]:
        query = f"SELECT {IMPORT_COLUMNS} FROM imports ORDER BY import_id DESC"
        params: list[object] = []
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return [ImportSummary(*row) for row in self._session.rows(query, params)]

    def open_rejected_rows(self, import_ids: Sequence[int]) -> pl.DataFrame:
        return self._session.frame(
            "SELECT import_id, CAST(row AS BIGINT) AS row FROM rejected_rows "
            "WHERE import_id = ANY(?) AND fixed_by IS NULL AND loaded_in IS NULL "
            "ORDER BY import_id, row",
            [[int(i) for i in import_ids]],
        )

    def dependents(self, import_id: int) -> list[Dependent]:
        return import_changes.dependents(self._session.con, import_id)

    def rollback(self, import_id: int) -> Change:
        with self._session.transaction() as con:
            con.execute("SELECT pg_advisory_xact_lock(?)", [IMPORT_LOCK])
            return import_changes.rollback(con, DIALECT, self._session.user, import_id)

    def load_row(
        self,
        import_id: int,
        row: int,
        accepted: pl.DataFrame,
        cells: Mapping[str, str],
        other: Mapping[str, str] | None = None,
    ) -> Change:
        session = self._session
        with session.transaction() as con:
            con.execute("SELECT pg_advisory_xact_lock(?)", [IMPORT_LOCK])
            found = con.execute("SELECT kind FROM imports WHERE import_id = ?", [import_id])
            kind = found.fetchall()
            if not kind:
                raise RefusedChange(f"there is no import {import_id}")
            writer = _WRITERS[str(kind[0][0])]
            table = _TABLES.get(str(kind[0][0]))
            accepted = with_folded(table, accepted) if table else accepted
            if kind[0][0] == "learners":
                accepted = _numbered_learners(session, accepted)

            def write(_con: Connection, written_in: int) -> int:
                return writer(session, written_in)

            return import_changes.load_row(
                con, DIALECT, session.user, import_id, row, accepted, cells, other or {}, write
            )

    def checked_against(self, version: tuple[int, ...]) -> None:
        # The first figure of this backend's data version is the latest import's id.
        self._session.checked_against = int(version[0])

    def record(
        self,
        meta: ImportMeta,
        accepted: pl.DataFrame,
        issues: pl.DataFrame,
        rejected: pl.DataFrame,
        other_cells: pl.DataFrame | None = None,
        *,
        loads_rejected: pl.DataFrame | None = None,
    ) -> int:
        if other_cells is None:
            other_cells = pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})
        if loads_rejected is None:
            loads_rejected = pl.DataFrame(schema={"import_id": pl.Int64, "row": pl.Int64})
        if accepted.height + rejected.height + meta.rows_already_loaded != meta.rows_read:
            raise StoreError(
                f"internal check failed: {accepted.height} accepted + {rejected.height} "
                f"rejected + {meta.rows_already_loaded} already loaded != {meta.rows_read} "
                "rows read; nothing was written"
            )
        writer = _WRITERS.get(meta.kind)
        if writer is None:
            raise StoreError(f"unknown import kind {meta.kind!r}")
        session = self._session
        outermost = not session.in_transaction
        with session.transaction():
            session.execute("SELECT pg_advisory_xact_lock(?)", [IMPORT_LOCK])
            self._check_nothing_landed()
            # Room to hash and sort a million rows in memory instead of on disk.
            session.execute("SET LOCAL work_mem = '256MB'")
            session.load("incoming_issues", issues.select(ISSUE_COLUMNS), temporary=True)
            session.load(
                "incoming_rejected",
                _with_subjects(rejected).select("row", "cells", *_SUBJECTS),
                temporary=True,
            )
            session.load("incoming_other", other_cells.select("row", "cells"), temporary=True)
            session.load(
                "incoming_loads_rejected",
                loads_rejected.select("import_id", "row"),
                temporary=True,
            )
            table = _TABLES.get(meta.kind)
            accepted = _with_subjects(with_folded(table, accepted) if table else accepted)
            if meta.kind == "learners":
                accepted = _numbered_learners(session, accepted)
            session.load("incoming", accepted, temporary=True)
            import_id = self._write(meta, accepted.height, rejected.height, writer)
            session.execute(
                "DROP TABLE incoming, incoming_issues, incoming_rejected, incoming_other, "
                "incoming_loads_rejected"
            )
        # This store's own import is one its next file may be checked after.
        session.checked_against = import_id
        if outermost and accepted.height >= ANALYZE_AFTER:
            # The planner's statistics would otherwise wait for autovacuum, and a search or
            # sort right after a big import could take a plan made for a small table.
            session.execute(f"ANALYZE {', '.join(_TOUCHED[meta.kind])}")
        return import_id

    def _check_nothing_landed(self) -> None:
        """Refuse to write when another import committed after this file was validated.

        Validation read the store as it was (who each learner is, what is registered); a
        file checked before someone else's import could add that import's learners again.
        On a file this cannot happen (one writer holds it throughout); here imports only
        take turns at the write, so the store checks, and the job checks the file again.
        """
        seen = self._session.checked_against
        if seen is None:
            return
        latest = int(self._session.scalar("SELECT coalesce(max(import_id), 0) FROM imports"))
        if latest != seen:
            raise ConcurrentImportError(str(self._session.url), latest)

    def _write(
        self,
        meta: ImportMeta,
        accepted: int,
        rejected: int,
        writer: Callable[[Session, int], int],
    ) -> int:
        session = self._session
        import_id = int(session.scalar("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))
        session.execute(
            "INSERT INTO imports (import_id, file_name, sha256, kind, sheet, rows_read, "
            "rows_accepted, rows_rejected, os_user, started_at, finished_at, "
            "rows_already_loaded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                meta.file_name,
                meta.sha256,
                meta.kind,
                meta.sheet,
                meta.rows_read,
                accepted + meta.rows_already_loaded,
                rejected,
                meta.os_user,
                meta.started_at,
                meta.finished_at,
                meta.rows_already_loaded,
            ],
        )
        session.execute(
            "INSERT INTO import_issues (import_id, row, column_name, field, code, severity, "
            'message, value) SELECT ?, row, "column", field, code, severity, message, value '
            "FROM incoming_issues",
            [import_id],
        )
        session.execute(
            "INSERT INTO rejected_rows (import_id, row, cells, subject, subject_alt) "
            "SELECT ?, row, cells::json, subject, subject_alt FROM incoming_rejected",
            [import_id],
        )
        session.execute(
            "INSERT INTO other_cells SELECT ?, row, cells::json FROM incoming_other", [import_id]
        )
        written = writer(session, import_id) if accepted else 0
        if written != accepted:
            raise StoreError(
                f"internal check failed: {written} of {accepted} accepted rows could be "
                "attached; nothing was written"
            )
        session.execute(
            "UPDATE rejected_rows j SET loaded_in = ? FROM incoming_loads_rejected l "
            "WHERE j.import_id = l.import_id AND j.row = l.row AND j.loaded_in IS NULL "
            "AND j.fixed_by IS NULL",
            [import_id],
        )
        close_rejections(session.con, import_id, meta.file_name)
        remember_last_keys(session.con)
        return import_id


def _with_subjects(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows given without subjects (bulk loads, older callers) have none."""
    missing = [pl.lit(None, pl.String).alias(name) for name in _SUBJECTS if name not in rows]
    return rows.with_columns(missing) if missing else rows


def _count(session: Session, query: str, params: list[object] | None = None) -> int:
    return int(session.scalar(query, params or []) or 0)


def _numbered_learners(session: Session, accepted: pl.DataFrame) -> pl.DataFrame:
    """The upload's rows with every learner and registration numbered on the frame (see
    :func:`~centredesk.store.numbering.numbered_learners`), from the highest keys ever handed
    out, so a key a rollback freed is never reused. Runs under the import lock, so the
    numbers are free."""
    return numbering.numbered_learners(
        accepted,
        next_key_base(session.con, "learners"),
        next_key_base(session.con, "registrations"),
    )


def _write_learners(session: Session, import_id: int) -> int:
    # Numbered on the frame already (see _numbered_learners): plain inserts, in key order.
    session.execute(
        """
        INSERT INTO learners (learner_number, centre_number, forename, surname, date_of_birth,
                              uln, learner_reference, reasonable_adjustments, person_key,
                              import_id, surname_folded, forename_folded)
        SELECT learner_number, centre_number, forename, surname, date_of_birth, uln,
               learner_reference, reasonable_adjustments, person_key, ?, surname_folded,
               forename_folded
        FROM incoming WHERE new_learner
        ORDER BY learner_number
        """,
        [import_id],
    )
    session.execute(
        """
        INSERT INTO registrations (registration_id, learner_number, product_code,
                                   centre_number, batch_number, registration_date, status,
                                   import_id, source_row)
        SELECT registration_id, learner_number, product_code, centre_number, batch_number,
               registration_date, 'active', ?, row
        FROM incoming
        ORDER BY registration_id
        """,
        [import_id],
    )
    return _count(session, "SELECT count(*) FROM registrations WHERE import_id = ?", [import_id])


def _write_bookings(session: Session, import_id: int) -> int:
    # Validation has already resolved each row's registration, attempt number and mode.
    first_id = next_key_base(session.con, "bookings")
    session.execute(
        """
        INSERT INTO bookings (booking_id, registration_id, assessment, session_date,
                              assessment_mode, status, attempt, import_id, source_row)
        SELECT ? + row_number() OVER (ORDER BY row), registration_id, assessment, session_date,
               assessment_mode, coalesce(booking_status, 'Active'), attempt, ?, row
        FROM incoming
        """,
        [first_id, import_id],
    )
    return _count(session, "SELECT count(*) FROM bookings WHERE import_id = ?", [import_id])


def _write_results(session: Session, import_id: int) -> int:
    """New results are inserted; a row for a result already stored (same registration and
    component; validation has rejected exact repeats) corrects it in place. Never a second
    copy.

    A corrected result stays the record of the import that added it; this import keeps its
    values before (``import_upserts``, so rolling this import back puts them back) and one
    audit entry lists every correction with the result before and after.
    """
    con = session.con
    session.execute(
        """
        CREATE TEMP TABLE incoming_corrections AS
        SELECT s.result_id, registration_id, component,
               json_build_object('grade', s.grade, 'result_date', s.result_date,
                                 'release_date', s.release_date) AS before,
               json_build_object('grade', i.grade, 'result_date', i.result_date,
                                 'release_date', i.release_date) AS after,
               i.grade, i.result_date, i.release_date
        FROM incoming i JOIN results s USING (registration_id, component)
        """
    )
    corrected = _count(session, "SELECT count(*) FROM incoming_corrections")
    if corrected:
        session.execute(
            "INSERT INTO import_upserts SELECT ?, 'results', CAST(result_id AS VARCHAR), before "
            "FROM incoming_corrections ON CONFLICT DO NOTHING",
            [import_id],
        )
        user = session.scalar("SELECT os_user FROM imports WHERE import_id = ?", [import_id])
        audit_id = begin_change(
            con,
            str(user),
            action="correct_results",
            table="results",
            record=f"{corrected} result{'s' * (corrected != 1)} of import {import_id}",
            before=None,
            after=None,
            records=corrected,
            import_id=import_id,
        )
        session.execute(
            "INSERT INTO audit_records SELECT ?, 'results', CAST(result_id AS VARCHAR), "
            "before, after FROM incoming_corrections ORDER BY result_id",
            [audit_id],
        )
        session.execute(
            """
            UPDATE results SET grade = c.grade, result_date = c.result_date,
                               release_date = c.release_date
            FROM incoming_corrections c WHERE results.result_id = c.result_id
            """
        )
    first_id = next_key_base(con, "results")
    session.execute(
        """
        INSERT INTO results (result_id, registration_id, component, grade, result_date,
                             release_date, import_id, source_row)
        SELECT ? + row_number() OVER (ORDER BY row), registration_id, component, grade,
               result_date, release_date, ?, row
        FROM incoming i
        WHERE NOT EXISTS (SELECT 1 FROM incoming_corrections c
                          WHERE c.registration_id = i.registration_id
                            AND c.component = i.component)
        """,
        [first_id, import_id],
    )
    session.execute("DROP TABLE incoming_corrections")
    inserted = _count(session, "SELECT count(*) FROM results WHERE import_id = ?", [import_id])
    # Rows, not results: a store that holds a result twice (as older versions could leave
    # one) has both corrected by the one row.
    corrected_rows = _count(
        session,
        "SELECT count(*) FROM incoming i WHERE EXISTS (SELECT 1 FROM results s "
        "WHERE s.registration_id = i.registration_id AND s.component = i.component "
        "AND s.import_id IS DISTINCT FROM ?)",
        [import_id],
    )
    return inserted + corrected_rows


_TOUCHED = {
    "products": ("products",),
    "approvals": ("centres", "approvals"),
    "learners": ("learners", "registrations"),
    "bookings": ("bookings",),
    "results": ("results",),
}

_WRITERS: dict[str, Callable[[Session, int], int]] = {
    "products": lambda session, import_id: write_products(session.con, DIALECT, import_id),
    "approvals": lambda session, import_id: write_approvals(session.con, DIALECT, import_id),
    "learners": _write_learners,
    "bookings": _write_bookings,
    "results": _write_results,
}
