"""Writing an import on DuckDB: accepted rows, the import record, its issues and rejects.

Everything of one import lands in one transaction, so a crash or a kill at any moment
leaves the store as it was. Frames go in through Arrow (DuckDB reads a registered polars
frame directly); no row is inserted one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress

import duckdb
import polars as pl

from centredesk.store import numbering
from centredesk.store.duckdb_store.dialect import DIALECT
from centredesk.store.duckdb_store.session import Session
from centredesk.store.errors import RefusedChange, StoreError
from centredesk.store.folded import with_folded
from centredesk.store.interface import Imports
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

FIRST_BATCH = 1001
"""The label of the first batch the store assigns itself."""

_SUBJECTS = ("subject", "subject_alt")
"""What record a row is about (``centredesk.validation.subjects``), given by the caller."""

_TABLES = {"learners": "learners", "products": "products"}
"""The table of an import kind whose rows carry folded names or titles."""


def _scalar(con: duckdb.DuckDBPyConnection, query: str, params: list[object] | None = None) -> int:
    rows = con.execute(query, params or []).fetchall()
    return int(rows[0][0] or 0)


class DuckDBImports(Imports):
    def __init__(self, session: Session) -> None:
        self._session = session

    def find_by_sha256(self, sha256: str) -> PreviousImport | None:
        # A rolled-back import no longer counts: its file may be imported again.
        rows = self._session.con.execute(
            "SELECT import_id, file_name, finished_at FROM imports WHERE sha256 = ? "
            "AND rolled_back_by IS NULL ORDER BY import_id DESC LIMIT 1",
            [sha256],
        ).fetchall()
        if not rows:
            return None
        import_id, file_name, finished_at = rows[0]
        return PreviousImport(int(import_id), str(file_name), finished_at)

    def file_names(self) -> set[str]:
        rows = self._session.con.execute("SELECT file_name FROM imports").fetchall()
        return {str(row[0]) for row in rows}

    def next_batch_number(self, incoming: pl.Series) -> str:
        con = self._session.con
        con.register("incoming_labels", incoming.alias("batch_number").to_frame())
        try:
            rows = con.execute(
                "SELECT max(CAST(batch_number AS HUGEINT)) FROM ("
                "SELECT batch_number FROM registrations UNION ALL "
                "SELECT batch_number FROM incoming_labels) "
                "WHERE regexp_full_match(batch_number, '[0-9]{1,30}')"
            ).fetchall()
        finally:
            con.unregister("incoming_labels")
        largest = rows[0][0]
        return str(FIRST_BATCH if largest is None else max(int(largest) + 1, FIRST_BATCH))

    def summaries(self, *, limit: int | None = None) -> list[ImportSummary]:
        query = f"SELECT {IMPORT_COLUMNS} FROM imports ORDER BY import_id DESC"
        params: list[object] = []
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        rows = self._session.con.execute(query, params).fetchall()
        return [ImportSummary(*row) for row in rows]

    def open_rejected_rows(self, import_ids: Sequence[int]) -> pl.DataFrame:
        frame = pl.from_arrow(
            self._session.con.sql(
                "SELECT import_id, CAST(row AS BIGINT) AS row FROM rejected_rows "
                "WHERE import_id = ANY(?) AND fixed_by IS NULL AND loaded_in IS NULL "
                "ORDER BY import_id, row",
                params=[list(import_ids)],
            ).to_arrow_table()
        )
        assert isinstance(frame, pl.DataFrame)
        return frame

    def dependents(self, import_id: int) -> list[Dependent]:
        return import_changes.dependents(self._session.con, import_id)

    def rollback(self, import_id: int) -> Change:
        with self._session.transaction() as con:
            return import_changes.rollback(con, DIALECT, self._session.user, import_id)

    def load_row(
        self,
        import_id: int,
        row: int,
        accepted: pl.DataFrame,
        cells: Mapping[str, str],
        other: Mapping[str, str] | None = None,
    ) -> Change:
        with self._session.transaction() as con:
            found = con.execute(
                "SELECT kind FROM imports WHERE import_id = ?", [import_id]
            ).fetchall()
            if not found:
                raise RefusedChange(f"there is no import {import_id}")
            kind = str(found[0][0])
            writer = _WRITERS[kind]
            table = _TABLES.get(kind)
            accepted = with_folded(table, accepted) if table else accepted
            if kind == "learners":
                accepted = numbered_learners(con, accepted)
            return import_changes.load_row(
                con,
                DIALECT,
                self._session.user,
                import_id,
                row,
                accepted,
                cells,
                other or {},
                writer,
            )

    def checked_against(self, version: tuple[int, ...]) -> None:
        # This store's writer holds the file from opening to closing: no other import can
        # land between the version it was given and its write.
        return

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
        if accepted.height + rejected.height + meta.rows_already_loaded != meta.rows_read:
            raise StoreError(
                f"internal check failed: {accepted.height} accepted + {rejected.height} "
                f"rejected + {meta.rows_already_loaded} already loaded != {meta.rows_read} "
                "rows read; nothing was written"
            )
        writer = _WRITERS.get(meta.kind)
        if writer is None:
            raise StoreError(f"unknown import kind {meta.kind!r}")
        if loads_rejected is None:
            loads_rejected = pl.DataFrame(schema={"import_id": pl.Int64, "row": pl.Int64})
        table = _TABLES.get(meta.kind)
        incoming = {
            "incoming_issues": issues.select(ISSUE_COLUMNS),
            "incoming_rejected": _with_subjects(rejected).select("row", "cells", *_SUBJECTS),
            "incoming_other": other_cells.select("row", "cells"),
            "incoming_loads_rejected": loads_rejected.select("import_id", "row"),
            "incoming": _with_subjects(with_folded(table, accepted) if table else accepted),
        }
        used: list[duckdb.DuckDBPyConnection] = []
        try:
            with self._session.transaction() as con:
                # Registered on the connection the transaction runs on (the first write of a
                # new store opens its file), and let go of only after the transaction ended:
                # inside an aborted one that would fail and hide the real error.
                used.append(con)
                if meta.kind == "learners":
                    incoming["incoming"] = numbered_learners(con, incoming["incoming"])
                for name, frame in incoming.items():
                    con.register(name, frame)
                return self._write(con, meta, accepted.height, rejected.height, writer)
        finally:
            for con in used:
                for name in incoming:
                    with suppress(duckdb.Error):
                        con.unregister(name)

    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        meta: ImportMeta,
        accepted: int,
        rejected: int,
        writer: Callable[[duckdb.DuckDBPyConnection, int], int],
    ) -> int:
        import_id = _scalar(con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")
        con.execute(
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
        con.execute(
            'INSERT INTO import_issues SELECT ?, row, "column", field, code, severity, '
            "message, value FROM incoming_issues",
            [import_id],
        )
        con.execute(
            "INSERT INTO rejected_rows (import_id, row, cells, subject, subject_alt) "
            "SELECT ?, row, cells, subject, subject_alt FROM incoming_rejected",
            [import_id],
        )
        con.execute("INSERT INTO other_cells SELECT ?, row, cells FROM incoming_other", [import_id])
        written = writer(con, import_id) if accepted else 0
        if written != accepted:
            raise StoreError(
                f"internal check failed: {written} of {accepted} accepted rows could be "
                "attached; nothing was written"
            )
        con.execute(
            "UPDATE rejected_rows j SET loaded_in = ? FROM incoming_loads_rejected l "
            "WHERE j.import_id = l.import_id AND j.row = l.row AND j.loaded_in IS NULL "
            "AND j.fixed_by IS NULL",
            [import_id],
        )
        close_rejections(con, import_id, meta.file_name)
        remember_last_keys(con)
        return import_id


def _with_subjects(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows given without subjects (bulk loads, older callers) have none."""
    missing = [pl.lit(None, pl.String).alias(name) for name in _SUBJECTS if name not in rows]
    return rows.with_columns(missing) if missing else rows


