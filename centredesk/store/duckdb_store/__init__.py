"""The DuckDB backend: one file holds the whole store.

:func:`open_file` is how :func:`centredesk.store.open_store` opens a path. Each group of
operations is a module of this package, or of :mod:`centredesk.store.shared` where both
backends run it alike (with this backend's :data:`~.dialect.DIALECT`); they share one
:class:`Session`, the only holder of the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from centredesk.store.duckdb_store.browse import DuckDBBrowse
from centredesk.store.duckdb_store.connection import check_folder, check_is_ours, connect
from centredesk.store.duckdb_store.dialect import DIALECT
from centredesk.store.duckdb_store.exports import DuckDBExportReader
from centredesk.store.duckdb_store.imports import DuckDBImports
from centredesk.store.duckdb_store.schema import SCHEMA_VERSION, current_version, migrate
from centredesk.store.duckdb_store.session import Session, empty_database
from centredesk.store.duckdb_store.tables import DuckDBTables
from centredesk.store.errors import OnWait, StoreError
from centredesk.store.interface import Store
from centredesk.store.shared.details import SharedDetails
from centredesk.store.shared.exports import SharedExports
from centredesk.store.shared.history import SharedHistory
from centredesk.store.shared.learners import SharedLearners
from centredesk.store.shared.reference import SharedReference
from centredesk.store.shared.registrations import SharedBookings, SharedRegistrations
from centredesk.store.shared.users import SharedUsers

if TYPE_CHECKING:
    from centredesk.store import Missing


class DuckDBStore(Store):
    """A centredesk store in one DuckDB file."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.location = session.path
        self.read_only = session.read_only
        self.browse = DuckDBBrowse(session)
        self.details = SharedDetails(session)
        self.imports = DuckDBImports(session)
        self.reference = SharedReference(session)
        self.exports = SharedExports(DuckDBExportReader(session), DIALECT)
        self.tables = DuckDBTables(session)
        self.learners = SharedLearners(session, DIALECT)
        self.registrations = SharedRegistrations(session, DIALECT)
        self.bookings = SharedBookings(session, DIALECT)
        self.history = SharedHistory(session, DIALECT)
        self.users = SharedUsers(session)

    @property
    def acting_user(self) -> str:
        return self._session.user

    @property
    def schema_version(self) -> int:
        return 0 if self._session.pending else current_version(self._session.con)

    @contextmanager
    def transaction(self, *, claim: bool = True) -> Iterator[None]:
        with self._session.transaction(claim=claim):
            yield

    def close(self) -> None:
        self._session.close()


def open_file(
    path: Path,
    *,
    read_only: bool = False,
    missing: Missing | None = None,
    create_folder: bool = False,
    wait: float = 0,
    on_wait: OnWait | None = None,
) -> DuckDBStore:
    """Open the store in the DuckDB file at ``path``, migrating it when opened for writing.

    ``missing`` defaults to ``"create"`` for writing and ``"refuse"`` read-only. Only our
    own default folder may be made (``create_folder``): a ``--db`` in a folder that does not
    exist is refused, naming it.
    """
    missing = missing or ("refuse" if read_only else "create")
    if not path.exists():
        if missing == "refuse":
            raise StoreError(f"{path} does not exist: import data or run `centredesk demo` first")
        if not create_folder:
            check_folder(path)
        session = Session(
            path,
            empty_database(),
            read_only=read_only or missing == "empty",
            pending=True,
            create_folder=create_folder,
            wait=wait,
            on_wait=on_wait,
        )
        return DuckDBStore(session)
    con = connect(path, read_only=read_only, wait=wait, on_wait=on_wait)
    try:
        check_is_ours(con, path)
        if not read_only:
            migrate(con)
        elif current_version(con) < SCHEMA_VERSION:
            # A file written by an older centredesk: bring it up to date once (a write, in
            # one transaction), then read it as asked, so no query meets an old schema.
            con.close()
            with connect(path, read_only=False, wait=wait, on_wait=on_wait) as writer:
                migrate(writer)
            con = connect(path, read_only=True, wait=wait, on_wait=on_wait)
    except BaseException:
        con.close()
        raise
    return DuckDBStore(Session(path, con, read_only=read_only, wait=wait, on_wait=on_wait))
