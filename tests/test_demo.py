"""The demo database is built from the committed sample data through the real import path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from centredesk.errors import UserError
from centredesk.jobs.demo import SAMPLE_FILES, build_demo
from centredesk.store import open_store


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "centredesk", "demo", "--no-tui", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in SAMPLE_FILES:
        assert name in result.stdout
    assert "registrations" in result.stdout
    return path


def test_demo_loads_every_sample_file(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        counts = store.tables.counts()
        imported = (
            store.tables.read("imports")
            .sort("import_id")
            .select("file_name", "rows_read", "rows_accepted", "rows_rejected")
            .rows()
        )
    assert [row[0] for row in imported] == list(SAMPLE_FILES)
    for name, read, accepted, rejected in imported:
        assert accepted + rejected == read, name
        assert accepted > 0, name
    assert 10 <= counts["products"] <= 20
    assert counts["registrations"] >= 150
    assert counts["bookings"] > 0 and counts["results"] > 0


def test_the_planted_faults_are_rejected_and_kept(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        codes = set(store.tables.read("import_issues").get_column("code"))
        rejected = store.tables.counts()["rejected_rows"]
    assert {"ULN_CHECKSUM", "DUP_IN_FILE", "PRODUCT_NOT_APPROVED", "PRODUCT_CLOSED"} <= codes
    assert {"NAME_CASE", "DISCOUNT_CLASH", "ULN_TEMPORARY"} <= codes
    assert rejected > 0


def test_a_real_database_is_never_replaced_by_a_demo(tmp_path: Path) -> None:
    path = tmp_path / "real.duckdb"
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    from centredesk.jobs.importing import import_file

    with open_store(path) as store:
        import_file(sheet, store)
    with pytest.raises(UserError, match="not a demo database"):
        build_demo(path)
    with open_store(path, read_only=True) as store:
        assert store.tables.counts()["imports"] == 1


def test_the_demo_goes_where_its_help_says_not_to_centredesk_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from centredesk.cli import main

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "demo.duckdb in the user data directory" in help_text
    assert "$CENTREDESK_DB is not used" in help_text
    real = tmp_path / "real.duckdb"
    monkeypatch.setenv("CENTREDESK_DB", str(real))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["demo", "--no-tui"]) == 0
    assert not real.exists()
    assert (tmp_path / "data" / "centredesk" / "demo.duckdb").exists()
