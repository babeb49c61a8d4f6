"""A throwaway PostgreSQL server for the tests, and a fresh database for each test.

The tests use the server ``$CENTREDESK_TEST_POSTGRES`` names (a URL whose database the
tests may create databases from: ``.ci/run`` starts one and sets it). Without it, they start
a server of their own when PostgreSQL's programs are installed: ``initdb`` into a temporary
folder and ``pg_ctl start`` listening only on a Unix socket in that folder, stopped when the
tests end. ``initdb`` refuses to run as root, so as root the server runs as the ``postgres``
user. Where neither is possible, the PostgreSQL half of the suite is skipped.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi as adbc

from centredesk.store import ServerURL

SERVER_ENV = "CENTREDESK_TEST_POSTGRES"


def programs() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, newest version first; None if absent."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


def _as_server_user() -> list[str]:
    """The command prefix that runs PostgreSQL's programs as a user they accept."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without runuser: cannot start PostgreSQL")
    return [runuser, "-u", "postgres", "--"]


def unavailable_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here; None when they can."""
    if os.environ.get(SERVER_ENV):
        return None
    if programs() is None:
        return f"no PostgreSQL server: set {SERVER_ENV} or install PostgreSQL"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run a server as"
    return None


@dataclass
class Server:
    """A server the tests may create databases on."""

    url: str
    """Any database of the server, for creating and dropping others."""
    folder: Path | None = None
    """The data folder, when the tests started the server themselves."""

    def database_url(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + quote(name)))

    def admin(self) -> adbc.Connection:
        return adbc.connect(self.url, autocommit=True)

    def stop(self) -> None:
        if self.folder is None:
            return
        bin_dir = programs()
        assert bin_dir is not None
        subprocess.run(
            [*_as_server_user(), str(bin_dir / "pg_ctl"), "-D", str(self.folder / "data"),
             "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def start(parent: Path | None = None) -> Server:
    """Start a throwaway server in a new temporary folder and return it."""
    bin_dir = programs()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's programs are not installed")
    folder = Path(tempfile.mkdtemp(prefix="centredesk-pg-", dir=parent))
    prefix = _as_server_user()
    if prefix:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    # Only a Unix socket, and no durability: a test server is thrown away after the run.
    options = (
        f"-c listen_addresses='' -k {folder} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=60"
    )
    subprocess.run(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
         "-o", options, "-w", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    return Server(f"postgresql://postgres@/postgres?host={folder}", folder)


def from_environment() -> Server | None:
    url = os.environ.get(SERVER_ENV)
    return Server(url) if url else None


_numbers = itertools.count(1)


def new_database(server: Server, label: str = "test") -> ServerURL:
    """A new, empty database on ``server``, named for this process and test."""
    name = f"{label}_{os.getpid()}_{next(_numbers)}"
    with server.admin() as con, con.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return ServerURL(server.database_url(name))


def drop_database(server: Server, url: ServerURL) -> None:
    with server.admin() as con, con.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{url.name}" WITH (FORCE)')
