"""Sheets as other people's systems write them: each value ends stored as it truly is, or
with an issue that says what is wrong and how to fix it. One test per fault seen in the
field, on a file built here with the cell types that fault needs."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from centredesk.cli import main
from centredesk.io.errors import HeaderError, InputError
from centredesk.io.reader import read_sheet
from centredesk.jobs.checked_file import CheckedFile, read_and_validate
from centredesk.jobs.importing import import_file
from centredesk.store import open_store
from centredesk.validation.values import product_check_character, uln_check_digit_ok

TODAY = datetime.date(2026, 11, 28)
HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"]
ANN = ["123456", "603/0862/X", "Ann", "Lee", "03/04/2010", "1000000043"]
DATE_FORMAT = "dd/mm/yyyy"

Cell = str | int | float | bool | datetime.date | None


def xlsx(path: Path, rows: list[list[Cell]], *, sheet: str = "Data") -> Path:
    """A workbook whose cells have the types of the values: text, number, date, boolean."""
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_urls": False})
    _fill(book, sheet, rows)
    book.close()
    return path


def _fill(book: xlsxwriter.Workbook, name: str, rows: list[list[Cell]]) -> None:
    sheet = book.add_worksheet(name)
    dates = book.add_format({"num_format": DATE_FORMAT})
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)


def learner(number: int, **cells: Cell) -> list[Cell]:
    """Ann Lee's row as another learner (her own surname, no ULN), with some cells changed."""
    row: dict[str, Cell] = dict(zip(HEADERS, ANN, strict=True))
    row.update({"Surname": f"Lee{'e' * number}", "ULN": None})
    row.update({name.replace("_", " "): value for name, value in cells.items()})
    return [row[header] for header in HEADERS]


def checked(path: Path, **options: Any) -> CheckedFile:
    return read_and_validate(path, today=TODAY, **options)


def issues(result: CheckedFile) -> list[tuple[int, str | None, str, str]]:
    """(row, field, code, severity) of every issue."""
    return result.validated.issues.select("row", "field", "code", "severity").rows()


def message(result: CheckedFile, row: int, code: str) -> str:
    found = result.validated.issues.filter((pl.col("row") == row) & (pl.col("code") == code))
    assert found.height == 1, result.validated.issues
    return str(found.get_column("message")[0])


def parsed(result: CheckedFile, field: str) -> list[object]:
    return result.validated.parsed.get_column(field).to_list()


# -- values that were changed without a word ---------------------------------------------


def test_scientific_text_that_lost_digits_is_never_a_uln(tmp_path: Path) -> None:
    first, second, third = [u for u in (f"10000000{n:02d}" for n in range(99))
                            if uln_check_digit_ok(u)][:3]  # fmt: skip
    ulns: list[Cell] = ["1.00E+09", "1E+09", "2.62E+09", int(first), float(second),
                        f"{third[0]}.{third[1:]}E9"]  # fmt: skip
    rows = [learner(number, ULN=uln) for number, uln in enumerate(ulns)]
    path = xlsx(tmp_path / "ulns.xlsx", [HEADERS, *rows])
    result = checked(path)
    assert issues(result) == [(row, "uln", "ULN_FORMAT", "error") for row in (2, 3, 4)]
    said = message(result, 4, "ULN_FORMAT")
    assert said.startswith("2.62E+09 is how Excel shows a long number")
    assert "digits are lost" in said and "Format the column as Text" in said
    assert "export them again" in said
    assert parsed(result, "uln")[3:] == [first, second, third]


def test_digits_typed_as_text_in_a_date_column_are_not_an_excel_serial(tmp_path: Path) -> None:
    texts: list[Cell] = ["031210", "170510", "2010", "20100517"]
    stored: list[Cell] = [40271, datetime.date(2010, 4, 3), "03/04/2010"]
    rows = [[*HEADERS, "Registration Date"]]
    born_on = enumerate(texts + stored)
    rows += [[*learner(number, Date_of_Birth=born), "01/09/2026"] for number, born in born_on]
    rows.append([*learner(8), "20260901"])
    result = checked(xlsx(tmp_path / "dates.xlsx", rows))
    assert issues(result) == [
        *((row, "date_of_birth", "DOB_INVALID", "error") for row in (2, 3, 4, 5)),
        (9, "registration_date", "DATE_INVALID", "error"),
    ]
    assert message(result, 2, "DOB_INVALID") == (
        "031210 is not a date: type it as DD/MM/YYYY, e.g. 03/04/2010"
    )
    assert "DD/MM/YYYY" in message(result, 9, "DATE_INVALID")
    # A number cell is a serial (read as the date it counts); a date cell is a date.
    assert parsed(result, "date_of_birth")[4:7] == [datetime.date(2010, 4, 3)] * 3
    assert result.sheet.cells.get_column("Date of Birth").to_list()[4] == "2010-04-03"
    # In a CSV every cell is text: digits are never a serial there either.
    csv = tmp_path / "dates.csv"
    csv.write_text(",".join(HEADERS) + "\n" + ",".join([*ANN[:4], "40271", ANN[5]]) + "\n")
    assert issues(checked(csv)) == [(2, "date_of_birth", "DOB_INVALID", "error")]


