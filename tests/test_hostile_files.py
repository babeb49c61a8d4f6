"""Every file of the hostile corpus through ``centredesk import``: a verdict or one line.

Each file gives exit 0, 1 or 2; exit 2 comes with exactly one line on stderr and leaves the
store as it was; nothing ever escapes as a traceback; no reading process goes past its
memory limit. Most files run through the command's own entry point in this process (fast);
a few run as real processes, where a traceback or a crash would show on the real stderr.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import ISOLATED, READABLE, REFUSED, damaged, size_lie, xls_cut_formula
from test_import import APPROVALS, PRODUCTS, TODAY, snapshot, write_xlsx
from test_io_isolated import beyond_the_scan

from centredesk.cli import main
from centredesk.io.isolated import DEFAULT_LIMITS
from centredesk.io.read_server import shut_down
from centredesk.jobs.importing import import_file
from centredesk.store import open_store

DAMAGED = damaged()
EVERY = {
    **{name: builder for name, (builder, _) in {**REFUSED, **ISOLATED}.items()},
    **READABLE,
    **DAMAGED,
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("catalogue")
    db = folder / "catalogue.duckdb"
    with open_store(db) as store:
        import_file(write_xlsx(folder / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(folder / "approvals.xlsx", APPROVALS), store, today=TODAY)
    return db


@pytest.mark.parametrize("name", EVERY)
def test_each_file_gives_a_verdict_or_one_line(
    catalogue: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EVERY[name](tmp_path / name)
    db = shutil.copy(catalogue, tmp_path / "store.duckdb")
    with open_store(db, read_only=True) as store:
        before = snapshot(store)
    status = main(["import", str(path), "--db", str(db), "--format", "json"])
    out, err = capsys.readouterr()
    assert status in (0, 1, 2)
    if status == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("centredesk: ") and name in err
        with open_store(db, read_only=True) as store:
            assert snapshot(store) == before
        assert name not in READABLE, err
    else:
        assert json.loads(out)["file"] == name
    if name in REFUSED or name in ISOLATED:
        assert status == 2


def test_no_reading_process_went_past_its_memory_limit() -> None:
    # The reading children are the server's; stopping the server hands their peak to us.
    shut_down()
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert largest < DEFAULT_LIMITS.memory_bytes


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (xls_cut_formula, "the reader stopped on a damaged part"),
        (lambda path: beyond_the_scan(path, "XFD1048576"), "more than 2 GB of memory"),
        (size_lie, "more data than its stated size"),
    ],
)
def test_a_real_process_shows_one_line_and_no_traceback(
    tmp_path: Path, build: object, says: str
) -> None:
    name = "upload.xls" if build is xls_cut_formula else "upload.xlsx"
    path = build(tmp_path / name)  # type: ignore[operator]
    done = subprocess.run(
        [sys.executable, "-m", "centredesk", "import", str(path), "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "CENTREDESK_LOG": str(tmp_path / "centredesk.log")},
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
