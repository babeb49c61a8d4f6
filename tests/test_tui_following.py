"""The app follows changes made by other processes, without a key press."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static
from tui_fixtures import settle, small_store

from centredesk.tui.app import CentredeskApp
from centredesk.tui.widgets.paged_table import PagedTable

SIZE = (80, 24)


async def until(pilot: Pilot[int], condition: Callable[[], bool], timeout: float = 30) -> None:
    """Let the app run (no key is pressed) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the app did not catch up"
        await pilot.pause(0.1)


async def import_elsewhere(path: Path, sheet: Path) -> None:
    """``centredesk import`` in a process of its own, as from another terminal."""
    importing = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "centredesk", "import", str(sheet), "--db", str(path),
        "--wait", "30", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(importing.communicate(), timeout=60)
    assert importing.returncode == 0, err.decode()


def _text(app: CentredeskApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_an_import_in_another_process_shows_up_without_a_key_press(
    tmp_path: Path,
) -> None:
    path = small_store(tmp_path)
    sheet = tmp_path / "more-products.csv"
    sheet.write_text(
        "Product Code,Title,Level,External Assessment\n"
        "603/1956/2,Level 3 Extended Certificate in Applied Science,3,no\n"
    )
    app = CentredeskApp(path, idle_seconds=0.2, check_seconds=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#products-table", PagedTable)
        assert table.row_count == 3
        loads = app.database.calls["row_keys"]
        await import_elsewhere(path, sheet)
        await until(pilot, lambda: table.row_count == 4)
        await settle(pilot)
        assert _text(app, "#products-status").startswith("4 products")
        assert app.database.calls["row_keys"] == loads + 1
        # The dashboard, not on screen, catches up when it is shown.
        await pilot.press("1")
        await until(pilot, lambda: "Products                 4" in _text(app, "#dashboard-counts"))
        # Between checks the app lets go of the file, so the import never had to wait long.
        await until(pilot, lambda: not app.database.is_open)


async def test_checking_for_changes_lets_go_of_a_file_it_had_let_go_of(tmp_path: Path) -> None:
    path = small_store(tmp_path)
    # No timed check for changes: one opening the file between the count and the check
    # below (a worker thread, on a busy machine) would be counted as this check's.
    app = CentredeskApp(path, idle_seconds=0, check_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.database.close_if_idle()
        opens = app.database.opens
        version = app.database.data_version()
        assert app.database.opens == opens + 1
        assert not app.database.is_open
        assert version == app.database.data_version()
