"""Connecting to a PostgreSQL database, and refusing one that is not ours.

The password never travels in the URL: a URL that carries one is refused before anything
connects (it would show in the process list, the shell's history and any log that prints
the location). The PostgreSQL client library finds it where PostgreSQL users keep it:
``PGPASSWORD``, ``~/.pgpass`` or a service file (``postgresql://?service=centredesk``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc

from centredesk.store.errors import StoreError
from centredesk.store.location import ServerURL
from centredesk.store.pg_store.session import describe

PASSWORD_PLACES = "PGPASSWORD, ~/.pgpass or a service file"


def check_url(url: ServerURL) -> None:
    """Refuse a URL that carries a password (without repeating the password)."""
    parts = urlsplit(url.url)
    if parts.password is not None or "password" in parse_qs(parts.query):
        user = parts.username or ""
        host = parts.hostname or ""
        raise StoreError(
            f"the database URL for {user}@{host} holds a password, which would show in "
            f"process lists and logs: remove it and keep it in {PASSWORD_PLACES}"
        )


def connect(url: ServerURL, *, read_only: bool) -> adbc.Connection:
    """An autocommit connection to the database at ``url``."""
    check_url(url)
    try:
        con = adbc.connect(url.url, autocommit=True)
    except adbc_driver_manager.Error as error:
        raise StoreError(_connect_problem(url, describe(error))) from None
    try:
        cursor = con.cursor()
        try:
            # Dates and times are written and compared the same whatever the server's locale.
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SET datestyle = 'ISO, DMY'")
            if read_only:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        finally:
            cursor.close()
    except adbc_driver_manager.Error as error:
        con.close()
        raise StoreError(f"cannot use {url}: {describe(error)}") from None
    return con


def _connect_problem(url: ServerURL, reason: str) -> str:
    lowered = reason.lower()
    if "password" in lowered and ("no password" in lowered or "authentication" in lowered):
        return f"cannot log in to {url}: {reason}; keep the password in {PASSWORD_PLACES}"
    if "does not exist" in lowered and "database" in lowered:
        return (
            f"cannot connect to {url}: {reason}; an administrator creates it with "
            f"`createdb {url.name}`"
        )
    return f"cannot connect to {url}: {reason}"


def check_is_ours(session_rows: list[tuple[object, ...]], url: ServerURL) -> None:
    """Refuse a database of another application: tables, and no centredesk schema.

    ``session_rows`` are the names of the tables in the connection's schema.
    """
    tables = sorted(str(name) for (name,) in session_rows)
    if tables and "schema_version" not in tables:
        shown_tables = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise StoreError(
            f"{url} is not a centredesk database: it holds other tables ({shown_tables}) and "
            "no centredesk schema; choose another database"
        )


TABLES_QUERY = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
)
