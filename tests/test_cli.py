"""The command line: help for every command, and one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from centredesk.cli import COMMANDS, main


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "centredesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command line in this process: exit status, stdout, stderr."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out
    assert "--db" in out


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("demo", ["--db", "--no-tui"]),
        ("import", ["--kind", "--sheet", "--dry-run", "--report", "--format", "--force", "--db"]),
        ("validate", ["--kind", "--sheet", "--report", "--format", "--db"]),
        ("export", ["--out", "--force", "--db"]),
        ("template", ["--out", "--force"]),
        ("rules", []),
    ],
)
def test_each_command_help_lists_its_options(
    command: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: centredesk {command}" in out
    for option in options:
        assert option in out


def test_a_missing_file_is_one_line_and_exit_2_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    result = run_cli("import", "/no/such.xlsx", "--db", str(db))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "/no/such.xlsx" in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["import"],
        ["import", "x.xlsx", "--kind", "pets"],
        ["export", "nonsense", "--out", "x.xlsx"],
        ["no-such-command"],
        ["import", "x.xlsx", "--format", "yaml"],
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("centredesk: ")


def test_db_option_works_before_and_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "here.duckdb"
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    for args in (["--db", str(db), "import", str(sheet)], ["import", str(sheet), "--db", str(db)]):
        status, _out, err = run_main(capsys, *args, "--dry-run")
        assert status == 0, err
        assert not db.exists(), "a dry run creates no database"
        status, _out, err = run_main(capsys, *args, "--force")
        assert status == 0, err
        assert db.exists(), "the named database was written"
        db.unlink()


def test_another_applications_database_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    db = tmp_path / "accounts.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    for command in (["import", str(sheet)], ["validate", str(sheet)]):
        status, _out, err = run_main(capsys, *command, "--db", str(db))
        assert status == 2
        assert err.count("\n") == 1 and "not a centredesk database" in err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [
            ("invoices",)
        ]


def test_a_db_in_a_folder_that_does_not_exist_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo" / "store.duckdb"
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    status, _out, err = run_main(capsys, "import", str(sheet), "--db", str(db))
    assert status == 2
    assert err.count("\n") == 1 and str(tmp_path / "typo") in err
    assert not (tmp_path / "typo").exists()


def test_a_failed_first_import_leaves_no_database_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from centredesk.store.duckdb_store import imports as writer

    def interrupted(con: object, import_id: int) -> int:
        raise KeyboardInterrupt  # the user pressed Ctrl-C part way through the write

    monkeypatch.setitem(writer._WRITERS, "approvals", interrupted)
    db = tmp_path / "new.duckdb"
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    status, _out, err = run_main(capsys, "import", str(sheet), "--db", str(db))
    assert status == 2
    assert "nothing was written" in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["approvals.csv"]