def numbered_learners(con: duckdb.DuckDBPyConnection, accepted: pl.DataFrame) -> pl.DataFrame:
    """The upload's rows with every learner and registration numbered on the frame (see
    :func:`~centredesk.store.numbering.numbered_learners`), from the highest keys ever handed
    out (see :func:`next_key_base`), read inside the writing transaction."""
    return numbering.numbered_learners(
        accepted, next_key_base(con, "learners"), next_key_base(con, "registrations")
    )


def _write_learners(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    # Numbered on the frame already (see numbered_learners), in key order: plain inserts.
    con.execute(
        """
        INSERT INTO learners (learner_number, centre_number, forename, surname, date_of_birth,
                              uln, learner_reference, reasonable_adjustments, person_key,
                              import_id, surname_folded, forename_folded)
        SELECT learner_number, centre_number, forename, surname, date_of_birth, uln,
               learner_reference, reasonable_adjustments, person_key, ?, surname_folded,
               forename_folded
        FROM incoming WHERE new_learner
        """,
        [import_id],
    )
    con.execute(
        """
        INSERT INTO registrations (registration_id, learner_number, product_code, centre_number,
                                   batch_number, registration_date, status, import_id,
                                   source_row)
        SELECT registration_id, learner_number, product_code, centre_number, batch_number,
               registration_date, 'active', ?, row
        FROM incoming
        """,
        [import_id],
    )
    return _scalar(con, "SELECT count(*) FROM registrations WHERE import_id = ?", [import_id])


def _write_bookings(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    # Validation has already resolved each row's registration, attempt number and mode.
    first_id = next_key_base(con, "bookings")
    con.execute(
        """
        INSERT INTO bookings (booking_id, registration_id, assessment, session_date,
                              assessment_mode, status, attempt, import_id, source_row)
        SELECT ? + row_number() OVER (ORDER BY row), registration_id, assessment, session_date,
               assessment_mode, coalesce(booking_status, 'Active'), attempt, ?, row
        FROM incoming
        """,
        [first_id, import_id],
    )
    return _scalar(con, "SELECT count(*) FROM bookings WHERE import_id = ?", [import_id])


def _write_results(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """New results are inserted; a row for a result already stored (same registration and
    component; validation has rejected exact repeats) corrects it in place. Never a second
    copy.

    A corrected result stays the record of the import that added it; this import keeps its
    values before (``import_upserts``, so rolling this import back puts them back) and one
    audit entry lists every correction with the result before and after.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE incoming_corrections AS
        SELECT s.result_id, registration_id, component,
               json_object('grade', s.grade, 'result_date', s.result_date,
                           'release_date', s.release_date) AS before,
               json_object('grade', i.grade, 'result_date', i.result_date,
                           'release_date', i.release_date) AS after,
               i.grade, i.result_date, i.release_date
        FROM incoming i JOIN results s USING (registration_id, component)
        """
    )
    corrected = _scalar(con, "SELECT count(*) FROM incoming_corrections")
    if corrected:
        con.execute(
            "INSERT INTO import_upserts SELECT ?, 'results', CAST(result_id AS VARCHAR), before "
            "FROM incoming_corrections ON CONFLICT DO NOTHING",
            [import_id],
        )
        user = con.execute("SELECT os_user FROM imports WHERE import_id = ?", [import_id])
        audit_id = begin_change(
            con,
            str(user.fetchall()[0][0]),
            action="correct_results",
            table="results",
            record=f"{corrected} result{'s' * (corrected != 1)} of import {import_id}",
            before=None,
            after=None,
            records=corrected,
            import_id=import_id,
        )
        con.execute(
            "INSERT INTO audit_records SELECT ?, 'results', CAST(result_id AS VARCHAR), "
            "before, after FROM incoming_corrections ORDER BY result_id",
            [audit_id],
        )
        con.execute(
            """
            UPDATE results SET grade = c.grade, result_date = c.result_date,
                               release_date = c.release_date
            FROM incoming_corrections c WHERE results.result_id = c.result_id
            """
        )
    first_id = next_key_base(con, "results")
    con.execute(
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
    con.execute("DROP TABLE incoming_corrections")
    inserted = _scalar(con, "SELECT count(*) FROM results WHERE import_id = ?", [import_id])
    # Rows, not results: a store that holds a result twice (as older versions could leave
    # one) has both corrected by the one row.
    corrected_rows = _scalar(
        con,
        "SELECT count(*) FROM incoming i WHERE EXISTS (SELECT 1 FROM results s "
        "WHERE s.registration_id = i.registration_id AND s.component = i.component "
        "AND s.import_id IS DISTINCT FROM ?)",
        [import_id],
    )
    return inserted + corrected_rows


_WRITERS: dict[str, Callable[[duckdb.DuckDBPyConnection, int], int]] = {
    "products": lambda con, import_id: write_products(con, DIALECT, import_id),
    "approvals": lambda con, import_id: write_approvals(con, DIALECT, import_id),
    "learners": _write_learners,
    "bookings": _write_bookings,
    "results": _write_results,
}
