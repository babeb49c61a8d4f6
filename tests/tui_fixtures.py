"""Stores and helpers shared by the app's tests."""

from __future__ import annotations

from pathlib import Path

from browse_fixtures import add_learner_history, build_store, import_learners
from textual.pilot import Pilot
from textual.widgets import DataTable

from centredesk.store import open_store


def small_store(tmp_path: Path, learners: int = 300) -> Path:
    """``learners`` generated learners plus Zoë O'Brien and Ann Smythe, imported; Zoë has a
    booking, two results (one withheld) and an audit history."""
    path = build_store(tmp_path / "t.duckdb", learners)
    with open_store(path) as store:
        import_learners(
            store,
            [("Zoë", "O'Brien", "2010-04-03", "1000000043"), ("Ann", "Smythe", "2009-01-02", None)],
        )
        add_learner_history(store, "1000000043")
    return path


async def settle(pilot: Pilot[int]) -> None:
    """Wait until every query the app started has finished and the screen is redrawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # A DataTable sizes its new rows when it next goes idle; wait (a few frames at most)
    # until every filled table has been laid out, or a snapshot may catch it still zero rows high.
    for _ in range(20):
        tables = pilot.app.screen.query(DataTable)
        if all(
            table.virtual_size.height > table.row_count and table.size.height > 0
            for table in tables
            if table.display and table.row_count
        ):
            break
        await pilot.pause()
