"""Errors the store raises for conditions a user can cause or fix."""

from __future__ import annotations

from pathlib import Path

from centredesk.errors import UserError


class StoreError(UserError):
    """A database problem explained for the user (what, where, what to do)."""


class StoreLockedError(StoreError):
    """Another process holds the database file for writing."""

    def __init__(self, path: Path, pid: int | None, holder: str | None = None) -> None:
        self.path = path
        self.pid = pid
        self.holder = holder
        who = f"process {pid}" if pid else "another process"
        if holder:
            who += f" ({holder})"
        super().__init__(
            f"{path} is in use by {who}; close it there or wait for it to finish, then retry"
        )