def test_dates_at_the_start_of_excels_epoch(tmp_path: Path) -> None:
    path = tmp_path / "epoch.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    # Day 1 as a date cell and as a bare number, day 60 (Excel's 29/02/1900) both ways, 61.
    days = ((1, True), (1, False), (60, True), (60, False), (61, True))
    for number, (serial, formatted) in enumerate(days):
        sheet.append(learner(number, Date_of_Birth=serial))
        if formatted:
            sheet.cell(row=sheet.max_row, column=5).number_format = DATE_FORMAT
    book.save(path)
    result = checked(path)
    born = parsed(result, "date_of_birth")
    assert born[0] == born[1] == datetime.date(1900, 1, 1)
    assert born[4] == datetime.date(1900, 3, 1)
    assert message(result, 2, "DOB_IMPLAUSIBLE") == "born 01/01/1900, aged 126 on 28/11/2026"
    for row in (4, 5):
        assert message(result, row, "DOB_INVALID") == (
            "1900-02-29 is 29/02/1900, a day Excel counts that never was: 1900 was not a leap year"
        )


def test_an_empty_column_never_wins_over_a_filled_one_naming_the_same_field(
    tmp_path: Path,
) -> None:
    headers = [*HEADERS[:5], "ULN", "Unique Learner Number"]
    path = xlsx(tmp_path / "two.xlsx", [headers, [*ANN[:5], None, "1000000043"]])
    result = checked(path)
    assert result.sheet.mapping["uln"] == "Unique Learner Number"
    assert parsed(result, "uln") == ["1000000043"]
    assert result.notes[0] == (
        'the columns "ULN", "Unique Learner Number" all name the ULN; "Unique Learner Number" '
        'was read, since "ULN" is empty'
    )
    both = xlsx(tmp_path / "both.xlsx", [headers, [*ANN[:5], "9276308686", "1000000043"]])
    with pytest.raises(HeaderError, match='"ULN" and "Unique Learner Number" both name the ULN'):
        read_sheet(both)
    same = xlsx(tmp_path / "same.xlsx", [headers, [*ANN[:5], "1000000043", 1000000043]])
    assert "hold the same values" in checked(same).notes[0]


def test_an_ignored_column_that_looks_like_a_field_is_named_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = [*HEADERS[:5], "LRS No", "Enrolled", "Tutor"]
    row: list[Cell] = [*ANN[:5], 1000000043, datetime.date(2026, 9, 1), "Ms Khan"]
    path = xlsx(tmp_path / "lookalike.xlsx", [headers, row])
    status = main(["validate", str(path), "--db", str(tmp_path / "none.duckdb"),
                   "--format", "json"])  # fmt: skip
    record = json.loads(capsys.readouterr().out)
    assert status == 0
    assert record["ignored_columns"] == ["LRS No", "Enrolled", "Tutor"]
    assert record["notes"][:2] == [
        'the column "LRS No" is not read, but its values look like ULNs; to read it, head it "ULN"',
        'the column "Enrolled" is not read, but its values look like dates; to read it, head '
        'it "Registration Date"',
    ]
    # Every note the text output prints is in the JSON too.
    assert any("no product catalogue" in note for note in record["notes"])
    main(["validate", str(path), "--db", str(tmp_path / "none.duckdb")])
    text = capsys.readouterr().out
    assert all(f"Note: {note[0].upper()}{note[1:]}." in text for note in record["notes"])
    assert "Ignored columns: LRS No, Enrolled, Tutor" in text


