"""Changing an import after the fact: what rests on it, rolling it back, and
loading one of its rejected rows once fixed.

A rollback removes every row the import added (learners it created, registrations,
bookings, results) and puts back the catalogue rows it wrote, in one transaction with its
audit entry; the import itself stays, marked rolled back. It is refused while later data
rests on those rows: :func:`dependents` lists what, at most :data:`SHOWN` of each kind and
then how many more.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import polars as pl

from centredesk.store.errors import RefusedChange
from centredesk.store.records import Change, Dependent
from centredesk.store.schema_changes import KEYED_TABLES
from centredesk.store.shared.changes import begin_change, finish_change
from centredesk.store.shared.connection import Connection
from centredesk.store.shared.dialect import Dialect
from centredesk.store.shared.import_keys import (
    next_key_base,
    remember_last_keys,
    restore_overwritten,
)
from centredesk.store.shared.registrations import registered

SHOWN = 10
"""Dependents listed of each kind; past that, one line counts the rest."""

# Each kind of dependent: the query of (key, description) and how many there are in words.
_DEPENDENTS: tuple[tuple[str, str, str], ...] = (
    (
        "bookings",
        """SELECT CAST(b.booking_id AS VARCHAR),
                  'booking ' || b.booking_id || coalesce(' (import ' || b.import_id || ')', '')
                  || ' on registration ' || b.registration_id
           FROM bookings b JOIN registrations r USING (registration_id)
           WHERE r.import_id = $import AND b.import_id IS DISTINCT FROM $import
           ORDER BY b.booking_id""",
        "bookings on its registrations",
    ),
    (
        "results",
        """SELECT CAST(s.result_id AS VARCHAR),
                  'result ' || s.result_id || coalesce(' (import ' || s.import_id || ')', '')
                  || ' on registration ' || s.registration_id
           FROM results s JOIN registrations r USING (registration_id)
           WHERE r.import_id = $import AND s.import_id IS DISTINCT FROM $import
           ORDER BY s.result_id""",
        "results on its registrations",
    ),
    (
        "registrations",
        """SELECT CAST(r.registration_id AS VARCHAR),
                  'registration ' || r.registration_id
                  || coalesce(' (import ' || r.import_id || ')', '')
                  || ' of learner ' || r.learner_number
           FROM registrations r JOIN learners l USING (learner_number)
           WHERE l.import_id = $import AND r.import_id IS DISTINCT FROM $import
           ORDER BY r.registration_id""",
        "registrations of its learners by other imports",
    ),
    (
        "bookings",
        """SELECT CAST(later.booking_id AS VARCHAR),
                  'booking ' || later.booking_id || ' (import ' || later.import_id
                  || ') counts a booking of this import as an earlier attempt'
           FROM bookings later JOIN bookings mine
             ON mine.import_id = $import AND later.registration_id = mine.registration_id
            AND later.assessment = mine.assessment AND later.booking_id > mine.booking_id
           WHERE later.import_id IS DISTINCT FROM $import
           GROUP BY later.booking_id, later.import_id ORDER BY later.booking_id""",
        "later bookings counting its bookings as attempts",
    ),
    (
        "imports",
        """SELECT DISTINCT CAST(u2.import_id AS VARCHAR) || ':' || u2.record_key,
                  rtrim(u2.table_name, 's') || ' ' || replace(u2.record_key, '|', ' ')
                  || ' was written again by import ' || u2.import_id
           FROM import_upserts u JOIN import_upserts u2
             ON u.import_id = $import AND u2.table_name = u.table_name
            AND u2.record_key = u.record_key AND u2.import_id > u.import_id
           JOIN imports i ON i.import_id = u2.import_id AND i.rolled_back_by IS NULL
           ORDER BY 1""",
        "catalogue rows written again by later imports",
    ),
    (
        "registrations",
        """SELECT CAST(r.registration_id AS VARCHAR),
                  'registration ' || r.registration_id || ' is on product ' || r.product_code
           FROM registrations r JOIN import_upserts u
             ON u.import_id = $import AND u.before IS NULL
            AND ((u.table_name = 'products' AND u.record_key = r.product_code)
              OR (u.table_name = 'centres' AND u.record_key = r.centre_number)
              OR (u.table_name = 'approvals'
                  AND u.record_key = r.centre_number || '|' || r.product_code))
           WHERE r.import_id IS DISTINCT FROM $import
           GROUP BY r.registration_id, r.product_code ORDER BY r.registration_id""",
        "registrations resting on catalogue rows it added",
    ),
    (
        "approvals",
        """SELECT a.centre_number || '|' || a.product_code,
                  'approval of centre ' || a.centre_number || ' for ' || a.product_code
           FROM approvals a JOIN import_upserts u
             ON u.import_id = $import AND u.before IS NULL AND u.table_name = 'products'
            AND u.record_key = a.product_code
           ORDER BY 1""",
        "approvals of products it added",
    ),
)

# The records of an import that changes can touch, as (table, key) text pairs.
_RECORDS = """
    SELECT 'learners', CAST(learner_number AS VARCHAR) FROM learners WHERE import_id = $import
    UNION ALL SELECT 'registrations', CAST(registration_id AS VARCHAR) FROM registrations
              WHERE import_id = $import
    UNION ALL SELECT 'bookings', CAST(booking_id AS VARCHAR) FROM bookings
              WHERE import_id = $import
