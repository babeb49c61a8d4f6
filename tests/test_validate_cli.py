"""``centredesk validate`` and ``centredesk rules`` on real files, through the real CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import xlsxwriter

from centredesk.cli import main

HEADERS = ["Centre No", "QAN", "First Name", "Last Name", "DOB", "ULN"]
ROWS = [
    ["123456", "603/0862/X", "Siobhán", "O’Brien", "03/04/2010", "1000000043"],
    ["123456", "6030862x", "JOHN", "SMITH", "04/05/2010", "1000000042"],
    ["123456", "603/0862/X", "Siobhan", "O'Brien", "3/4/2010", ""],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADERS, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Learners")
    for r, values in enumerate([HEADERS, *rows]):
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value)
    book.close()
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    status = main(["validate", *args, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_json_record_has_exactly_the_design_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "learners.csv", ROWS)
    status, record = run_json(capsys, str(source), "--db", str(tmp_path / "none.duckdb"))
    assert status == 1
    assert list(record) == ["file", "sheet", "kind", "rows", "errors", "warnings",
                            "ignored_columns", "notes", "issues"]  # fmt: skip
    assert (record["file"], record["sheet"], record["kind"], record["rows"]) == (
        "learners.csv", None, "learners", 3)  # fmt: skip
    assert (record["errors"], record["warnings"]) == (2, 2)
    issues = record["issues"]
    assert isinstance(issues, list)
    assert issues[2] == {"row": 3, "column": "ULN", "field": "uln", "code": "ULN_CHECKSUM",
                         "severity": "error", "message": "1000000042 fails the ULN check digit",
                         "value": "1000000042"}  # fmt: skip
    assert issues[3]["code"] == "DUP_IN_FILE" and issues[3]["column"] is None
    assert not (tmp_path / "none.duckdb").exists()


def test_csv_and_xlsx_give_identical_issues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "none.duckdb")
    _, from_csv = run_json(capsys, str(write_csv(tmp_path / "l.csv", ROWS)), "--db", db)
    _, from_xlsx = run_json(capsys, str(write_xlsx(tmp_path / "l.xlsx", ROWS)), "--db", db)
    assert from_csv["issues"] == from_xlsx["issues"]
    assert from_xlsx["sheet"] == "Learners"


def test_exit_0_with_only_warnings_and_text_grouped_by_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "ok.csv", [ROWS[0], ["123456", "500/5959/2", "ANN", "Lee",
                                                        "01/01/2012", "9999999999"]])  # fmt: skip
    status = main(["validate", str(source), "--db", str(tmp_path / "none.duckdb")])
    out = capsys.readouterr().out
    assert status == 0
    assert "NAME_CASE (warning): 1 issue in 1 row" in out
    assert "row 3, column First Name: ANN is all capitals or all lower case" in out
    assert "ULN_TEMPORARY (warning)" in out
    assert "CENTRE_UNKNOWN" in out  # the note that the empty store skipped it


def test_exit_2_for_a_missing_file_or_an_unreadable_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook at all")
    assert main(["validate", str(broken), "--db", str(tmp_path / "n.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_validate_reads_the_store_but_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.duckdb"
    source = write_csv(tmp_path / "l.csv", [ROWS[0]])
    assert main(["import", str(source), "--db", str(db)]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    # The same learner without a ULN: a second registration, not the one already loaded.
    status, record = run_json(
        capsys, str(write_csv(tmp_path / "m.csv", [ROWS[2]])), "--db", str(db)
    )
    assert status == 1
    assert [issue["code"] for issue in record["issues"]] == ["DUP_IN_STORE"]  # type: ignore[union-attr]
    assert db.read_bytes() == before


def test_rules_command_prints_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    codes = {rule["code"] for rule in json.loads(capsys.readouterr().out)["rules"]}
    assert {"ULN_CHECKSUM", "DUP_IN_STORE", "BOOKING_ATTEMPTS", "RESULT_GRADE"} <= codes
    assert main(["rules", "--kind", "products"]) == 0
    text = capsys.readouterr().out
    assert "PRODUCT_CHECK  [warning]" in text and "ULN_CHECKSUM" not in text
