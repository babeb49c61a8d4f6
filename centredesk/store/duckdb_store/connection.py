"""Opening a DuckDB file: waiting for a held file, and refusing one that is not ours.

DuckDB lets no other process open a file that one process holds for writing, not even
read-only. :func:`connect` tries again until its wait is over, then raises
:class:`StoreLockedError` naming the file and the holder in words (read from ``/proc``), so
the command line and the app can say so in one line instead of a traceback.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from centredesk.store.errors import OnWait, StoreError, StoreLockedError
from centredesk.store.holders import describe_process

_LOCK = re.compile(r"Conflicting lock is held in (?P<holder>.*?) \(PID (?P<pid>\d+)\)")
RETRY_SECONDS = 0.1
"""How often a held file is tried again while waiting."""


def connect(
    path: Path,
    *,
    read_only: bool,
    wait: float = 0,
    on_wait: OnWait | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to the file at ``path``, waiting up to ``wait`` seconds for a holder."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return _connect_once(path, read_only=read_only)
        except StoreLockedError as held:
            if time.monotonic() >= deadline:
                raise StoreLockedError(str(path), held.pid, held.holder, wait) from None
            if on_wait is not None and not told:
                on_wait(held)
                told = True
            time.sleep(RETRY_SECONDS)


def _connect_once(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        message = str(error)
        held = _LOCK.search(message)
        if held:
            pid = int(held["pid"])
            raise StoreLockedError(str(path), pid, describe_process(pid)) from None
        if "not a valid DuckDB database" in message:
            raise StoreError(f"{path} is not a centredesk database (not a DuckDB file)") from None
        raise StoreError(f"cannot open {path}: {message.split(': ', 1)[-1]}") from None
    except duckdb.Error as error:
        raise StoreError(f"cannot open {path}: {error}") from None


def check_folder(path: Path) -> None:
    """Refuse a database in a folder that does not exist: a typo must not make folders."""
    if not path.parent.is_dir():
        raise StoreError(
            f"cannot create {path}: the folder {path.parent} does not exist; "
            "create it first or choose another --db"
        )


def check_is_ours(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a DuckDB file of another application: tables, and no centredesk schema."""
    tables = sorted(
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
    )
    if tables and "schema_version" not in tables:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise StoreError(
            f"{path} is not a centredesk database: it holds other tables ({shown}) and no "
            "centredesk schema; choose another --db"
        )
