"""Reading in a child process: whatever the reader does, the caller gets one line and goes on."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from hostile_corpus import (
    SAMPLES,
    learner_rows,
    package,
    sheet_part,
    standard_parts,
    text_cell,
    xls_cut_formula,
)

from centredesk.io.errors import InputError
from centredesk.io.isolated import IsolatedRead, ReadCancelled, ReadLimits, read_sheet_isolated
from centredesk.io.reader import SheetData, read_sheet
from centredesk.io.sheet_transfer import _encode
from centredesk.io.zip_parts import PART_SCAN_BYTES

LEARNERS = SAMPLES / "learners.xlsx"


def beyond_the_scan(path: Path, far: str) -> Path:
    """A sheet whose far value lies past the part of it the scan reads."""
    padding = "<!--" + "".join(f"{n:08x}" for n in range(PART_SCAN_BYTES // 8 + 1)) + "-->"
    far_row = f'<row r="{far[1:]}">' + text_cell(far, "x") + "</row>"
    return package(path, standard_parts(sheet_part(learner_rows() + padding + far_row)))


def test_a_sheet_read_in_a_child_equals_one_read_here() -> None:
    mine, theirs = read_sheet_isolated(LEARNERS), read_sheet(LEARNERS)
    for field in dataclasses.fields(mine):
        a, b = getattr(mine, field.name), getattr(theirs, field.name)
        assert a.equals(b) if isinstance(a, pl.DataFrame) else a == b, field.name


def test_a_relative_path_is_read_from_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_sheet_isolated(LEARNERS)  # the reading server starts in this folder
    (tmp_path / "mine.xlsx").write_bytes(LEARNERS.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert read_sheet_isolated("mine.xlsx").cells.height == 194


def test_a_reader_panic_is_one_line_and_the_caller_goes_on(tmp_path: Path) -> None:
    path = xls_cut_formula(tmp_path / "cut.xls")
    with pytest.raises(
        InputError, match="could not be read safely: the reader stopped on a damaged"
    ):
        read_sheet_isolated(path)
    assert read_sheet_isolated(LEARNERS).cells.height == 194


def test_an_allocation_beyond_the_limit_ends_only_the_child(tmp_path: Path) -> None:
    # calamine asks for one slot per cell from A1 to XFD1048576 and aborts when refused.
    path = beyond_the_scan(tmp_path / "far.xlsx", "XFD1048576")
    with pytest.raises(InputError, match="it would need more than 2 GB of memory"):
        read_sheet_isolated(path)


@pytest.mark.parametrize("factor", [1, 100])
def test_memory_beyond_the_limit_ends_the_child(tmp_path: Path, factor: int) -> None:
    # With a tight address limit the allocation fails at once; with a loose one the child's
    # resident memory is what gives it away.
    path = beyond_the_scan(tmp_path / "wide.xlsx", "T1000000")
    limits = ReadLimits(memory_bytes=150 * 2**20, address_factor=factor)
    with pytest.raises(InputError, match="more than 150 MB of memory"):
        read_sheet_isolated(path, limits=limits)


@pytest.fixture
def hanging(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: reading it blocks for ever."""
    path = tmp_path / "hang.csv"
    os.mkfifo(path)
    return path


def test_a_reader_that_hangs_is_ended_at_the_time_limit(hanging: Path) -> None:
    limits = ReadLimits(base_seconds=0.3, seconds_per_mb=0)
    with pytest.raises(InputError, match="reading took longer than 0.3 s"):
        read_sheet_isolated(hanging, limits=limits)


def test_a_read_can_be_cancelled_from_another_thread(hanging: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with IsolatedRead(hanging, cancel=cancel) as reading, pytest.raises(ReadCancelled):
        reading.result()
    assert _gone(reading.pid)


def test_reads_from_several_threads_at_once(tmp_path: Path) -> None:
    paths = [LEARNERS, Path(__file__).parent / "fixtures" / "learners.ods"] * 2
    heights: dict[int, int] = {}

    def read(index: int) -> None:
        heights[index] = read_sheet_isolated(paths[index]).cells.height

    threads = [threading.Thread(target=read, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert heights == {0: 194, 1: 2, 2: 194, 3: 2}


def test_the_child_hands_over_only_json_and_arrow() -> None:
    with IsolatedRead(LEARNERS) as reading:
        reading.result()
        names = {path.name for path in reading.folder.iterdir()}
    frames = {f"{field.name}.arrow" for field in dataclasses.fields(SheetData)}
    assert names <= {"fields.json", "result.json", "exit.json", "stderr", *frames}
    assert "cells.arrow" in names
    with pytest.raises(TypeError, match="cannot be handed over"):
        _encode(object(), "extra")


def test_the_readers_warnings_go_to_our_log_not_the_terminal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    # calamine warns about a dimension past the last row; the sheet itself is fine.
    path = package(
        tmp_path / "declared.xlsx", standard_parts(sheet_part(learner_rows(), "A1:B2000000"))
    )
    with caplog.at_level(logging.INFO, logger="centredesk.reader"):
        read_sheet_isolated(path)
    assert any("more than maximum number of rows" in r.getMessage() for r in caplog.records)
    assert capfd.readouterr().err == ""


def test_the_reading_server_ends_with_its_parent() -> None:
    script = (
        "from centredesk.io.read_server import SERVER\n"
        "print(SERVER.ensure_running().pid, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert _gone(int(done.stdout))


def _gone(pid: int) -> bool:
    """Whether ``pid`` has ended (waiting a few seconds for it to be reaped)."""
    for _ in range(250):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.02)
    return False


def test_a_finished_read_does_not_wait_for_the_child_to_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if the child took for ever to exit: its result is taken once it is complete, the
    # frames read from its files stay whole after they are removed, and its folder goes.
    monkeypatch.setattr(IsolatedRead, "_exit_status", lambda self: None)
    started = time.monotonic()
    with IsolatedRead(LEARNERS) as reading:
        sheet = reading.result()
        folder = reading.folder
    assert time.monotonic() - started < 30  # the time limit is over 60 s
    assert not [entry for entry in folder.iterdir() if entry.suffix == ".arrow"]
    assert sheet.cells.equals(read_sheet(LEARNERS).cells)
    deadline = time.monotonic() + 10
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not folder.exists()
