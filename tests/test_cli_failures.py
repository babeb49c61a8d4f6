"""Failures at the top of the command line: one line on stderr, never a traceback, no half work.

Exit 2 for anything that stopped a command (the user's problem, our bug, or Ctrl-C),
exit 1 only for data with errors. Disk full or Ctrl-C during an import's write leave the
store as it was.
"""

from __future__ import annotations

import argparse
import logging
import resource
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_import import APPROVALS, PRODUCTS, TODAY, snapshot, write_xlsx

from centredesk.cli import logfile, main
from centredesk.errors import UserError
from centredesk.jobs.importing import import_file
from centredesk.jobs.progress import Progress
from centredesk.store import open_store
from centredesk.store.errors import StoreWriteError

LEARNERS = Path(__file__).resolve().parents[1] / "sample_data" / "learners.xlsx"


def catalogue_store(tmp_path: Path) -> Path:
    """A database holding the catalogue and one centre's approvals."""
    db = tmp_path / "store.duckdb"
    with open_store(db) as store:
        import_file(write_xlsx(tmp_path / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(tmp_path / "approvals.xlsx", APPROVALS), store, today=TODAY)
    return db


def at_writing(action: object) -> Progress:
    """Progress that runs ``action`` when the import starts writing to the store."""

    def callback(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 0:
            action()  # type: ignore[operator]

    return Progress(callback)


class ReaderPanic(BaseException):
    """Stands in for pyo3's PanicException, which is not an Exception either."""


@pytest.fixture
def rules_command_raises(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException]]:
    """``centredesk rules`` raising whatever the test puts in the list."""
    raised: list[BaseException] = []
    from centredesk.cli import rules

    def run(args: argparse.Namespace) -> int:
        raise raised[0]

    monkeypatch.setattr(rules, "run", run)
    yield raised


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (UserError("learners.xlsx: no such sheet"), 2, "centredesk: learners.xlsx: no such sheet"),
        (ValueError("bad\nthing"), 2, "internal error (ValueError: bad); nothing was written"),
        (ReaderPanic("range end index 2 out of range"), 2, "internal error (ReaderPanic"),
        (KeyboardInterrupt(), 2, "interrupted; nothing was written"),
        (RuntimeError("Query interrupted"), 2, "interrupted; nothing was written"),
    ],
)
def test_every_failure_is_one_line(
    rules_command_raises: list[BaseException],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    error: BaseException,
    status: int,
    says: str,
) -> None:
    rules_command_raises.append(error)
    assert main(["rules"]) == status
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
    if "internal error" in says:
        # The details are kept, in the log, for whoever fixes the bug.
        assert any(record.exc_info for record in caplog.records)


def test_the_log_goes_to_a_file_and_never_to_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "logs" / "centredesk.log"
    monkeypatch.setenv(logfile.ENV_VAR, str(target))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        assert logfile.send_log_to_file() == target
        logging.getLogger("calamine.xlsx").warning("'chartsheet' not a valid worksheet")
        monkeypatch.setenv(logfile.ENV_VAR, str(tmp_path / "file" / "in" / "x.log"))
        (tmp_path / "file").write_text("not a folder")
        logfile.send_log_to_file()
        logging.getLogger("centredesk").error("cannot be written: still silent")
    finally:
        root.handlers[:], root.level = handlers, level
    assert "'chartsheet' not a valid worksheet" in target.read_text()
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.fixture
def catalogued(tmp_path: Path) -> Path:
    return catalogue_store(tmp_path)


def test_a_full_disk_during_the_write_is_one_line_and_changes_nothing(
    catalogued: Path, tmp_path: Path
) -> None:
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def fill_the_disk() -> None:
        # From here no file may grow past 4 KB: the database's log cannot be written.
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limit[1]))

    with open_store(catalogued) as store:
        before = snapshot(store)
        try:
            with pytest.raises(StoreWriteError) as caught:
                import_file(LEARNERS, store, today=TODAY, progress=at_writing(fill_the_disk))
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limit)
            signal.signal(signal.SIGXFSZ, handler)
        assert snapshot(store) == before
    message = str(caught.value)
    assert "\n" not in message and "nothing was written" in message
    with open_store(catalogued, read_only=True) as store:
        assert snapshot(store) == before


def test_an_interrupted_query_rolls_back_and_reads_as_ctrl_c(catalogued: Path) -> None:
    with open_store(catalogued) as store:
        before = snapshot(store)
        session = store._session  # type: ignore[attr-defined]  # the backend, for raw queries
        stop = threading.Event()

        def interrupt() -> None:
            while not stop.wait(0.05):
                session.con.interrupt()

        thread = threading.Thread(target=interrupt)
        thread.start()
        try:
            with pytest.raises(KeyboardInterrupt), store.transaction():
                session.con.execute("INSERT INTO centres VALUES ('999999', 'Half', now())")
                session.con.execute("SELECT count(*) FROM range(10000000000000)").fetchall()
        finally:
            stop.set()
            thread.join()
        assert snapshot(store) == before


def test_ctrl_c_as_duckdb_reports_it_rolls_back_too(catalogued: Path) -> None:
    # SIGINT during a query surfaces from DuckDB as RuntimeError("Query interrupted").
    with open_store(catalogued) as store:
        before = snapshot(store)
        session = store._session  # type: ignore[attr-defined]
        with pytest.raises(KeyboardInterrupt), store.transaction():
            session.con.execute("INSERT INTO centres VALUES ('999999', 'Half', now())")
            raise RuntimeError("Query interrupted")
        assert snapshot(store) == before
