"""The processes of the PostgreSQL concurrency test: people browsing, importing, editing.

Each runs in a process of its own (started with ``spawn``, so it shares nothing with the
test's process but the database), until a deadline, and puts one report on a queue: what it
did, and every error it met, as text. A worker never lets an exception end it silently.
"""

from __future__ import annotations

import random
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

from centredesk.store import ServerURL, open_store

SEARCHES = (
    ("learners", "surname", "sm"),
    ("learners", "surname", "o'b"),
    ("learners", "forename", "a"),
    ("learners", "date_of_birth", "03/"),
    ("registrations", "surname", "j"),
    ("registrations", "product_code", "6030"),
    ("learners", "surname", "surname"),
)


def browse(url: str, seconds: float, seed: int, queue: Any) -> None:
    """Page, search and sort as someone at the app does, and check what is seen only grows."""
    chance = random.Random(seed)
    report: dict[str, Any] = {"role": "browse", "queries": 0, "errors": [], "learners": []}
    deadline = time.monotonic() + seconds
    try:
        with open_store(ServerURL(url), read_only=True) as store:
            while time.monotonic() < deadline:
                view, field, prefix = chance.choice(SEARCHES)
                keys = store.browse.row_keys(view, search={field: prefix}, sort="surname")
                page = store.browse.rows(view, keys.slice(0, 100).to_pylist())
                if page.num_rows != min(len(keys), 100):
                    report["errors"].append(f"{view}: a page of {page.num_rows} rows")
                everyone = store.browse.row_keys("learners")
                store.details.dashboard()
                report["learners"].append(len(everyone))
                report["queries"] += 4
    except Exception:
        report["errors"].append(traceback.format_exc())
    queue.put(report)


def import_files(url: str, files: list[str], seconds: float, queue: Any) -> None:
    """Import each file in turn (at least the first), while the others browse and edit."""
    from centredesk.jobs.importing import import_file

    report: dict[str, Any] = {"role": "import", "imported": [], "errors": []}
    deadline = time.monotonic() + seconds
    try:
        with open_store(ServerURL(url)) as store:
            for index, name in enumerate(files):
                if index and time.monotonic() > deadline - 15:
                    break  # leave the others time to see the last one land
                outcome = import_file(Path(name), store, today=date(2026, 11, 28))
                report["imported"].append((outcome.accepted, outcome.rejected))
    except Exception:
        report["errors"].append(traceback.format_exc())
    queue.put(report)


def edit_learners(url: str, learners: list[int], seconds: float, editor: str, queue: Any) -> None:
    """Edit the same learners as another editor, each time from the version just read.

    Every edit that lands is reported with the version it was made from; every edit refused
    because the other editor got there first is counted (the store said so: nothing lost).
    """
    from centredesk.store.errors import StaleRecordError

    report: dict[str, Any] = {"role": "edit", "landed": [], "refused": 0, "errors": []}
    deadline = time.monotonic() + seconds
    chance = random.Random(editor)
    try:
        with open_store(ServerURL(url)) as store:
            count = 0
            while time.monotonic() < deadline:
                number = chance.choice(learners)
                record = store.learners.get(number)
                assert record is not None
                count += 1
                value = f"{editor} {count}"
                time.sleep(chance.random() / 50)  # the other editor may land meanwhile
                try:
                    store.learners.edit(
                        number, {"learner_reference": value}, expected_version=record.version
                    )
                except StaleRecordError:
                    report["refused"] += 1
                    continue
                report["landed"].append((number, record.version, value))
    except Exception:
        report["errors"].append(traceback.format_exc())
    queue.put(report)
