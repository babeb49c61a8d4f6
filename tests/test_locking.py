"""A database held for writing by another process: a clear message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from holder import hold, release

from centredesk.store import Store, StoreLockedError


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A database file held read-write by a second process until the test ends."""
    path = tmp_path / "held.duckdb"
    Store.open(path).close()
    holder = hold(path)
    try:
        yield path, holder.pid
    finally:
        release(holder)


def test_opening_a_held_database_names_the_file_and_the_process(held: tuple[Path, int]) -> None:
    path, pid = held
    for read_only in (False, True):
        with pytest.raises(StoreLockedError) as caught:
            Store.open(path, read_only=read_only)
        assert caught.value.pid == pid
        assert str(path) in str(caught.value)
        assert f"process {pid}" in str(caught.value)


def test_the_command_line_says_so_in_one_line_and_exits_2(
    held: tuple[Path, int], tmp_path: Path
) -> None:
    path, pid = held
    sheet = tmp_path / "learners.csv"
    sheet.write_text("Centre Number,Product Code,Forename,Surname,Date of Birth\n")
    result = subprocess.run(
        [sys.executable, "-m", "centredesk", "import", str(sheet), "--db", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and f"process {pid}" in lines[0]
