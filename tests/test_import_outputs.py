"""An import's outputs: checked before any work, and never a failure reported for work done.

The fix-list target is checked before the store is even opened; the workbook is written
beside it before the import commits and moved into place only after, so a failed import
leaves no fix list and a refused target leaves no import behind.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_cli_failures import LEARNERS, at_writing, catalogue_store
from test_import import snapshot

from centredesk.cli import main
from centredesk.jobs.importing import import_file
from centredesk.store import open_store
from centredesk.store.errors import StoreWriteError


@pytest.fixture
def catalogued(tmp_path: Path) -> Path:
    return catalogue_store(tmp_path)


def test_an_unwritable_report_target_stops_the_import_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.duckdb"
    target = tmp_path / "no-such-folder" / "fixes.xlsx"
    status = main(["import", str(LEARNERS), "--db", str(db), "--report", str(target)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "does not exist" in err
    assert not db.exists()


def test_an_existing_report_stops_the_import_and_a_retry_is_not_refused(
    catalogued: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "fixes.xlsx"
    taken.write_bytes(b"the user's own file")
    with open_store(catalogued, read_only=True) as store:
        before = snapshot(store)
    args = ["import", str(LEARNERS), "--db", str(catalogued)]
    assert main([*args, "--report", str(taken)]) == 2
    assert "already exists" in capsys.readouterr().err
    with open_store(catalogued, read_only=True) as store:
        assert snapshot(store) == before
    assert taken.read_bytes() == b"the user's own file"
    # Nothing was imported, so trying again with another name is not "already imported".
    assert main([*args, "--report", str(tmp_path / "other.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "Fix list written to" in out and (tmp_path / "other.xlsx").is_file()


def test_a_failed_write_leaves_no_fix_list_behind(catalogued: Path, tmp_path: Path) -> None:
    def fail() -> None:
        raise StoreWriteError("store.duckdb could not be written; nothing was written")

    target = tmp_path / "fixes.xlsx"
    with open_store(catalogued) as store, pytest.raises(StoreWriteError):
        import_file(LEARNERS, store, today=date(2026, 11, 28), report=target,
                    progress=at_writing(fail))  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["store.duckdb", "products.xlsx", "approvals.xlsx"]
    )
