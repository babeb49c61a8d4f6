"""``centredesk export`` and ``centredesk template`` as commands: summary lines and exit codes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from export_fixtures import build_store

from centredesk.cli import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_store(tmp_path_factory.mktemp("cli") / "store.duckdb"))


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("centredesk: ")
    return err


def test_export_prints_a_one_line_summary(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.xlsx"
    assert main(["export", "results", "--out", str(out), "--db", db]) == 0
    line = capsys.readouterr().out
    # Run on the real date: every result of the store is released by now or later.
    assert line.startswith("wrote ") and f"released results to {out}; " in line
    assert line.rstrip().endswith("withheld until their release date")
    assert openpyxl.load_workbook(out).sheetnames == ["Results", "Summary", "About"]


def test_existing_file_needs_force(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "products.xlsx"
    out.write_bytes(b"someone's work")
    assert main(["export", "products", "--out", str(out), "--db", db]) == 2
    assert "already exists" in _one_line_error(capsys)
    assert out.read_bytes() == b"someone's work"
    assert main(["export", "products", "--out", str(out), "--db", db, "--force"]) == 0
    assert "wrote 3 products" in capsys.readouterr().out


def test_unwritable_target_is_exit_2_and_leaves_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tests run as root, where folder permissions stop nothing: a parent that is a file
    # cannot hold a workbook for anyone.
    blocker = tmp_path / "exports"
    blocker.write_text("a file, not a folder")
    out = blocker / "results.xlsx"
    assert main(["export", "results", "--out", str(out), "--db", db]) == 2
    assert "cannot write" in _one_line_error(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["exports"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["results", "--product", "123/4567/8"], "not in the catalogue"),
        (["products", "--surname", "Smith"], "does not take --surname"),
        (["bookings", "--status", "Finished"], "not a booking status"),
        (["register", "--product", "603/0862/X"], "needs --product CODE and --session"),
        (["results", "--dob", "31/02/2010"], "is not a date"),
        (["products", "--out2", "x"], "unrecognized arguments"),
        (["results", "--learner", "twelve"], "--learner: 'twelve' is not a whole number"),
        (
            ["register", "--product", "500/5959/2", "--session", "12/05/2027"],
            "no register written for 500/5959/2: its bookings on 12/05/2027 are sat on screen",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    out = tmp_path / "out.xlsx"
    assert _status(["export", *arguments, "--out", str(out), "--db", db]) == 2
    assert message in _one_line_error(capsys)
    assert not out.exists()


def _status(argv: list[str]) -> int:
    """The exit status, whether the command returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as stopped:
        return int(stopped.code or 0)


def test_template_with_and_without_a_database(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "learners.xlsx"
    assert main(["template", "learners", "--out", str(out), "--db", db]) == 0
    assert "with 3 product codes to choose from" in capsys.readouterr().out
    missing = tmp_path / "none.duckdb"
    other = tmp_path / "bookings.xlsx"
    assert main(["template", "bookings", "--out", str(other), "--db", str(missing)]) == 0
    assert capsys.readouterr().out.startswith("wrote the bookings template (8 columns)")
    assert not missing.exists()


def test_batch_labels_are_text_on_the_command_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "registrations.xlsx"
    arguments = ["export", "registrations", "--batch", "BT17", "--out", str(out), "--db", db]
    assert main(arguments) == 0
    assert capsys.readouterr().out.startswith("wrote 0 registrations")
    assert main([*arguments[:3], "1001", *arguments[4:], "--force"]) == 0
    assert capsys.readouterr().out.startswith("wrote 3 registrations")


def test_help_lists_every_export_and_the_filters_each_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _status(["export", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "register the invigilator register of one paper-based session" in help_text
    assert "--sector TEXT part of the sector, any case (products)" in help_text
    assert "--session DD/MM/YYYY the session (sitting) date (register); register needs it" in (
        help_text
    )
    assert "registrations: active, withdrawn, cancelled, completed" in help_text
