"""A database held by another process: wait a little, say who holds it, never a traceback."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from holder import hold, release
from store_fixtures import record_rows
from test_store import learner_rows

from centredesk.cli import main
from centredesk.store import StoreLockedError, open_store
from centredesk.store.holders import describe_process


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A database file held read-write by a second process until the test ends."""
    path = tmp_path / "held.duckdb"
    with open_store(path) as store:
        record_rows(store, "learners", learner_rows())
    holder = hold(path)
    try:
        yield path, holder.pid
    finally:
        release(holder)


def test_opening_a_held_database_names_the_file_and_the_process(held: tuple[Path, int]) -> None:
    path, pid = held
    for read_only in (False, True):
        with pytest.raises(StoreLockedError) as caught:
            open_store(path, read_only=read_only)
        assert caught.value.pid == pid
        assert str(path) in str(caught.value)
        assert f"pid {pid}, user {getpass.getuser()}" in str(caught.value)


def test_an_opener_waits_for_the_holder_to_let_go(held: tuple[Path, int]) -> None:
    path, pid = held
    waits: list[StoreLockedError] = []
    started = time.monotonic()
    with pytest.raises(StoreLockedError, match=r"waited 0\.5 s"):
        open_store(path, wait=0.5, on_wait=waits.append)
    assert time.monotonic() - started >= 0.5
    assert [held.pid for held in waits] == [pid]  # told once, not on every try


def test_the_holder_is_described_by_its_command_line_and_owner(tmp_path: Path) -> None:
    path = tmp_path / "app.duckdb"
    holder = hold(path, script=tmp_path / "centredesk")  # its command line: …/centredesk PATH
    try:
        described = describe_process(holder.pid)
    finally:
        release(holder)
    assert described == f"centredesk app, pid {holder.pid}, user {getpass.getuser()}"
    assert describe_process(os.getpid()).startswith(("pytest", "python", "centredesk"))


def test_a_command_waits_then_says_who_holds_it_in_one_line_and_exits_2(
    held: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, pid = held
    sheet = tmp_path / "learners.csv"
    sheet.write_text("Centre Number,Product Code,Forename,Surname,Date of Birth\n")
    started = time.monotonic()
    status = main(["import", str(sheet), "--db", str(path), "--wait", "1"])
    out, err = capsys.readouterr()
    assert time.monotonic() - started >= 1
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0] and f"pid {pid}" in lines[0] and "waited 1 s" in lines[0]


def test_the_command_line_says_so_in_its_own_process_too(held: tuple[Path, int]) -> None:
    path, pid = held
    result = subprocess.run(
        [sys.executable, "-m", "centredesk", "export", "products", "--out", "x.xlsx",
         "--db", str(path), "--wait", "0"],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"pid {pid}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_that_waits_long_enough_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.duckdb"
    with open_store(path) as store:
        record_rows(store, "learners", learner_rows())
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    holder = hold(path)
    letting_go = threading.Timer(1.5, release, [holder])
    letting_go.start()
    try:
        started = time.monotonic()
        status = main(["import", str(sheet), "--db", str(path), "--wait", "60"])
        assert time.monotonic() - started >= 1.5  # it waited for the holder
    finally:
        letting_go.join()
        release(holder)
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "loaded 1 rows" in out
    with open_store(path, read_only=True) as store:
        assert store.tables.counts()["approvals"] == 1
