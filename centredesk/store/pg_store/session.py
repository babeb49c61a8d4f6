"""The connection behind one open PostgreSQL store, its queries and its transactions.

Every query goes through ADBC's PostgreSQL driver, which speaks Arrow: a result arrives as
Arrow columns (read through binary COPY), and :meth:`Session.load` sends a frame with binary
COPY, so no row ever passes through Python one at a time. The connection runs in autocommit
mode and :meth:`Session.transaction` opens a real transaction only around writes: a store
that only reads never sits in an open transaction, so it sees each import as soon as it
commits and never holds back the server's clean-up.

SQL here is written with ``?`` for each parameter, as in the DuckDB backend; it is numbered
(``$1``, ``$2``) for PostgreSQL before it is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.errors import StoreError, StoreIntegrityError
from centredesk.store.location import ServerURL

if TYPE_CHECKING:
    from centredesk.store.pg_store.compat import Connection


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``sql`` with each ``?`` outside a quoted literal written ``$1``, ``$2``, …"""
    parts = sql.split("'")
    count = 0
    for index in range(0, len(parts), 2):  # the even parts are outside quotes
        pieces = parts[index].split("?")
        text = pieces[0]
        for piece in pieces[1:]:
            count += 1
            text += f"${count}{piece}"
        parts[index] = text
    return "'".join(parts)


def _parameters(params: Sequence[object]) -> pa.RecordBatch | None:
    """Parameters as the one-row batch ADBC binds; a ``None`` goes untyped (PostgreSQL
    takes the type the statement gives it) and an empty list as a list of text."""
    if not params:
        return None
    columns = [
        pa.array([value], pa.null() if value is None else pa.list_(pa.string()))
        if value is None or (isinstance(value, list) and not value)
        else pa.array([value])
        for value in params
    ]
    return pa.RecordBatch.from_arrays(columns, names=[f"p{i}" for i in range(len(columns))])


