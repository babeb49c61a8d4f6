"""Errors the store raises for conditions a user can cause or fix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from centredesk.dates import UK_DATE_TIME
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


class ConcurrentImportError(StoreError):
    """Another import landed between reading the store for validation and writing this one.

    On a database server several people import at once; a file checked against the store
    as it was before someone else's import could load a learner that import just added.
    Nothing was written: check the file again against the store as it is now.
    """

    def __init__(self, location: str, landed: int) -> None:
        self.landed = landed
        super().__init__(
            f"import {landed} landed in {location} while this file was being checked; "
            "nothing was written: import the file again to check it against what that "
            "import loaded"
        )


class StoreIntegrityError(Exception):
    """A write broke one of the schema's constraints.

    Validation should have kept such a row out, so this is our bug, not the user's: it is
    deliberately not a :class:`~centredesk.errors.UserError`, so the command line reports it
    as an internal error and keeps its traceback in the log. The transaction it happened in
    was rolled back.
    """


OnWait = Callable[[StoreLockedError], None]
"""Told once, when a held database makes an opener start waiting for it."""


class RefusedChange(StoreError):
    """A change the records' present state does not allow; nothing was changed."""


class StaleRecordError(RefusedChange):
    """A change made from a copy of a record that someone else has changed since it was read.

    Nothing is overwritten: the message names who changed the record and when, so the
    user can look again and redo their change.
    """

    def __init__(
        self,
        record: str,
        *,
        who: str | None,
        when: datetime | None,
        change_id: int | None,
        expected: int,
        found: int,
    ) -> None:
        self.record = record
        self.who = who
        self.when = when
        self.change_id = change_id
        self.expected = expected
        self.found = found
        if who is not None and when is not None:
            by = f"by {who} at {when:{UK_DATE_TIME}}"
            if change_id is not None:
                by += f" (change {change_id})"
        else:
            by = "by another import or process"
        super().__init__(
            f"{record} was changed {by} after you read it (version {expected}, now {found}); "
            "nothing was changed: look at it again and redo your change"
        )


class StoreWriteError(StoreError):
    """The database file could not be written (disk full, file too large, read-only)."""


def is_interrupted(error: BaseException) -> bool:
    """Whether ``error`` is DuckDB stopping a query for Ctrl-C or an ``interrupt()`` call.

    DuckDB raises a plain ``RuntimeError("Query interrupted")`` when SIGINT arrives during a
    query, and an ``InterruptException`` for ``connection.interrupt()``.
    """
    if isinstance(error, RuntimeError) and str(error).startswith("Query interrupted"):
        return True
    return type(error).__name__ == "InterruptException"
