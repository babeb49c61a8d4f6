"""Roles: who may do what, and granting and revoking, audited."""

from __future__ import annotations

from datetime import datetime

from centredesk.store.errors import RefusedChange, StoreError
from centredesk.store.interface import Users
from centredesk.store.records import ROLES, Change, UserRole
from centredesk.store.shared.changes import begin_change, finish_change, record_one
from centredesk.store.shared.connection import Session


class SharedUsers(Users):
    def __init__(self, session: Session) -> None:
        self._session = session

    def role(self, user: str) -> str:
        found = self._session.con.execute(
            "SELECT (SELECT role FROM users WHERE os_user = ?), (SELECT count(*) FROM users)",
            [user],
        ).fetchall()[0]
        role, users = found
        if role is not None:
            return str(role)
        return "admin" if users == 0 else "viewer"

    def all(self) -> list[UserRole]:
        rows = self._session.con.execute(
            "SELECT os_user, role, granted_by, granted_at FROM users ORDER BY os_user"
        ).fetchall()
        return [UserRole(str(u), str(r), str(by), at) for u, r, by, at in rows]

    def grant(self, user: str, role: str) -> Change:
        if role not in ROLES:
            raise StoreError(f"{role!r} is not a role: choose one of {', '.join(ROLES)}")
        return self._set(user, role, "grant")

    def revoke(self, user: str) -> Change:
        return self._set(user, None, "revoke")

    def _set(self, user: str, role: str | None, action: str) -> Change:
        with self._session.transaction() as con:
            found = con.execute("SELECT role FROM users WHERE os_user = ?", [user]).fetchall()
            old = str(found[0][0]) if found else None
            if old == role:
                raise RefusedChange(
                    f"{user} is already {role}" if role else f"{user} has no role to revoke"
                )
            before, after = {"role": old}, {"role": role}
            audit_id = begin_change(
                con,
                self._session.user,
                action=action,
                table="users",
                record=user,
                before=before,
                after=after,
            )
            record_one(con, audit_id, "users", user, before, after)
            # An UPDATE where the user is listed: DuckDB refuses to delete and re-insert one
            # key in a single transaction.
            if role is None:
                con.execute("DELETE FROM users WHERE os_user = ?", [user])
            elif old is None:
                con.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?)",
                    [user, role, self._session.user, datetime.now()],
                )
            else:
                con.execute(
                    "UPDATE users SET role = ?, granted_by = ?, granted_at = ? WHERE os_user = ?",
                    [role, self._session.user, datetime.now(), user],
                )
            return finish_change(con, audit_id, 1)
