"""Loading rejected rows once fixed: in place, and by importing the fix list again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from change_fixtures import LEARNERS_IMPORT, REJECTED_ROW, TODAY, copy
from conftest import LocationFactory

from centredesk.cli import main
from centredesk.errors import UserError
from centredesk.io.reader import read_sheet
from centredesk.jobs.fixing import fix_row, row_issues
from centredesk.jobs.history import describe
from centredesk.jobs.importing import import_file
from centredesk.store import Location, Store, open_store
from centredesk.store.records import HistoryFilters


@pytest.fixture
def db(template: Path, new_location: LocationFactory) -> Location:
    return copy(template, new_location("s"))


@pytest.fixture
def store(db: Location) -> Iterator[Store]:
    with open_store(db) as opened:
        yield opened


def open_codes(store: Store) -> list[str]:
    return store.details.dashboard().open_issues["code"].to_list()


def test_a_fixed_row_is_loaded_as_part_of_its_import(store: Store) -> None:
    assert open_codes(store) == ["ULN_CHECKSUM"]
    outcome = fix_row(store, LEARNERS_IMPORT, REJECTED_ROW, {"uln": "1000000051"}, today=TODAY)
    assert outcome.outcome == "loaded" and outcome.change is not None
    assert outcome.cells["ULN"] == "1000000051"
    added = store.tables.read("registrations").filter(pl.col("source_row") == REJECTED_ROW)
    assert added.select("import_id", "batch_number", "status").rows() == [
        (LEARNERS_IMPORT, "1002", "active")
    ]
    learner = store.learners.get(int(added["learner_number"][0]))
    assert learner is not None and learner.details["uln"] == "1000000051"
    summary = store.details.import_summary(LEARNERS_IMPORT)
    assert summary is not None and (summary.rows_accepted, summary.rows_rejected) == (6, 0)
    assert open_codes(store) == []  # its issue is closed
    assert describe(outcome.change) == (
        f"loaded row {REJECTED_ROW} of import {LEARNERS_IMPORT} after fixing ULN 1000000042 → "
        "1000000051"
    )
    history = store.history.changes(HistoryFilters(learner=int(added["learner_number"][0])))
    assert [change.action for change in history] == ["fix_row"]
    with pytest.raises(UserError, match="fixed and loaded already"):
        fix_row(store, LEARNERS_IMPORT, REJECTED_ROW, {"uln": "1000000051"}, today=TODAY)


def test_a_row_still_wrong_is_refused_and_nothing_changes(store: Store) -> None:
    before = store.tables.checksums()
    outcome = fix_row(store, LEARNERS_IMPORT, REJECTED_ROW, {"ULN": "1000000043"}, today=TODAY)
    assert outcome.outcome == "refused"
    # Zoë holds that ULN: the import's own cross-row rule says so.
    assert "ULN_CONFLICT" in outcome.issues["code"].to_list()
    assert store.tables.checksums() == before


def test_only_rejected_rows_of_live_imports_can_be_fixed(store: Store) -> None:
    with pytest.raises(UserError, match="row 2 of import 3 was not rejected"):
        fix_row(store, LEARNERS_IMPORT, 2, {"uln": "1000000051"}, today=TODAY)
    with pytest.raises(UserError, match="there is no import 99"):
        fix_row(store, 99, 2, {}, today=TODAY)
    with pytest.raises(UserError, match="no column or field 'Shoe Size'"):
        fix_row(store, LEARNERS_IMPORT, REJECTED_ROW, {"Shoe Size": "9"}, today=TODAY)


UPLOAD = [
    ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"],
    ["100001", "500/5959/2", "Amy", "Lee", "06/05/2010", "9276308686"],
    ["100001", "603/0862/X", "Cara", "Dunn", "01/02/2010", "1000000051"],
    ["100001", "603/0862/X", "Dev", "Shah", "31/02/2010", ""],
    ["100001", "603/0862/X", "Eve", "Kaur", "02/03/2010", "1000000087"],
    ["100001", "500/5959/2", "Fay", "Moss", "03/04/2010", "1000000094"],
]
"""Rows 4 (not a real date) and 5 (a mistyped ULN: 1000000086 is right) are rejected."""


def write_upload(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Registrations")
    for r, values in enumerate(UPLOAD):
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value)
    book.close()
    return path


def fix_cell(source: Path, target: Path, row: int, header: str, value: str) -> Path:
    """The fix list with one cell corrected, as a data manager would in Excel."""
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=row, column=headers.index(header) + 1).value = value
    book.save(target)
    return target


def import_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = main(["import", *args, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_a_fix_list_round_trip_loads_only_the_fixed_rows(
    db: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixes = tmp_path / "fixes.xlsx"
    status, first = import_json(
        capsys, str(write_upload(tmp_path / "autumn.xlsx")), "--db", str(db), "--report", str(fixes)
    )
    assert status == 1 and (first["loaded"], first["rejected"]) == (3, 2)
    with open_store(db, read_only=True) as store:
        registrations = store.tables.counts()["registrations"]
    # One of the two fixed: that row loads, the three loaded before are recognised.
    once = fix_cell(fixes, tmp_path / "fixed-once.xlsx", 5, "ULN", "1000000086")
    status, second = import_json(capsys, str(once), "--db", str(db))
    assert status == 1
    # The fix list's own status column is recognised, not read as one of the centre's.
    assert second["ignored_columns"] == []
    assert (second["loaded"], second["already_loaded"], second["rejected"]) == (1, 3, 1)
    assert [issue["code"] for issue in second["issues"]] == ["DOB_INVALID"]
    # Both fixed: the last one loads, nothing else is wrong, exit 0.
    both = fix_cell(once, tmp_path / "fixed.xlsx", 4, "Date of Birth", "28/02/2010")
    status, third = import_json(capsys, str(both), "--db", str(db))
    assert status == 0
    assert (third["loaded"], third["already_loaded"], third["rejected"]) == (1, 4, 0)
    with open_store(db, read_only=True) as store:
        assert store.tables.counts()["registrations"] == registrations + 2
        learners = store.tables.read("learners")
        assert sorted(learners.filter(pl.col("surname").is_in(["Shah", "Kaur"]))["surname"]) == [
            "Kaur", "Shah"]  # fmt: skip
        # The first import's rejected rows were loaded since: none of their issues is open.
        assert store.imports.open_rejected_rows([int(first["import_id"])]).height == 0
        # Open issues: only the row of the earlier upload still waiting for its fix.
        still_open = store.details.dashboard().open_issues.select("code", "rows").rows()
        assert still_open == [("ULN_CHECKSUM", 1)]


def test_a_fixed_row_keeps_the_cells_of_columns_no_field_reads(
    db: Location, tmp_path: Path
) -> None:
    upload = tmp_path / "tutors.csv"
    upload.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth,ULN,Tutor\n"
        "100001,603/0862/X,Gil,Hart,05/06/2010,1000000043X,Ms Hill\n",
        encoding="utf-8",
    )
    with open_store(db) as store:
        first = import_file(upload, store, today=TODAY)
        assert first.import_id is not None and first.rejected == 1
        outcome = fix_row(store, first.import_id, 2, {"ULN": ""}, today=TODAY)
        assert outcome.outcome == "loaded"
        kept = store.tables.read("other_cells").filter(pl.col("import_id") == first.import_id)
    assert [json.loads(cells) for cells in kept["cells"]] == [{"Tutor": "Ms Hill"}]


def test_only_the_fix_lists_own_status_column_is_left_unread(tmp_path: Path) -> None:
    header = "Centre Number,Product Code,Forename,Surname,Date of Birth,Row Status\n"
    ours = tmp_path / "ours.csv"
    ours.write_text(header + "100001,603/0862/X,Gil,Hart,05/06/2010,rejected\n", "utf-8")
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(header + "100001,603/0862/X,Gil,Hart,05/06/2010,left in May\n", "utf-8")
    assert read_sheet(ours).headers[-1] == "Date of Birth"
    assert read_sheet(theirs).ignored == ["Row Status"]


def test_a_row_loaded_since_by_another_import_is_not_loaded_twice(
    store: Store, tmp_path: Path
) -> None:
    again = tmp_path / "ben.csv"
    again.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth,ULN,Learner Reference,"
        "Batch Number,Registration Date\n"
        "100001,603/0862/X,Ben,Ng,07/06/2010,1000000051,D4,1002,24/11/2025\n",
        encoding="utf-8",
    )
    loaded = import_file(again, store, today=TODAY)
    assert loaded.loaded == 1
    with pytest.raises(UserError, match=f"in the store already \\(import {loaded.import_id}"):
        fix_row(store, LEARNERS_IMPORT, REJECTED_ROW, {"uln": "1000000051"}, today=TODAY)


def test_a_repeat_of_a_row_already_there_says_that_row_is_loaded(
    store: Store, tmp_path: Path
) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth\n"
        "100001,603/0862/X,Gil,Hart,05/06/2010\n"
        "100001,603/0862/X,Gil,Hart,05/06/2010\n",
        encoding="utf-8",
    )
    first = import_file(twice, store, today=TODAY)
    assert (first.loaded, first.rejected) == (1, 1)
    again = import_file(twice, store, today=TODAY, force=True)
    assert (again.loaded, again.already, again.rejected) == (0, 1, 1)
    messages = again.checked.validated.issues.filter(pl.col("code") == "DUP_IN_FILE")["message"]
    assert messages.to_list() == ["the same learner on 603/0862/X as row 2, which is loaded"]


def test_a_rows_cells_are_judged_by_header_as_a_form_types_them(store: Store) -> None:
    rejected = store.details.rejected_row(LEARNERS_IMPORT, REJECTED_ROW)
    assert rejected is not None
    found = row_issues("learners", rejected.cells, today=TODAY)
    assert [issue.code for issue in found["ULN"]] == ["ULN_CHECKSUM"]
    assert set(found) == {"ULN"}
    fixed = row_issues("learners", {**rejected.cells, "ULN": "1000000051"}, today=TODAY)
    assert fixed == {}
    # A required column the row lacks is the whole row's issue.
    without = {header: text for header, text in rejected.cells.items() if header != "Surname"}
    assert [issue.code for issue in row_issues("learners", without, today=TODAY)[None]] == [
        "NAME_MISSING"
    ]
