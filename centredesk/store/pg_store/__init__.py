"""The PostgreSQL backend: the store in a database on a server, shared by a team.

:func:`open_server` is how :func:`centredesk.store.open_store` opens a
``postgresql://`` URL. Each group of operations is a module of this package, or of
:mod:`centredesk.store.shared` where both backends run it alike (with this backend's
:data:`~.dialect.DIALECT`); they share one :class:`Session`, the only holder of the
connection. Unlike a DuckDB file, the database lets
any number of people read while one writes, so a store here is never "held": nothing waits
to open it, and the app keeps its connection for as long as it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from centredesk.store.errors import OnWait, StoreError
from centredesk.store.interface import Store
from centredesk.store.location import ServerURL
from centredesk.store.pg_store.browse import PostgresBrowse
from centredesk.store.pg_store.connection import TABLES_QUERY, check_is_ours, connect
from centredesk.store.pg_store.dialect import DIALECT
from centredesk.store.pg_store.imports import PostgresImports
from centredesk.store.pg_store.reference import PostgresReference
from centredesk.store.pg_store.registrations import PostgresRegistrations
from centredesk.store.pg_store.schema import check_not_newer, current_version, migrate
from centredesk.store.pg_store.session import Session
from centredesk.store.pg_store.tables import PostgresTables
from centredesk.store.schema import SCHEMA_VERSION
from centredesk.store.shared.details import SharedDetails
from centredesk.store.shared.exports import SharedExports
from centredesk.store.shared.history import SharedHistory
from centredesk.store.shared.learners import SharedLearners
from centredesk.store.shared.registrations import SharedBookings
from centredesk.store.shared.users import SharedUsers

if TYPE_CHECKING:
    from centredesk.store import Missing


class PostgresStore(Store):
    """A centredesk store in a PostgreSQL database."""

    holds_others_out = False

    def __init__(self, session: Session) -> None:
        self._session = session
        self.location = session.url
        self.read_only = session.read_only
        self.browse = PostgresBrowse(session)
        self.details = SharedDetails(session)
        self.imports = PostgresImports(session)
        self.reference = PostgresReference(session)
        self.exports = SharedExports(session, DIALECT)
        self.tables = PostgresTables(session)
        self.learners = SharedLearners(session, DIALECT)
        self.registrations = PostgresRegistrations(session, DIALECT)
        self.bookings = SharedBookings(session, DIALECT)
        self.history = SharedHistory(session, DIALECT)
        self.users = SharedUsers(session)

    @property
    def schema_version(self) -> int:
        return 0 if self._session.stand_in else current_version(self._session)

    @property
    def acting_user(self) -> str:
        # The login, not the operating-system user: on a server each person has their own,
        # and the server vouches for it (the OS user of a client it cannot see).
        return self._session.user

    @contextmanager
    def transaction(self, *, claim: bool = True) -> Iterator[None]:
        with self._session.transaction(claim=claim):
            yield

    def close(self) -> None:
        self._session.close()


def open_server(
    url: ServerURL,
    *,
    read_only: bool = False,
    missing: Missing | None = None,
    wait: float = 0,
    on_wait: OnWait | None = None,
) -> PostgresStore:
    """Open the store in the database at ``url``, migrating it when opened for writing.

    A database that holds no centredesk schema yet is one that does not exist yet for
    ``missing``: migrated when opened for writing, refused read-only, or (``"empty"``)
    read as an empty store of temporary tables that vanish with the connection. Nothing
    is held, so nothing is waited for (``wait`` and ``on_wait`` are for files).
    """
    missing = missing or ("refuse" if read_only else "create")
    session = Session(
        url,
        connect(url, read_only=read_only),
        read_only=read_only,
        connect=lambda: connect(url, read_only=read_only),
    )
    try:
        check_is_ours(session.rows(TABLES_QUERY), url)
        version = current_version(session)
        check_not_newer(version)
        if version == 0 and (read_only or missing == "empty"):
            if missing == "refuse":
                raise StoreError(
                    f"{url} holds no centredesk data yet: import data into it, or copy a "
                    "store into it with `centredesk db copy`"
                )
            # An empty store to read, made where it can neither be seen nor kept.
            session.execute("SET search_path = pg_temp")
            session.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
            session.read_only = False
            migrate(session)
            session.read_only = session.stand_in = True
            session.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        elif not read_only:
            migrate(session)
        elif version < SCHEMA_VERSION:
            # Written by an older centredesk: brought up to date once (a write, in one
            # transaction), then read as asked, so no query meets an old schema.
            writer = connect(url, read_only=False)
            try:
                migrate(Session(url, writer, read_only=False, connect=lambda: writer))
            finally:
                writer.close()
    except BaseException:
        session.close()
        raise
    return PostgresStore(session)
