"""The store: every query and change of centredesk's data, behind named operations.

Open one with :func:`open_store` and call its operations (``store.browse.row_keys(...)``,
``store.imports.record(...)``, ``store.reference.frames(...)``, ``with
store.transaction():``). The interface is :mod:`centredesk.store.interface`; each backend is
a package of its own (``duckdb_store``), the only place with SQL and the only code that
touches a connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from centredesk.store.errors import (
    ConcurrentImportError,
    OnWait,
    StoreError,
    StoreIntegrityError,
    StoreLockedError,
)
from centredesk.store.identity import os_user
from centredesk.store.interface import TABLES, Store
from centredesk.store.location import Location, ServerURL, parse_location

Missing = Literal["create", "empty", "refuse"]
"""What a file that does not exist means: make it at the first write (reading an empty
store until then), read an empty store and never make it, or refuse."""


def open_store(
    location: Location | str,
    *,
    read_only: bool = False,
    missing: Missing | None = None,
    create_folder: bool = False,
    wait: float = 0,
    on_wait: OnWait | None = None,
) -> Store:
    """Open the store at ``location``: a DuckDB file path, or a ``postgresql://`` URL.

    For writing, a file that does not exist is made at the first write, never before; a
    held file is tried again for up to ``wait`` seconds (``on_wait`` is told once if it must
    wait). ``missing`` says what a file that does not exist (or a database without a
    centredesk schema) means (see :data:`Missing`); ``create_folder`` allows making the
    file's folder (only for our own default location). A database server is never held, so
    nothing waits for it.
    """
    where = parse_location(location) if isinstance(location, str) else location
    if isinstance(where, ServerURL):
        from centredesk.store.pg_store import open_server

        return open_server(where, read_only=read_only, missing=missing)
    from centredesk.store.duckdb_store import open_file

    return open_file(
        where,
        read_only=read_only,
        missing=missing,
        create_folder=create_folder,
        wait=wait,
        on_wait=on_wait,
    )


@contextmanager
def open_if_present(location: Location | str, *, wait: float = 0) -> Iterator[Store | None]:
    """The store at ``location`` opened read-only for a block, or None when there is none.

    Checking a file or writing a template needs no database: an absent one is an empty
    store, and must not be created as a side effect.
    """
    where = parse_location(location) if isinstance(location, str) else location
    if isinstance(where, Path) and not where.exists():
        yield None
        return
    with open_store(where, read_only=True, missing="empty", wait=wait) as store:
        yield None if store.schema_version == 0 else store


__all__ = [
    "ConcurrentImportError",
    "TABLES",
    "Location",
    "Missing",
    "OnWait",
    "ServerURL",
    "Store",
    "StoreError",
    "StoreIntegrityError",
    "StoreLockedError",
    "open_if_present",
    "open_store",
    "os_user",
    "parse_location",
]