def plain(table: pa.Table) -> pa.Table:
    """An Arrow result in plain Arrow types, as DuckDB's come out.

    The driver hands a ``numeric`` over as text marked as PostgreSQL's, and ``json`` as an
    extension type: those become decimals of the column's precision and plain text. The
    driver's per-column notes are dropped.
    """
    columns: list[pa.ChunkedArray] = []
    fields: list[pa.Field] = []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = (field.metadata or {}).get(b"POSTGRESQL:type")
        if isinstance(field.type, pa.BaseExtensionType):
            column = pa.chunked_array(
                [chunk.storage for chunk in column.chunks], field.type.storage_type
            )
        if kind == b"numeric":
            modifier = int((field.metadata or {}).get(b"POSTGRESQL:typmod", b"-1"))
            if modifier >= 4:
                precision, scale = (modifier - 4) >> 16, (modifier - 4) & 0xFFFF
                column = column.cast(pa.decimal128(precision, scale))
            else:
                column = column.cast(pa.float64())
        columns.append(column)
        fields.append(pa.field(field.name, column.type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def as_frame(table: pa.Table) -> pl.DataFrame:
    """A polars frame of an Arrow result (see :func:`plain`)."""
    frame = pl.from_arrow(plain(table))
    assert isinstance(frame, pl.DataFrame)
    return frame


def describe(error: Exception) -> str:
    """The server's reason from a driver error, without the driver's own prefixes."""
    text = str(error)
    if "ERROR:" in text:
        text = text.split("ERROR:", 1)[1]
    elif "FATAL:" in text:
        text = text.split("FATAL:", 1)[1]
    return text.strip().split("\n", 1)[0].rstrip(".")


Connect = Callable[[], adbc.Connection]
"""Makes another connection to the same database, set up as the first."""


class Session:
    """Holds the connections; every operation of a store runs its SQL through here.

    Each thread gets a connection of its own (made with ``connect`` the first time it asks),
    so the app's workers read side by side, as the server allows, instead of queueing for
    one. A transaction belongs to the thread that opened it. A stand-in store (temporary
    tables that only its first connection can see) shares that one connection, in turns.
    """

    def __init__(
        self, url: ServerURL, con: adbc.Connection, *, read_only: bool, connect: Connect
    ) -> None:
        self.url = url
        self.read_only = read_only
        self.stand_in = False
        """Reading empty temporary tables: the database holds no centredesk schema yet."""
        self._user: str | None = None
        self.checked_against: int | None = None
        """The latest import when reference frames were last read for validation: an import
        is written only if no other has landed since (see ``imports.record``)."""
        self._first = con
        self._connect = connect
        self._local = threading.local()
        self._local.con = con
        self._made = [con]
        self._lock = threading.RLock()
        """Taken while the one connection is shared (a stand-in store), and to list the
        connections made."""

    @contextmanager
    def _connection(self) -> Iterator[adbc.Connection]:
        if self.stand_in:
            with self._lock:
                yield self._first
            return
        con: adbc.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
            with self._lock:
                self._made.append(con)
        yield con

    # -- queries ----------------------------------------------------------------------------

    @contextmanager
    def _cursor(self, sql: str, params: Sequence[object]) -> Iterator[adbc.Cursor]:
        """A cursor that has run ``sql``; the driver's errors come out as the store's."""
        with self._connection() as con:
            cursor = con.cursor()
            try:
                batch = _parameters(params)
                if batch is None:
                    cursor.execute(numbered(sql))
                else:
                    cursor.execute(numbered(sql), batch)
                yield cursor
            except adbc_driver_manager.IntegrityError as error:
                raise StoreIntegrityError(describe(error)) from error
            except adbc_driver_manager.Error as error:
                raise StoreError(f"{self.url}: {describe(error)}") from error
            finally:
                with suppress(adbc_driver_manager.Error):
                    cursor.close()

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run a statement that returns nothing worth reading."""
        with self._cursor(sql, params):
            pass

    def changed(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run an INSERT, UPDATE or DELETE; how many rows it changed."""
        # The driver does not always know the count: the statement returns a row for each
        # row it changed, and the server counts them.
        counted = (
            f"WITH changed AS ({sql.rstrip().rstrip(';')} RETURNING 1) SELECT count(*) FROM changed"
        )
        return int(self.scalar(counted, params))

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """A small result as Python tuples (a count, a record, a few codes)."""
        with self._cursor(sql, params) as cursor:
            return list(cursor.fetchall())

    def scalar(self, sql: str, params: Sequence[object] = ()) -> Any:
        """The first value of the first row; None when there is no row."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def arrow(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        """A whole result as Arrow columns."""
        with self._cursor(sql, params) as cursor:
            return plain(cursor.fetch_arrow_table())

    def frame(self, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        """A whole result as a polars frame."""
        return as_frame(self.arrow(sql, params))

    def stream(self, sql: str, params: Sequence[object], rows: int) -> Iterator[pl.DataFrame]:
        """A large result in frames of at most ``rows`` rows, on a connection of its own."""
        con = self._first if self.stand_in else self._connect()
        try:
            cursor = con.cursor()
            batch = _parameters(params)
            try:
                if batch is None:
                    cursor.execute(numbered(sql))
                else:
                    cursor.execute(numbered(sql), batch)
                reader = cursor.fetch_record_batch()
            except adbc_driver_manager.Error as error:
                raise StoreError(f"{self.url}: {describe(error)}") from error
            given = False
            for arrow in reader:
                for start in range(0, arrow.num_rows, rows):
                    given = True
                    yield as_frame(pa.Table.from_batches([arrow.slice(start, rows)]))
            if not given:  # no rows: one empty chunk, so the columns are still known
                yield as_frame(reader.schema.empty_table())
            cursor.close()
        finally:
            if con is not self._first:
                with suppress(adbc_driver_manager.Error):
                    con.close()

    def load(self, table: str, rows: pl.DataFrame, *, temporary: bool = False) -> None:
        """Send ``rows`` with binary COPY: into a new temporary table called ``table``, or
        appended to the existing ``table``."""
        # A column polars could not type (all nulls) goes as text, which casts to anything.
        arrow = rows.with_columns(
            pl.col(name).cast(pl.String) for name, dtype in rows.schema.items() if dtype == pl.Null
        ).to_arrow()
        with self._connection() as con:
            cursor = con.cursor()
            try:
                cursor.adbc_ingest(
                    table, arrow, mode="create" if temporary else "append", temporary=temporary
                )
            except adbc_driver_manager.IntegrityError as error:
                raise StoreIntegrityError(describe(error)) from error
            except adbc_driver_manager.Error as error:
                raise StoreError(f"{self.url}: {describe(error)}") from error
            finally:
                cursor.close()

    # -- transactions -----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside a transaction."""
        return bool(getattr(self._local, "depth", 0))

    @property
    def user(self) -> str:
        """Who is acting: the login, which the server vouches for (see ``acting_user``)."""
        if self._user is None:
            self._user = str(self.scalar("SELECT session_user"))
        return self._user

    @property
    def con(self) -> Connection:
        """This session as a connection-shaped object (see :mod:`.compat`)."""
        from centredesk.store.pg_store.compat import Connection

        return Connection(self)

    @contextmanager
    def transaction(self, *, claim: bool = True) -> Iterator[Connection]:
        """One transaction on this thread's connection; a nested one joins the outer.

        ``claim`` records the acting user as admin when the store lists no users yet (a
        bulk copy of whole tables passes False: it brings its own users).
        """
        if self.read_only:
            raise StoreError(f"{self.url} was opened read-only; nothing can be written")
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield self.con
            finally:
                self._local.depth = depth
            return
        self.execute("BEGIN")
        self._local.depth = 1
        try:
            if claim and not self.stand_in:
                self.execute(
                    "INSERT INTO users (os_user, role, granted_by, granted_at) "
                    "SELECT ?, 'admin', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)",
                    [self.user, self.user, datetime.now()],
                )
            yield self.con
            self.execute("COMMIT")
        except BaseException:
            with suppress(StoreError):
                self.execute("ROLLBACK")
            raise
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._lock:
            for con in self._made:
                with suppress(adbc_driver_manager.Error):
                    con.close()
            self._made.clear()
