"""The history of changes: reading it back, and undo."""

from __future__ import annotations

from centredesk.store.errors import RefusedChange
from centredesk.store.interface import History
from centredesk.store.records import Change, HistoryFilters
from centredesk.store.shared.changes import read_change, read_changes, undo_fields
from centredesk.store.shared.connection import Session
from centredesk.store.shared.dialect import Dialect

# The audit entries touching a learner: the learner, their registrations, their bookings.
_OF_LEARNER = """
    a.audit_id IN (
        SELECT audit_id FROM audit_records
        WHERE (table_name = 'learners' AND record_key = CAST(? AS VARCHAR))
           OR (table_name = 'registrations' AND record_key IN (
                SELECT CAST(registration_id AS VARCHAR) FROM registrations
                WHERE learner_number = ?))
           OR (table_name = 'bookings' AND record_key IN (
                SELECT CAST(b.booking_id AS VARCHAR) FROM bookings b
                JOIN registrations r USING (registration_id) WHERE r.learner_number = ?)))
"""
_OF_REGISTRATION = """
    a.audit_id IN (
        SELECT audit_id FROM audit_records
        WHERE (table_name = 'registrations' AND record_key = CAST(? AS VARCHAR))
           OR (table_name = 'bookings' AND record_key IN (
                SELECT CAST(booking_id AS VARCHAR) FROM bookings WHERE registration_id = ?)))
"""

_OF_BATCH = """
    a.audit_id IN (
        SELECT x.audit_id FROM audit_records x JOIN registrations r
          ON x.table_name = 'registrations' AND x.record_key = CAST(r.registration_id AS VARCHAR)
        WHERE r.batch_number = ?
        UNION ALL
        SELECT x.audit_id FROM audit_records x JOIN bookings b
          ON x.table_name = 'bookings' AND x.record_key = CAST(b.booking_id AS VARCHAR)
        JOIN registrations r USING (registration_id) WHERE r.batch_number = ?)
"""

UNDOABLE = ("edit", "set_uln", "withdraw", "unwithdraw", "undo")
"""Changes of fields, which undo can set back."""


class SharedHistory(History):
    def __init__(self, session: Session, dialect: Dialect) -> None:
        self._session = session
        self._dialect = dialect

    def changes(self, filters: HistoryFilters) -> list[Change]:
        conditions: list[str] = ["true"]
        params: list[object] = []
        if filters.learner is not None:
            conditions.append(_OF_LEARNER)
            params += [filters.learner] * 3
        if filters.registration is not None:
            conditions.append(_OF_REGISTRATION)
            params += [filters.registration] * 2
        if filters.user is not None:
            conditions.append("a.os_user = ?")
            params.append(filters.user)
        if filters.since is not None:
            conditions.append("a.changed_at >= ?")
            params.append(filters.since)
        if filters.until is not None:
            conditions.append("a.changed_at < ?")
            params.append(filters.until)
        if filters.action:
            conditions.append("starts_with(a.action, ?)")
            params.append(filters.action)
        if filters.batch:
            conditions.append(_OF_BATCH)
            params += [filters.batch.strip()] * 2
        return read_changes(
            self._session.con, " AND ".join(conditions), params, limit=filters.limit
        )

    def change(self, change_id: int) -> Change | None:
        return read_change(self._session.con, change_id)

    def later_changes(self, change_id: int) -> list[Change]:
        return read_changes(
            self._session.con,
            """
            a.audit_id > ? AND a.audit_id IN (
                SELECT later.audit_id FROM audit_records later
                JOIN audit_records mine ON mine.audit_id = ?
                 AND later.table_name = mine.table_name AND later.record_key = mine.record_key)
            """,
            [change_id, change_id],
        )

    def undo(self, change_id: int) -> Change:
        with self._session.transaction() as con:
            change = read_change(con, change_id)
            if change is None:
                raise RefusedChange(f"there is no change {change_id} in the history")
            if change.action not in UNDOABLE:
                raise RefusedChange(f"change {change_id} ({change.action}) cannot be undone")
            return undo_fields(con, self._dialect, self._session.user, change)
