"""Build a demo database from the sample workbooks, through the real import path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from centredesk.errors import UserError
from centredesk.jobs.importing import ImportOutcome, import_file
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.store import open_store

# In the order they must load: the catalogue and approvals before the learners that need
# them, registrations before the bookings and results that attach to them.
SAMPLE_FILES = ("products.xlsx", "approvals.xlsx", "learners.xlsx", "bookings.xlsx", "results.xlsx")


def sample_dir() -> Path:
    """The ``sample_data`` folder of this checkout."""
    return Path(__file__).resolve().parents[2] / "sample_data"


def build_demo(
    path: Path,
    *,
    samples: Path | None = None,
    progress: Progress = NO_PROGRESS,
    on_import: Callable[[str, ImportOutcome], None] | None = None,
) -> list[ImportOutcome]:
    """Build a fresh demo database at ``path`` and return what each import did.

    An existing file is replaced only if it is itself a demo database: one whose imports all
    came from the sample files. The new database is built beside it and renamed into place,
    so a failed build leaves the old one untouched.
    """
    samples = samples or sample_dir()
    missing = [name for name in SAMPLE_FILES if not (samples / name).is_file()]
    if missing:
        raise UserError(f"sample data not found in {samples}: missing {', '.join(missing)}")
    if path.exists():
        _check_is_demo(path)
    building = path.with_name(path.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    outcomes = []
    try:
        with open_store(building) as store:
            for name in SAMPLE_FILES:
                outcome = import_file(samples / name, store, progress=progress)
                outcomes.append(outcome)
                if on_import is not None:
                    on_import(name, outcome)
        os.replace(building, path)
    finally:
        building.unlink(missing_ok=True)
    return outcomes


def _check_is_demo(path: Path) -> None:
    with open_store(path, read_only=True) as store:
        names = store.imports.file_names()
    if not names <= set(SAMPLE_FILES):
        raise UserError(
            f"{path} holds imports of other files, so it is not a demo database; "
            "choose another --db for the demo"
        )
