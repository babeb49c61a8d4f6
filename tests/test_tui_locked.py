"""A database held by another process: the app names the file and the process, then
retries or quits, and never shows a traceback."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from holder import hold, release
from textual.widgets import Static
from tui_fixtures import settle, small_store

from centredesk.tui.app import EXIT_LOCKED, CentredeskApp
from centredesk.tui.screens.dashboard import DashboardView
from centredesk.tui.screens.problem import ProblemScreen


async def test_held_database_names_file_and_process_then_retry_works(tmp_path: Path) -> None:
    path = small_store(tmp_path)
    holder = hold(path)
    try:
        app = CentredeskApp(path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ProblemScreen)
            text = str(app.screen.query_one("#problem-text", Static).render())
            assert str(holder.pid) in text
            assert "t.duckdb" in text
            assert not app.database.is_open
            release(holder)
            await pilot.press("r")
            await settle(pilot)
            assert not isinstance(app.screen, ProblemScreen)
            assert app.query_one(DashboardView).loads == 1
    finally:
        release(holder)


async def test_quitting_on_a_held_database_exits_with_status_2(tmp_path: Path) -> None:
    path = small_store(tmp_path)
    holder = hold(path)
    try:
        app = CentredeskApp(path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ProblemScreen)
            await pilot.press("q")
        assert app.return_code == EXIT_LOCKED
    finally:
        release(holder)


async def test_an_idle_app_does_not_lock_out_a_writer(tmp_path: Path) -> None:
    path = small_store(tmp_path)
    app = CentredeskApp(path, idle_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.database.close_if_idle()
        holder = hold(path)  # would fail to open while the app held the file
        release(holder)


async def test_a_command_line_import_waits_for_the_app_then_succeeds(tmp_path: Path) -> None:
    path = small_store(tmp_path)
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n12345,603/0862/X\n")
    app = CentredeskApp(path, idle_seconds=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.database.is_open  # the app holds the file after reading it
        started = time.monotonic()
        importing = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "centredesk", "import", str(sheet), "--db", str(path),
            "--wait", "30", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        # The app goes on running meanwhile, and lets go of the file once idle.
        out, err = await asyncio.wait_for(importing.communicate(), timeout=60)
        assert importing.returncode == 0, err.decode()
        assert b"loaded 1 rows" in out and err == b""
        # Starting takes about a second; the app lets go only after 3 idle seconds.
        assert time.monotonic() - started >= 2.5
        # Then the app reads the new data, and lets go again once idle.
        deadline = time.monotonic() + 30
        while app.database.is_open:
            assert time.monotonic() < deadline
            await pilot.pause(0.1)