def test_a_formula_saved_without_its_value_is_not_taken_for_an_empty_cell(
    tmp_path: Path,
) -> None:
    path = tmp_path / "script.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADERS, "Full Name"])
    sheet.append([*ANN, '=C2&" "&D2'])
    sheet.append([*ANN[:2], "Bea", *ANN[3:5], '="1000000"&"043"', "=C3"])
    sheet.append([*ANN[:2], "Cal", '=UPPER("lee")', ANN[4], None, "=C4"])
    book.save(path)  # openpyxl writes formulas with no calculated value
    result = checked(path)
    # An optional column is loaded empty with a warning; a required one cannot be.
    assert issues(result) == [
        (3, "uln", "FORMULA_UNCALCULATED", "warning"),
        (4, "surname", "FORMULA_UNCALCULATED", "error"),
    ]
    said = message(result, 3, "FORMULA_UNCALCULATED")
    assert "formula" in said and "open the file in Excel, save it" in said
    assert result.notes[0] == (
        '3 cells of columns not read (first: row 2, "Full Name") hold formulas whose values '
        "were never calculated; open the file in Excel and save it to keep their values"
    )


# -- real-world vocabularies -------------------------------------------------------------


def test_batch_labels_are_text_kept_as_written(tmp_path: Path, capsys: Any) -> None:
    rows = [[*HEADERS, "Batch"]]
    for batch, stem in (("2001", 1), ("BT17", 2), ("2024-SEP-A", 3), (" 0042 ", 4), (None, 5)):
        rows.append([*ANN[:2], "Ann", f"Lee{'e' * stem}", "03/04/2010", "", batch])
    path = xlsx(tmp_path / "batches.xlsx", rows)
    with open_store(tmp_path / "s.duckdb") as store:
        outcome = import_file(path, store, today=TODAY)
        stored = store.tables.read("registrations").sort("source_row")
    assert (outcome.accepted, outcome.batch_number) == (5, "2002")
    assert stored.get_column("batch_number").to_list() == [
        "2001", "BT17", "2024-SEP-A", "0042", "2002"
    ]  # fmt: skip
    out = tmp_path / "0042.xlsx"
    main(["export", "registrations", "--db", str(tmp_path / "s.duckdb"), "--batch", "0042",
          "--out", str(out)])  # fmt: skip
    capsys.readouterr()
    book = openpyxl.load_workbook(out, read_only=True)
    values = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    book.close()
    assert "0042" in values and "2001" not in values


def test_catalogue_columns_in_the_words_catalogues_use(tmp_path: Path) -> None:
    headers = ["Product Code", "Title", "External Assessment", "Assessment Mode",
               "Grading Scheme"]  # fmt: skip
    spellings = [
        ("Y", "Onscreen", "P/M/D/D*", True, "on-screen", "graded"),
        ("Yes", "On screen", "Pass/Merit/Distinction/Distinction*", True, "on-screen", "graded"),
        ("True", "Online", "Pass / Fail", True, "on-screen", "pass-fail"),
        ("1", "OSA", "P-F", True, "on-screen", "pass-fail"),
        ("N", "Paper", "Achieved/Not Achieved", False, "paper-based", "unclassified"),
        ("No", "Paper based", "graded", False, "paper-based", "graded"),
        ("False", "PBA", "graded", False, "paper-based", "graded"),
        ("0", "paper-based", "graded", False, "paper-based", "graded"),
    ]
    stems = [f"601{number:04d}" for number in range(9)]
    codes = [f"{s[:3]}/{s[3:]}/{product_check_character(s)}" for s in stems]
    rows: list[list[Cell]] = [headers]
    named = zip(codes[:8], spellings, strict=True)
    rows += [[code, "Award", *spelled[:3]] for code, spelled in named]
    rows.append([codes[8], "Award", "maybe", "by pigeon", "stars"])
    result = checked(xlsx(tmp_path / "catalogue.xlsx", rows))
    assert issues(result) == [
        (10, field, "VALUE_INVALID", "error")
        for field in ("external_assessment", "assessment_mode", "grading_scheme")
    ]
    loaded = result.validated.parsed.head(8)
    assert loaded.select("external_assessment", "assessment_mode", "grading_scheme").rows() == [
        spelled[3:] for spelled in spellings
    ]
    said = result.validated.issues.get_column("message").to_list()
    assert said[0].startswith("maybe is not an accepted External Assessment: use Y or N")
    assert said[1].startswith("by pigeon is not an accepted Assessment Mode: use on-screen")
    assert "P/M/D/D*" in said[2]


