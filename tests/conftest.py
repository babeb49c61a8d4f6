"""Fixtures shared across the suite: the store's location on each backend.

Tests of the store (and of the jobs that write it) take ``location``, which runs them once on
a DuckDB file and once on a fresh PostgreSQL database. The PostgreSQL runs need a server
(see :mod:`pg_server`); without one they are deselected, and the run says so in one line.

Tests of record changes take ``store``: a fresh copy, on the test's backend, of the store
:mod:`change_fixtures` builds once per module (``template``). A module that needs another
store or template defines its own, which takes the place of these.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pg_server
import pytest
from change_fixtures import build, copy

from centredesk.store import Location, Store, open_store

BACKENDS = ("duckdb", "postgresql")
_UNAVAILABLE = pg_server.unavailable_reason()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _UNAVAILABLE is None:
        return
    kept = [item for item in items if "postgresql" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _UNAVAILABLE is not None:
        terminalreporter.write_line(f"PostgreSQL tests not run: {_UNAVAILABLE}", yellow=True)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pg_server.Server]:
    """The server ``$CENTREDESK_TEST_POSTGRES`` names, or one started for this process."""
    server = pg_server.from_environment()
    if server is not None:
        yield server
        return
    try:
        started = pg_server.start()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        # Installed but not startable here (permissions, a full disk): the PostgreSQL half
        # is skipped, under one line of the summary, rather than failed.
        detail = getattr(error, "stderr", None) or str(error)
        reason = str(detail.decode() if isinstance(detail, bytes) else detail).strip()
        pytest.skip(f"PostgreSQL tests not run: no throwaway server could start ({reason})")
    try:
        yield started
    finally:
        started.stop()


LocationFactory = Callable[[str], Location]


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """Which backend a test runs on (the PostgreSQL runs carry the ``postgresql`` mark)."""
    return str(request.param)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Mark the PostgreSQL instances, so they can be deselected where no server is.
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend",
            [
                "duckdb",
                pytest.param("postgresql", marks=pytest.mark.postgresql),
            ],
            indirect=True,
            scope="module",
        )


@pytest.fixture
def new_location(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[LocationFactory]:
    """Makes stores that do not exist yet on the test's backend: ``new_location("a")``."""
    if backend == "duckdb":
        yield lambda name: tmp_path / f"{name}.duckdb"
        return
    server: pg_server.Server = request.getfixturevalue("postgres_server")
    made: list[Location] = []

    def make(name: str) -> Location:
        url = pg_server.new_database(server, name)
        made.append(url)
        return url

    yield make
    for url in made:
        pg_server.drop_database(server, url)  # type: ignore[arg-type]


@pytest.fixture
def location(new_location: LocationFactory) -> Location:
    """A store that does not exist yet (an absent file, an empty database)."""
    return new_location("store")


@pytest.fixture(scope="module")
def module_location(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Location]:
    """One store that does not exist yet, shared by a module's tests on a backend."""
    if backend == "duckdb":
        yield tmp_path_factory.mktemp("store") / "store.duckdb"
        return
    server: pg_server.Server = request.getfixturevalue("postgres_server")
    url = pg_server.new_database(server, "shared")
    yield url
    pg_server.drop_database(server, url)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The change fixtures' store, built through the real imports once per module."""
    return build(tmp_path_factory.mktemp("template"))


@pytest.fixture
def store(template: Path, new_location: LocationFactory) -> Iterator[Store]:
    """A copy of ``template`` on the test's backend, open for the test to change."""
    with open_store(copy(template, new_location("s"))) as opened:
        yield opened