"""


def dependents(con: Connection, import_id: int) -> list[Dependent]:
    found: list[Dependent] = []
    for table, query, noun in _DEPENDENTS:
        rows = con.execute(
            f"SELECT *, count(*) OVER () FROM ({query}) AS dependent LIMIT {SHOWN}",
            {"import": import_id},
        ).fetchall()
        found += [Dependent(str(what), table, str(key)) for key, what, _ in rows]
        if rows and rows[0][2] > SHOWN:
            found.append(Dependent(f"… and {rows[0][2] - SHOWN:,} more {noun}", table, ""))
    return found + _changes_in_effect(con, import_id)


def _changes_in_effect(con: Connection, import_id: int) -> list[Dependent]:
    """Changes to the import's records whose effect still stands.

    A change undone (and not redone) leaves the records as the import wrote them, so it
    holds nothing up; loading a fixed row into the import is part of the import.
    """
    touched = con.execute(
        f"""
        SELECT a.audit_id, a.action, a.os_user, min(r.table_name), min(r.record_key),
               count(*)
        FROM audit_records r JOIN audit_log a USING (audit_id)
        WHERE (r.table_name, r.record_key) IN ({_RECORDS})
          AND NOT (a.action = 'fix_row' AND a.import_id = $import)
        GROUP BY a.audit_id, a.action, a.os_user ORDER BY a.audit_id
        """,
        {"import": import_id},
    ).fetchall()
    undone_by = dict(
        con.execute("SELECT undoes, audit_id FROM audit_log WHERE undoes IS NOT NULL").fetchall()
    )
    shown: list[Dependent] = []
    for audit_id, action, who, table, key, records in touched:
        if action == "undo" or not _in_effect(int(audit_id), undone_by):
            continue
        noun = table.removesuffix("s")
        what = f"{noun} {key}" if records == 1 else f"{records:,} of its records"
        shown.append(
            Dependent(f"change {audit_id} ({action.replace('_', ' ')} by {who}) on {what}",
                      "audit_log", str(audit_id))
        )  # fmt: skip
    return shown


def _in_effect(change_id: int, undone_by: Mapping[int, int]) -> bool:
    """A change stands unless undone an odd number of times along its chain of undos."""
    effect = True
    while change_id in undone_by:
        change_id = undone_by[change_id]
        effect = not effect
    return effect


_REMOVED = ("results", "bookings", "registrations", "learners")
"""Tables the import's rows are removed from, dependents first."""


def rollback(con: Connection, dialect: Dialect, user: str, import_id: int) -> Change:
    found = con.execute(
        "SELECT file_name, rolled_back_by FROM imports WHERE import_id = ?", [import_id]
    ).fetchall()
    if not found:
        raise RefusedChange(f"there is no import {import_id}")
    file_name, rolled_back_by = found[0]
    if rolled_back_by is not None:
        raise RefusedChange(f"import {import_id} was rolled back already (change {rolled_back_by})")
    if dependents(con, import_id):
        raise RefusedChange(
            f"import {import_id} cannot be rolled back: later data rests on it "
            "(centredesk imports rollback lists what)"
        )
    removed: dict[str, Any] = {}
    for table in _REMOVED:
        count = con.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id]).fetchall()
        removed[table] = int(count[0][0])
    # The cells of the columns no field read went with the rows they belonged to.
    con.execute("DELETE FROM other_cells WHERE import_id = ?", [import_id])
    restored = restore_overwritten(con, dialect, import_id)
    before = {name: n for name, n in {**removed, **restored}.items() if n}
    audit_id = begin_change(
        con,
        user,
        action="rollback",
        table="imports",
        record=str(import_id),
        before={"file_name": file_name, **before},
        after=None,
        records=sum(before.values()),
        import_id=import_id,
    )
    con.execute(
        "INSERT INTO audit_records VALUES (?, 'imports', ?, CAST(? AS JSON), NULL)",
        [audit_id, str(import_id), json.dumps({"file_name": file_name, **before})],
    )
    con.execute("UPDATE imports SET rolled_back_by = ? WHERE import_id = ?", [audit_id, import_id])
    return finish_change(con, audit_id, sum(before.values()))