def test_header_variants_of_mis_exports(tmp_path: Path) -> None:
    headers = ["Centre No", "Qual Code", "Legal Forename", "Legal Surname", "Preferred Forename",
               "Preferred Surname", "DOB (dd/mm/yyyy)", "Learner ULN",
               "Registration date (dd.mm.yy)"]  # fmt: skip
    row = ["123456", "6030862X", "Ann", "Lee", "Annie", "Leigh", "03/04/2010", "1000000043",
           "01/09/2026"]  # fmt: skip
    sheet = read_sheet(xlsx(tmp_path / "sims.xlsx", [headers, row]))
    assert sheet.mapping == {
        "centre_number": "Centre No", "product_code": "Qual Code",
        "forename": "Legal Forename", "surname": "Legal Surname",
        "date_of_birth": "DOB (dd/mm/yyyy)", "uln": "Learner ULN",
        "registration_date": "Registration date (dd.mm.yy)",
    }  # fmt: skip
    # A preferred name is not the legal name a certificate shows: never read as one.
    assert sheet.ignored == ["Preferred Forename", "Preferred Surname"]
    alone = xlsx(tmp_path / "preferred.xlsx", [["Centre No", "QAN", "Preferred Forename",
                                                "Surname", "DOB"], row[:5]])  # fmt: skip
    with pytest.raises(HeaderError, match='needs the column\\(s\\) "Forename"'):
        read_sheet(alone)


def test_unicode_spaces_and_invisible_characters_in_names(tmp_path: Path) -> None:
    names = ["Mary\u00a0Ann", "Mary\u2009Ann", "Mary\u200bAnn", "Zoe\u0308", "Ann\tMarie",
             "Ann\u200dMarie"]  # fmt: skip
    rows = [HEADERS, *(learner(number, Forename=name) for number, name in enumerate(names))]
    result = checked(xlsx(tmp_path / "names.xlsx", rows))
    assert parsed(result, "forename")[:4] == ["Mary Ann", "Mary Ann", "Mary Ann", "Zoë"]
    assert message(result, 6, "NAME_CHARACTERS") == "Ann\tMarie contains a tab (U+0009)"
    assert message(result, 7, "NAME_CHARACTERS").endswith("contains a zero-width joiner (U+200D)")
    assert [row for row, *_ in issues(result)] == [6, 7]


def test_the_data_sheet_wins_over_an_instructions_sheet_first(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    book = xlsxwriter.Workbook(path)
    _fill(book, "Read me", [["How to fill in this workbook"], ["Forename", "Surname"],
                            ["Give the learner's legal names."]])  # fmt: skip
    _fill(book, "Data", [HEADERS, ANN])
    book.close()
    assert read_sheet(path).sheet == "Data"
    twice = tmp_path / "twice.xlsx"
    book = xlsxwriter.Workbook(twice)
    _fill(book, "Autumn", [HEADERS, ANN])
    _fill(book, "Spring", [HEADERS, ANN])
    book.close()
    with pytest.raises(HeaderError) as refused:
        read_sheet(twice)
    said = str(refused.value)
    assert "Autumn (header on row 1 naming 6 learners columns, 1 row below it)" in said
    assert "Spring (header on row 1" in said and said.endswith("with --sheet")


def test_sheets_are_listed_in_workbook_order_whichever_was_looked_at_last(
    tmp_path: Path,
) -> None:
    path = tmp_path / "three.xlsx"
    book = xlsxwriter.Workbook(path)
    _fill(book, "Read me", [["Forename", "Surname"], ["Give the learner's legal names."]])
    _fill(book, "Autumn", [HEADERS, ANN])
    _fill(book, "Spring", [HEADERS, ANN, ANN])
    book.close()
    with pytest.raises(HeaderError) as refused:
        read_sheet(path)
    listed = str(refused.value).split("(sheets: ", 1)[1]
    assert listed.index("Read me (") < listed.index("Autumn (") < listed.index("Spring (")
    assert "Spring (header on row 1 naming 6 learners columns, 2 rows below it)" in listed


def test_a_lone_sheet_of_blank_looking_rows_has_no_rows(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "spaces.xlsx", [HEADERS, [" ", None, "\u00a0", None, None, "\t"]])
    with pytest.raises(
        InputError, match="spaces.xlsx, sheet Data: the sheet has headers but no rows"
    ):
        read_sheet(path)


# -- messages that misled ----------------------------------------------------------------


def test_a_duplicate_says_whether_the_earlier_row_is_loaded(tmp_path: Path) -> None:
    headers = [*HEADERS, "Learner Reference"]
    rows = [headers, [*ANN, "STU-1"], [*ANN, "STU2"], [*ANN[:4], "04/04/2010", "", "S3"],
            [*ANN[:4], "04/04/2010", "", "S4"]]  # fmt: skip
    result = checked(xlsx(tmp_path / "dups.xlsx", rows))
    assert message(result, 3, "DUP_IN_FILE") == (
        "the same learner on 603/0862/X as row 2, which is not loaded either (it has errors "
        "of its own): correct row 2 and import it again"
    )
    assert message(result, 5, "DUP_IN_FILE") == (
        "the same learner on 603/0862/X as row 4, which is loaded"
    )


def test_a_birth_after_the_registration_date_says_so(tmp_path: Path) -> None:
    rows = [[*HEADERS, "Registration Date"], [*ANN[:4], "05/09/2026", "", "01/09/2026"]]
    result = checked(xlsx(tmp_path / "born.xlsx", rows))
    assert issues(result) == [(2, "date_of_birth", "DOB_IMPLAUSIBLE", "error")]
    assert message(result, 2, "DOB_IMPLAUSIBLE") == (
        "born 05/09/2026, after the registration date 01/09/2026"
    )


def test_the_wrong_kind_given_says_what_the_sheet_looks_like(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "products.xlsx", [["Product Code", "Title", "Level"],
                                             ["603/0862/X", "Award", "2"]])  # fmt: skip
    with pytest.raises(HeaderError) as refused:
        read_sheet(path, kind="learners")
    assert str(refused.value) == (
        "products.xlsx, sheet Data: the headers look like a products sheet, not learners; a "
        'learners sheet needs the columns "Centre Number", "Product Code", "Forename", '
        '"Surname", "Date of Birth" (leave out --kind, or give --kind products)'
    )


def test_headers_without_rows_are_refused_and_nothing_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xlsx(tmp_path / "empty.xlsx", [HEADERS, [None] * 6])
    database = tmp_path / "s.duckdb"
    status = main(["import", str(path), "--db", str(database)])
    assert status == 2
    err = capsys.readouterr().err
    assert "empty.xlsx, sheet Data: the sheet has headers but no rows" in err
    with open_store(database, missing="empty") as store:
        assert store.tables.counts()["imports"] == 0
    csv = tmp_path / "empty.csv"
    csv.write_text(",".join(HEADERS) + "\n\n")
    with pytest.raises(InputError, match="headers but no rows"):
        read_sheet(csv)


def test_old_mac_line_endings_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join([",".join(HEADERS), ",".join(ANN), ",".join(ANN)]).encode())
    result = checked(path)
    assert result.rows == 2
    assert result.sheet.cells.get_column("row").to_list() == [2, 3]
    assert issues(result) == [(3, None, "DUP_IN_FILE", "error")]


