"""Several people on one PostgreSQL store at once: browsing, searching, importing, editing.

Eight processes browse and search for a minute while another imports 100,000-row files and
two edit the same learners: none of them meets an error or waits for the import, the
readers see each import whole (the number of learners only ever grows, by whole files), no
edit is lost, and every edit made from a stale copy is refused and told to its editor.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pg_server
import polars as pl
import pytest
from browse_fixtures import build_store
from concurrency_workers import browse, edit_learners, import_files
from test_import import uln

from centredesk.store import open_store

SECONDS = 60.0
READERS = 8
FILE_ROWS = 100_000


def _letters(number: int) -> str:
    """A number written in letters (names may hold no digits): 0 -> a, 27 -> bb."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(97 + digit) + text
        if not number:
            return text


def _upload(path: Path, file_number: int) -> Path:
    """A 100,000-learner upload of people no other file names (their own ULNs too)."""
    first = file_number * FILE_ROWS
    pl.DataFrame(
        {
            "Centre Number": ["100001"] * FILE_ROWS,
            "Product Code": ["603/0862/X"] * FILE_ROWS,
            "Forename": ["Learner"] * FILE_ROWS,
            "Surname": [f"Smith {_letters(first + n).title()}" for n in range(FILE_ROWS)],
            "Date of Birth": ["03/04/2010"] * FILE_ROWS,
            "ULN": [uln(100_000_000 + 3 * (first + n)) for n in range(FILE_ROWS)],
            "Registration Date": ["01/09/2026"] * FILE_ROWS,
        }
    ).write_csv(path)
    return path


@pytest.mark.slow
@pytest.mark.postgresql
def test_readers_an_importer_and_two_editors_work_at_once_and_lose_nothing(
    postgres_server: pg_server.Server, tmp_path: Path
) -> None:
    url = pg_server.new_database(postgres_server, "together")
    build_store(url, 2_000)
    with open_store(url) as store:
        store.tables.append("centres", pl.DataFrame({"centre_number": ["100001"]}))
        store.tables.append(
            "approvals", pl.DataFrame({"centre_number": ["100001"], "product_code": ["603/0862/X"]})
        )
        before = store.tables.counts()
    files = [str(_upload(tmp_path / f"upload{n}.csv", n)) for n in range(3)]

    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    workers = [
        spawn.Process(target=browse, args=(url.url, SECONDS, seed, queue))
        for seed in range(READERS)
    ]
    workers.append(spawn.Process(target=import_files, args=(url.url, files, SECONDS, queue)))
    edited = list(range(20_000_001, 20_000_006))  # five learners both editors pick from
    workers.extend(
        spawn.Process(target=edit_learners, args=(url.url, edited, SECONDS, editor, queue))
        for editor in ("alice", "bob")
    )
    for worker in workers:
        worker.start()
    reports: list[dict[str, Any]] = [queue.get(timeout=SECONDS * 4) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    errors = [error for report in reports for error in report["errors"]]
    assert errors == []
    (importer,) = [report for report in reports if report["role"] == "import"]
    assert importer["imported"] and all(rejected == 0 for _, rejected in importer["imported"])
    imported = [accepted for accepted, _ in importer["imported"]]
    assert imported == [FILE_ROWS] * len(imported)
    readers = [report for report in reports if report["role"] == "browse"]
    assert len(readers) == READERS
    # Each reader saw the learners grow by whole files only, never a half-written import.
    possible = {before["learners"] + FILE_ROWS * n for n in range(len(imported) + 1)}
    for reader in readers:
        seen = reader["learners"]
        assert reader["queries"] > 20
        assert seen == sorted(seen) and set(seen) <= possible
    with open_store(url, read_only=True) as store:
        after = store.tables.counts()
        final = {number: store.learners.get(number) for number in edited}
    assert after["learners"] == before["learners"] + FILE_ROWS * len(imported)
    assert after["imports"] == before["imports"] + len(imported)

    # No lost change: each learner's edits landed one per version, and it holds the last.
    editors = [report for report in reports if report["role"] == "edit"]
    landed = [edit for report in editors for edit in report["landed"]]
    assert landed and sum(report["refused"] for report in editors) > 0
    for number, record in final.items():
        mine = sorted((version, value) for n, version, value in landed if n == number)
        versions = [version for version, _ in mine]
        assert versions == list(range(1, len(mine) + 1))  # none made from the same version
        assert record is not None and record.version == len(mine) + 1
        if mine:
            assert record.details["learner_reference"] == mine[-1][1]
