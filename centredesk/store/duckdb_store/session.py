"""The connection behind one open DuckDB store, and its transactions.

A store opened for writing on a file that does not exist yet makes no file until its first
transaction: until then it reads an empty in-memory database with the same schema. If that
first transaction fails, the file it made is removed again, so a failed first import leaves
nothing behind. A failed write (a full disk) becomes :class:`StoreWriteError` and Ctrl-C
during a query KeyboardInterrupt, both after the rollback.

The session also knows who is acting (the OS user). A store that lists no users yet was
just made: its first write transaction records whoever makes it as the admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import duckdb

from centredesk.store.duckdb_store.connection import check_folder, check_is_ours, connect
from centredesk.store.duckdb_store.schema import migrate
from centredesk.store.errors import (
    OnWait,
    StoreError,
    StoreIntegrityError,
    StoreWriteError,
    is_interrupted,
)
from centredesk.store.identity import os_user


def empty_database() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the current schema and no rows."""
    con = duckdb.connect(":memory:")
    migrate(con)
    return con


class Session:
    """Holds the connection; every operation of a store reads :attr:`con` when it runs."""

    def __init__(
        self,
        path: Path,
        con: duckdb.DuckDBPyConnection,
        *,
        read_only: bool,
        pending: bool = False,
        create_folder: bool = False,
        wait: float = 0,
        on_wait: OnWait | None = None,
        user: str | None = None,
    ) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self.user = user or os_user()
        """Who is acting: recorded on every change, looked up for roles."""
        self.pending = pending
        """No file yet: the first transaction makes it."""
        self._create_folder = create_folder
        self._wait = wait
        self._on_wait = on_wait
        self._depth = 0

    @contextmanager
    def transaction(self, *, claim: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction; a nested one joins the outer.

        ``claim`` records the acting user as admin when the store lists no users yet (a
        bulk copy of whole tables passes False: it brings its own users).
        """
        if self.read_only:
            raise StoreError(f"{self.path} was opened read-only; nothing can be written")
        if self._depth:
            self._depth += 1
            try:
                yield self.con
            finally:
                self._depth -= 1
            return
        made_file = self._create() if self.pending else False
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            try:
                if claim:
                    self.con.execute(
                        "INSERT INTO users (os_user, role, granted_by, granted_at) "
                        "SELECT ?, 'admin', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)",
                        [self.user, self.user, datetime.now()],
                    )
                yield self.con
            except duckdb.ConstraintException as error:
                raise StoreIntegrityError(str(error)) from error
            self.con.execute("COMMIT")
        except BaseException as error:
            with suppress(duckdb.Error, RuntimeError):
                self.con.execute("ROLLBACK")
            if made_file:
                self._abandon()
            # A full disk and Ctrl-C during a query reach the user as one line each: the
            # caller can say that nothing was written, since nothing was.
            if is_interrupted(error):
                raise KeyboardInterrupt from None
            if _unwritable(error):
                reason = str(error).rsplit(": ", 1)[-1].rstrip(".")
                raise StoreWriteError(
                    f"{self.path} could not be written ({reason.lower()}); nothing was "
                    "written: free some space (or choose another --db) and try again"
                ) from None
            raise
        finally:
            self._depth = 0

    def _create(self) -> bool:
        """Open (making it if need be) the real file; True if this made it."""
        if self._create_folder:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        check_folder(self.path)
        made = not self.path.exists()
        con = connect(self.path, read_only=False, wait=self._wait, on_wait=self._on_wait)
        try:
            check_is_ours(con, self.path)
            migrate(con)
        except BaseException:
            con.close()
            if made:
                _remove(self.path)
            raise
        self.con.close()
        self.con, self.pending = con, False
        return made

    def _abandon(self) -> None:
        """Close and remove the file the failed first transaction made; read empty again."""
        with suppress(duckdb.Error):
            self.con.close()
        _remove(self.path)
        self.con, self.pending = empty_database(), True

    def close(self) -> None:
        self.con.close()


def _unwritable(error: BaseException) -> bool:
    """Whether DuckDB failed to write the file (disk full, file too large, read-only)."""
    return isinstance(error, duckdb.IOException) or (
        isinstance(error, duckdb.Error) and "Could not write" in str(error)
    )


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
