"""The app's hold on the database: opened when a query needs it, let go when idle if the
store says holding it shuts others out.

DuckDB lets no other process open a file that one process holds, and a read-only hold
still shuts out a writer. So the app never sits on a file: every query goes through
:meth:`Database.query` (always from a worker thread, never while drawing), which opens the
store read-only if it is not open, and the app calls :meth:`Database.close_if_idle` from a
timer so that after a couple of quiet seconds an import run from another terminal can take
the file. Reopening costs about 40 ms on a 1,000,000-row file (measured), paid once by the
first query after a pause. A database server shuts nobody out (``Store.holds_others_out``
is false), so there the app keeps its connection and browses while an import runs. A
database that does not exist yet reads as an empty store and is not created.
:meth:`Database.data_version` tells the app, cheaply, whether another process changed the
data, so the screen can follow an import made elsewhere.

Writes (:meth:`Database.write`) open the store for writing only for the moment of the change
and let go at once. When another process holds the file, the write waits, telling the
screen who holds it and for how long, until the holder lets go or the user cancels.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from centredesk.jobs.progress import Cancelled
from centredesk.jobs.roles import ROLE_NAMES, allows, why_not
from centredesk.store import Location, Store, StoreLockedError, open_store

R = TypeVar("R")

IDLE_SECONDS = 2.0
"""How long the file stays open after the last query."""
RETRY_SECONDS = 0.2
"""How often a write tries again for a file another process holds."""

Waiting = Callable[[StoreLockedError, float], None]
"""Told, while a write waits, who holds the database and for how many seconds so far."""


@dataclass(frozen=True)
class Identity:
    """Who is using the app and their role, as the store records them: what the footer
    offers follows it (the jobs check the role again on every change)."""

    user: str
    role: str

    def may(self, permission: str) -> bool:
        return allows(self.role, permission)

    def why_not(self, permission: str) -> str | None:
        """The refusal the job would give, or None."""
        return why_not(self.user, self.role, permission)

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


VIEWER = Identity("", "viewer")
"""Until the store has said who the user is, the app offers only reading."""


class Database:
    """Runs store queries for the app: one at a time on a file, side by side on a server.

    ``calls`` counts the queries asked for by name, and ``threads`` the threads they ran
    on, so tests and the benchmark harness can see what the screen asked of the store.
    """

    def __init__(
        self,
        location: Location,
        *,
        idle_seconds: float = IDLE_SECONDS,
        wait: float = 0,
        create_folder: bool = False,
        today: date | None = None,
    ) -> None:
        self.location = location
        self.fixed_today = today
        self.idle_seconds = idle_seconds
        self.wait = wait
        """How long a write waits for a database another process holds."""
        self.create_folder = create_folder
        """Whether a write may make the database's folder (only for the default location)."""
        self.calls: Counter[str] = Counter()
        self.threads: Counter[str] = Counter()
        self.opens = 0
        self._store: Store | None = None
        self._lock = threading.RLock()
        self._last_used = 0.0
        self.identity = VIEWER
        """Who the user is, once :meth:`read_identity` has asked the store."""

    @property
    def today(self) -> date:
        """The day changes are judged and charged as of (tests fix it)."""
        return self.fixed_today or date.today()

    @property
    def is_open(self) -> bool:
        return self._store is not None

    def query(self, call: Callable[[Store], R], *, name: str) -> R:
        """``call(store)`` on an open store; ``name`` says what it asks, for ``calls``.

        Raises the store's :class:`~centredesk.store.StoreError` (for instance
        ``StoreLockedError`` while an import holds the file) for the caller to show.
        """
        with self._lock:
            store = self._open()
            self.calls[name] += 1
            self.threads[threading.current_thread().name] += 1
            if store.holds_others_out:
                try:
                    return call(store)
                finally:
                    self._last_used = time.monotonic()
        # A store that shuts nobody out answers several workers at once (the dashboard
        # and a table, say), each on a connection of its own.
        try:
            return call(store)
        finally:
            self._last_used = time.monotonic()

    def read_identity(self) -> Identity:
        """Ask the store who is acting and their role (called from a worker)."""

        def identity(store: Store) -> Identity:
            return Identity(store.acting_user, store.users.role(store.acting_user))

        self.identity = self.query(identity, name="identity")
        return self.identity

    def write(
        self,
        call: Callable[[Store], R],
        *,
        name: str,
        cancel: threading.Event | None = None,
        waiting: Waiting | None = None,
        committed: Callable[[R], None] | None = None,
    ) -> R:
        """``call(store)`` on the store opened for writing, closed again straight after.

        ``committed(result)``, when given, is called once ``call`` has returned and before
        the store is closed: a job's transactions have ended by then, so what it wrote is
        committed, and the user can hear so without waiting for the close (at a million
        learners DuckDB's checkpoint on close takes as long as the change itself).

        Reads wait meanwhile (DuckDB lets a process hold a file one way at a time). Without
        ``cancel`` (an import), waits up to ``wait`` for another holder and may make the
        database; then raises ``StoreLockedError``. With ``cancel`` (a change to records that
        must already exist), tries again every :data:`RETRY_SECONDS` while another process
        holds the file, telling ``waiting``, and raises
        :class:`~centredesk.jobs.progress.Cancelled` once ``cancel`` is set, having written
        nothing.
        """
        with self._lock:
            self._close()
            if cancel is None:
                store = open_store(self.location, wait=self.wait, create_folder=self.create_folder)
            else:
                store = self._open_for_change(cancel, waiting)
            self.calls[name] += 1
            self.threads[threading.current_thread().name] += 1
            try:
                result = call(store)
                if committed is not None:
                    committed(result)
                return result
            finally:
                store.close()
                self._last_used = time.monotonic()

    def _open_for_change(self, cancel: threading.Event, waiting: Waiting | None) -> Store:
        started = time.monotonic()
        while True:
            if cancel.is_set():
                raise Cancelled()
            try:
                return open_store(self.location, missing="refuse")
            except StoreLockedError as held:
                if waiting is not None:
                    waiting(held, time.monotonic() - started)
                cancel.wait(RETRY_SECONDS)

    def _open(self) -> Store:
        if self._store is not None:
            return self._store
        store = open_store(self.location, read_only=True, missing="empty")
        self.opens += 1
        self._store = store
        return store

    def data_version(self) -> tuple[int, ...]:
        """The store's data version now: the cheap check of whether anything changed.

        A file the app has let go of is opened just for the check and let go of again at
        once (tens of milliseconds), so a writer in another process is not held up; it
        raises :class:`~centredesk.store.StoreLockedError` while a writer holds the file.
        """
        with self._lock:
            self.calls["data_version"] += 1
            if self._store is not None:
                return self._store.tables.data_version()
            with open_store(self.location, read_only=True, missing="empty") as store:
                self.opens += 1
                return store.tables.data_version()

    def close_if_idle(self) -> bool:
        """Let go of the file if no query ran for ``idle_seconds`` and holding it shuts others
        out; True if it was closed."""
        if not self._lock.acquire(blocking=False):
            return False  # a query is running
        try:
            if self._store is None or not self._store.holds_others_out:
                return False
            if time.monotonic() - self._last_used < self.idle_seconds:
                return False
            self._close()
            return True
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
