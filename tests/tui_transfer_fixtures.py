"""Stores, uploads and helpers shared by the tests of the app's import and export."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from test_import import APPROVALS, PRODUCTS, TODAY, uln, write_xlsx
from textual.pilot import Pilot

from centredesk.jobs.importing import import_file
from centredesk.jobs.progress import Progress
from centredesk.store import open_store

HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth"]
FIXED_TIME = 1_780_000_000  # a fixed modification time, so listings are the same every run


def catalogued(folder: Path) -> Path:
    """A store holding the catalogue and one centre's approvals."""
    db = folder / "store.duckdb"
    with open_store(db) as store:
        import_file(write_xlsx(folder / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(folder / "approvals.xlsx", APPROVALS), store, today=TODAY)
    return db


def upload(folder: Path) -> Path:
    """Two learners whose ULNs sit under a header the reader does not know; one ULN is bad."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        [*HEADERS, "Learner ULN No", "Tutor"],
        ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010", uln(100000001), "Ms Khan"],
        ["100001", "603/0862/X", "Sean", "Smith", "09/01/2009", "1000000042", "Mr Ode"],
    ]
    path = write_xlsx(folder / "autumn.xlsx", rows)
    os.utime(path, (FIXED_TIME, FIXED_TIME))
    return path


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 30) -> None:
    """Let the app run until ``condition`` holds (a worker finished, a screen came up)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.02)
    await pilot.pause()


def blocking(
    job: Callable[..., Any], stage: str, *, seconds: float = 20
) -> tuple[Callable[..., Any], threading.Event]:
    """``job`` that stops when it first reports ``stage`` until it is cancelled (or
    ``seconds`` pass), and an event set when it got there: a cancel arrives mid-job."""
    reached = threading.Event()

    def held(*args: Any, progress: Progress, **kwargs: Any) -> Any:
        inner = progress.callback

        def callback(name: str, done: int, total: int) -> None:
            if name == stage and not reached.is_set():
                reached.set()
                progress.cancel.wait(seconds)
            if inner is not None:
                inner(name, done, total)

        progress.callback = callback
        return job(*args, progress=progress, **kwargs)

    return held, reached
