"""The PostgreSQL side of the benchmarks: the same store on a server, and its stages.

``python -m benchmarks --postgres URL`` names a server whose database (in the URL) may
create others. The benchmark store is copied there from the DuckDB one with ``centredesk db
copy``'s own job (timed, for the record), once per row count, and kept for later runs. Each
PostgreSQL stage is set beside the same stage on DuckDB, measured in the same run: the
"naive" column of ``pg_import`` is the DuckDB import, so its ratio says how the server
compares (the target: within 2×).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from benchmarks.inputs import Inputs, make_admin
from benchmarks.stages import NotAvailable, Timing
from centredesk.samples import DEFAULT_TODAY
from centredesk.store import ServerURL

SERVER_ENV = "CENTREDESK_BENCH_POSTGRES"


def server() -> str:
    url = os.environ.get(SERVER_ENV)
    if not url:
        raise NotAvailable("no PostgreSQL server: give --postgres URL")
    return url


def database(name: str) -> ServerURL:
    parts = urlsplit(server())
    return ServerURL(urlunsplit(parts._replace(path="/" + name)))


def _admin(sql: str) -> None:
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(server(), autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(sql)


def _exists(name: str) -> bool:
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(server(), autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'")
        return bool(cursor.fetchall()[0][0])


def store_of(inputs: Inputs) -> ServerURL:
    return database(f"centredesk_bench_store_{inputs.rows}")


def prepare(inputs: Inputs, log: Callable[[str], None] = print) -> None:
    """Copy the benchmark store to the server unless an earlier run did."""
    name = f"centredesk_bench_store_{inputs.rows}"
    if _exists(name):
        log(f"reusing the PostgreSQL store {name}")
        return
    from centredesk.jobs.copying import copy_store

    _admin(f'CREATE DATABASE "{name}"')
    log(f"copying the store to PostgreSQL ({name}) …")
    started = time.perf_counter()
    try:
        copy_store(inputs.store, store_of(inputs))
    except BaseException:
        _admin(f'DROP DATABASE "{name}"')
        raise
    log(f"copied and checked in {time.perf_counter() - started:.1f} s")
    # What the server's autovacuum does within a minute of a bulk load: statistics for the
    # planner, and the visibility map that lets sorted keys come from an index alone.
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(store_of(inputs).url, autocommit=True) as con, con.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@contextmanager
def _fresh_catalogue(inputs: Inputs) -> Iterator[ServerURL]:
    from centredesk.jobs.copying import copy_store

    name = f"centredesk_bench_import_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        copy_store(inputs.catalogue, database(name))
        # The server login is not the OS user who built the catalogue: as an administrator
        # moving a store to a server would, give the login the admin role.
        make_admin(database(name), log=lambda _: None)
        yield database(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_ours(inputs: Inputs) -> Timing:
    from centredesk.jobs.importing import import_file
    from centredesk.store import open_store

    with _fresh_catalogue(inputs) as url, open_store(url) as store:
        start = time.perf_counter()
        outcome = import_file(inputs.learners, store, kind="learners", today=DEFAULT_TODAY)
        return Timing(time.perf_counter() - start, outcome.checked.rows)
