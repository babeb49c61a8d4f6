"""Changing records in bulk: withdraw a whole batch of (up to) 100,000 registrations.

Ours is the withdraw job end to end on a copy of the benchmark store (its preview of the
batch, the role check, one audited UPDATE in one transaction). The naive baseline does what
code written without thinking would: for each registration, read it, update it and insert
its audit line, one statement each (``executemany``), timed on 5,000 and scaled.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.inputs import Inputs
from benchmarks.stages import Timing, Variants

BATCH_ROWS = 100_000
NAIVE_ROWS = 5_000
CENTRE, BATCH = "900001", 9001


def _batch_store(inputs: Inputs, folder: Path) -> tuple[Path, int]:
    """A copy of the benchmark store with its first registrations made one batch."""
    target = folder / "batch.duckdb"
    shutil.copy(inputs.store, target)
    with duckdb.connect(str(target)) as con:
        updated = con.execute(
            "UPDATE registrations SET centre_number = ?, batch_number = ?, status = 'active' "
            "WHERE registration_id <= ?",
            [CENTRE, BATCH, min(inputs.rows, BATCH_ROWS)],
        ).fetchall()
    return target, int(updated[0][0])


def withdraw_batch_ours(inputs: Inputs) -> Timing:
    from centredesk.jobs.statuses import withdraw
    from centredesk.store import open_store
    from centredesk.store.records import Selection

    with tempfile.TemporaryDirectory() as folder:
        path, size = _batch_store(inputs, Path(folder))
        with open_store(path) as store:
            start = time.perf_counter()
            outcome = withdraw(store, Selection.of_batch(str(BATCH), CENTRE))
            elapsed = time.perf_counter() - start
            assert outcome.change is not None and outcome.change.records == size
        return Timing(elapsed, size)


def withdraw_batch_naive(inputs: Inputs) -> Timing:
    with tempfile.TemporaryDirectory() as folder:
        path, size = _batch_store(inputs, Path(folder))
        limit = min(size, NAIVE_ROWS)
        with duckdb.connect(str(path)) as con:
            start = time.perf_counter()
            ids = con.execute(
                "SELECT registration_id, status FROM registrations WHERE centre_number = ? "
                "AND batch_number = ? ORDER BY registration_id LIMIT ?",
                [CENTRE, BATCH, limit],
            ).fetchall()
            con.execute("BEGIN")
            con.executemany(
                "UPDATE registrations SET status = 'withdrawn' WHERE registration_id = ?",
                [(key,) for key, _ in ids],
            )
            con.executemany(
                "INSERT INTO audit_records VALUES (1, 'registrations', ?, ?, ?)",
                [(str(key), f'{{"status":"{status}"}}', '{"status":"withdrawn"}')
                 for key, status in ids],
            )  # fmt: skip
            con.execute("COMMIT")
            elapsed = time.perf_counter() - start
    return Timing(elapsed * size / limit, size)


CHANGE_STAGES: dict[str, Variants] = {
    "withdraw_batch": Variants(withdraw_batch_ours, withdraw_batch_naive),
}
