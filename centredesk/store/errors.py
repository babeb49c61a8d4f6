"""Errors the store raises for conditions a user can cause or fix."""

from __future__ import annotations

from collections.abc import Callable

from centredesk.errors import UserError


class StoreError(UserError):
    """A database problem explained for the user (what, where, what to do)."""


class StoreLockedError(StoreError):
    """Another process holds the database, and it was not let go within the wait."""

    def __init__(
        self, location: str, pid: int | None, holder: str | None = None, waited: float = 0
    ) -> None:
        self.location = location
        self.pid = pid
        self.holder = holder
        """Who holds it, in words: ``centredesk app, pid 12038, user alice``."""
        self.waited = waited
        who = holder or (f"process {pid}" if pid else "another process")
        after = f" (waited {waited:g} s)" if waited else ""
        super().__init__(
            f"{location} is in use by {who}{after}: close it there or wait for it to finish, "
            "then retry (--wait SECONDS waits longer)"
        )


class StoreIntegrityError(Exception):
    """A write broke one of the schema's constraints.

    Validation should have kept such a row out, so this is our bug, not the user's: it is
    deliberately not a :class:`~centredesk.errors.UserError` and ends in a traceback. The
    transaction it happened in was rolled back.
    """


OnWait = Callable[[StoreLockedError], None]
"""Told once, when a held database makes an opener start waiting for it."""
