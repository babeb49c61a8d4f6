"""Stores and helpers shared by the app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from browse_fixtures import add_learner_history, build_store, import_learners
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

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


async def _workers_done(pilot: Pilot[int]) -> None:
    """Wait for every worker; one cancelled meanwhile (a read a newer one replaced, as the
    app does when a saved change arrives) is part of the app's work, not a failure."""
    for worker in list(pilot.app.workers):
        with suppress(WorkerCancelled):
            await worker.wait()


async def settle(pilot: Pilot[int]) -> None:
    """Wait until every query the app started has finished and the screen is redrawn."""
    await _workers_done(pilot)
    await pilot.pause()
    await _workers_done(pilot)
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
    # A table laid out draws its rows when the app next refreshes; on a loaded machine a
    # snapshot taken at once has caught one still blank.
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def add_repeated_rows_import(path: Path) -> int:
    """An import whose rows repeat one another (DUP_IN_FILE: the rule with the longest
    description) and carry a message too long for 80 columns; its import id."""
    with open_store(path) as store:
        next_id = int(store.tables.read("imports").get_column("import_id").max() or 0) + 1  # type: ignore[arg-type]
        when = datetime(2025, 9, 15, 11, 45)
        store.tables.append(
            "imports",
            pl.DataFrame(
                {
                    "import_id": [next_id],
                    "file_name": ["autumn-late-registrations-from-the-mis-export.xlsx"],
                    "sha256": ["ddd"],
                    "kind": ["learners"],
                    "sheet": ["Registrations"],
                    "rows_read": [4],
                    "rows_accepted": [2],
                    "rows_rejected": [2],
                    "os_user": ["dmanager"],
                    "started_at": [when],
                    "finished_at": [when],
                }
            ),
        )
        message = (
            "the same learner on 603/0862/X as row {} (by name and date of birth, as the "
            "row has no ULN): the earlier row is kept"
        )
        store.tables.append(
            "import_issues",
            pl.DataFrame(
                {
                    "import_id": [next_id] * 2,
                    "row": [5, 6],
                    "column_name": [None, None],
                    "field": [None, None],
                    "code": ["DUP_IN_FILE"] * 2,
                    "severity": ["error"] * 2,
                    "message": [message.format(3), message.format(4)],
                    "value": [None, None],
                }
            ),
        )
        store.tables.append(
            "rejected_rows",
            pl.DataFrame(
                {
                    "import_id": [next_id] * 2,
                    "row": [5, 6],
                    "cells": ['{"Forename": "Ann"}', '{"Forename": "Bob"}'],
                }
            ),
        )
    return next_id


@contextmanager
def acting_as(user: str) -> Iterator[None]:
    """Every store opened in the block acts as ``user``: a snapshot shows the same name in
    its header on every machine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("centredesk.store.duckdb_store.session.os_user", lambda: user)
        yield
