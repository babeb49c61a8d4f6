"""Opening the database file: where it lives, locking, migrations.

DuckDB lets no other process open a file that one process holds for writing, not even
read-only. :meth:`Store.open` turns that into :class:`StoreLockedError` naming the file and
the holding process, so the CLI and the app can say so in one line instead of a traceback.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb
import platformdirs

from centredesk.store.errors import StoreError, StoreLockedError
from centredesk.store.schema import migrate

ENV_VAR = "CENTREDESK_DB"
_LOCK = re.compile(r"Conflicting lock is held in (?P<holder>.*?) \(PID (?P<pid>\d+)\)")


def default_path() -> Path:
    """``CENTREDESK_DB`` if set, else ``centredesk.duckdb`` in the user data directory."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("centredesk")) / "centredesk.duckdb"


def resolve_path(path: str | Path | None) -> Path:
    """The database a command should use: ``--db`` first, then the default."""
    return Path(path).expanduser() if path else default_path()


def os_user() -> str:
    """The operating-system user recorded on imports and in the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection, translating DuckDB's errors into :class:`StoreError`."""
    if read_only and not path.exists():
        raise StoreError(f"{path} does not exist: import data or run `centredesk demo` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        message = str(error)
        held = _LOCK.search(message)
        if held:
            raise StoreLockedError(path, int(held["pid"]), held["holder"]) from None
        if "not a valid DuckDB database" in message:
            raise StoreError(f"{path} is not a centredesk database (not a DuckDB file)") from None
        raise StoreError(f"cannot open {path}: {message.split(': ', 1)[-1]}") from None
    except duckdb.Error as error:
        raise StoreError(f"cannot open {path}: {error}") from None


class Store:
    """An open centredesk database. Query and change functions take a ``Store``.

    Use as a context manager, or call :meth:`close`. Tests build one on ``tmp_path``.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False) -> Store:
        """Open (creating and migrating as needed) the database at ``path``."""
        resolved = resolve_path(path)
        con = connect(resolved, read_only=read_only)
        try:
            if not read_only:
                migrate(con)
        except BaseException:
            con.close()
            raise
        return cls(con, resolved, read_only)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction: all of it lands, or none of it."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")


@contextmanager
def read_if_present(path: str | Path | None) -> Iterator[Store | None]:
    """The store at ``path`` opened read-only for a block, or None when there is no file yet.

    Checking a file or writing a template needs no database: an absent one is an empty
    store, and must not be created as a side effect.
    """
    resolved = resolve_path(path)
    if not resolved.exists():
        yield None
        return
    with Store.open(resolved, read_only=True) as store:
        yield store