def test_the_batch_line_only_when_rows_had_no_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(tmp_path / "s.duckdb")
    every = xlsx(tmp_path / "every.xlsx", [[*HEADERS, "Batch"], [*ANN, "BT17"]])
    assert main(["import", str(every), "--db", database]) == 0
    assert "batch" not in capsys.readouterr().out
    some = xlsx(tmp_path / "some.xlsx", [[*HEADERS, "Batch"], [*learner(1), None]])
    assert main(["import", str(some), "--db", database, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["assigned_batch"] == "1001"


def test_cells_of_unknown_columns_are_kept_with_loaded_rows(tmp_path: Path) -> None:
    rows = [[*HEADERS, "Tutor", "Notes"], [*ANN, "Ms Khan", None], [*ANN[:4], "x", "", "T", "n"]]
    path = xlsx(tmp_path / "extra.xlsx", rows)
    with open_store(tmp_path / "s.duckdb") as store:
        outcome = import_file(path, store, today=TODAY)
        kept = store.tables.read("other_cells").select("row", "cells").rows()
        detail = store.details.learner(20000001)
    assert (outcome.accepted, outcome.rejected) == (1, 1)
    assert [(row, json.loads(cells)) for row, cells in kept] == [
        (2, {"Tutor": "Ms Khan", "Notes": None})
    ]
    assert detail is not None
    assert detail.other.rows() == [("603/0862/X", "Tutor", "Ms Khan")]


def test_text_longer_than_its_column_takes_is_an_issue_not_a_cut(tmp_path: Path) -> None:
    huge = "A" * 10_000_000
    path = tmp_path / "huge.csv"
    path.write_text(",".join(HEADERS) + "\n" + ",".join([*ANN[:2], huge, *ANN[3:]]) + "\n")
    result = checked(path)
    assert issues(result) == [(2, "forename", "TEXT_TOO_LONG", "error")]
    assert message(result, 2, "TEXT_TOO_LONG") == (
        "Forename holds 10000000 characters; it takes at most 100"
    )
    value = result.validated.issues.get_column("value")[0]
    assert value.endswith("… (10000000 characters)") and len(value) < 300