ConnectionT = TypeVar("ConnectionT", bound=Connection)
"""The backend's own connection, which the writer it hands in takes."""


def load_row(
    con: ConnectionT,
    dialect: Dialect,
    user: str,
    import_id: int,
    row: int,
    accepted: pl.DataFrame,
    cells: Mapping[str, str],
    other: Mapping[str, str],
    writer: Callable[[ConnectionT, int], int],
) -> Change:
    found = con.execute(
        "SELECT i.rolled_back_by, j.fixed_by, j.loaded_in, CAST(j.cells AS VARCHAR) "
        "FROM imports i LEFT JOIN rejected_rows j ON j.import_id = i.import_id AND j.row = ? "
        "WHERE i.import_id = ?",
        [row, import_id],
    ).fetchall()
    if not found:
        raise RefusedChange(f"there is no import {import_id}")
    rolled_back_by, fixed_by, loaded_in, old_cells = found[0]
    if rolled_back_by is not None:
        raise RefusedChange(f"import {import_id} was rolled back; import the file again instead")
    if old_cells is None:
        raise RefusedChange(f"row {row} of import {import_id} was not rejected")
    if fixed_by is not None or loaded_in is not None:
        how = f"by change {fixed_by}" if fixed_by is not None else f"by import {loaded_in}"
        raise RefusedChange(f"row {row} of import {import_id} was loaded already, {how}")
    before_cells = json.loads(old_cells)
    changed = {k: v for k, v in cells.items() if before_cells.get(k) != v}
    bases = {table: next_key_base(con, table) for table in _REMOVED}
    with registered(con, dialect, {"incoming": accepted}):
        counted = _import_rows(con, import_id)
        writer(con, import_id)
        if _import_rows(con, import_id) - counted != accepted.height:
            raise RefusedChange(f"row {row} of import {import_id} could not be loaded")
    audit_id = begin_change(
        con,
        user,
        action="fix_row",
        table="rejected_rows",
        record=f"{import_id}:{row}",
        before={k: before_cells.get(k) for k in changed},
        after=changed,
        import_id=import_id,
    )
    con.execute(
        "INSERT INTO audit_records VALUES "
        "(?, 'rejected_rows', ?, CAST(? AS JSON), CAST(? AS JSON))",
        [
            audit_id,
            f"{import_id}:{row}",
            json.dumps({k: before_cells.get(k) for k in changed}),
            json.dumps(changed),
        ],
    )
    added = 1
    for table in _REMOVED:
        key = KEYED_TABLES[table][0]
        added += int(
            con.execute(
                f"INSERT INTO audit_records SELECT ?, ?, CAST({key} AS VARCHAR), NULL, "
                f"{dialect.json_object}('import_id', import_id) FROM {table} "
                f"WHERE import_id = ? AND {key} > ?",
                [audit_id, table, import_id, bases[table]],
            ).fetchall()[0][0]
        )
    con.execute(
        "UPDATE rejected_rows SET fixed_by = ? WHERE import_id = ? AND row = ?",
        [audit_id, import_id, row],
    )
    if other:
        con.execute(
            "INSERT INTO other_cells VALUES (?, ?, CAST(? AS JSON))",
            [import_id, row, json.dumps(dict(other))],
        )
    con.execute(
        "UPDATE imports SET rows_accepted = rows_accepted + 1, rows_rejected = rows_rejected - 1 "
        "WHERE import_id = ?",
        [import_id],
    )
    remember_last_keys(con)
    return finish_change(con, audit_id, added)


def _import_rows(con: Connection, import_id: int) -> int:
    """Rows an import holds in the tables it can write (catalogue rows by their upserts)."""
    found = con.execute(
        "SELECT (SELECT count(*) FROM registrations WHERE import_id = $i) "
        "+ (SELECT count(*) FROM bookings WHERE import_id = $i) "
        "+ (SELECT count(*) FROM results WHERE import_id = $i) "
        "+ (SELECT count(*) FROM import_upserts WHERE import_id = $i "
        "   AND table_name <> 'centres')",
        {"i": import_id},
    ).fetchall()
    return int(found[0][0])
