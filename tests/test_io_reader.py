"""Reading uploads: every format, header detection, kinds, and cells kept as typed text."""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from centredesk.io.errors import HeaderError, InputError
from centredesk.io.reader import file_sha256, read_sheet
from centredesk.validation.fields import KINDS, SCHEMAS

FIXTURES = Path(__file__).parent / "fixtures"
LEARNER_HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"]
ZOE = ["123456", "603/0862/X", "Zoë", "O'Brien", "03/04/2010", "1000000043"]


def write_xlsx(path: Path, rows: list[list[object]], *, sheet: str = "Sheet1") -> Path:
    """A workbook with one sheet; each value written with its own cell type."""
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_urls": False})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                worksheet.write_datetime(row, column, value, date_format)
            elif isinstance(value, str):
                worksheet.write_string(row, column, value)
            else:
                worksheet.write(row, column, value)
    workbook.close()
    return path


def column(data_cells: pl.DataFrame, header: str) -> list[str | None]:
    return data_cells[header].to_list()


@pytest.mark.parametrize("name", ["learners.xls", "learners.ods"])
def test_committed_xls_and_ods_read_with_header_under_a_title(name: str) -> None:
    sheet = read_sheet(FIXTURES / name)
    assert (sheet.sheet, sheet.kind, sheet.kind_inferred, sheet.header_row) == (
        "Learners",
        "learners",
        True,
        3,
    )
    assert sheet.cells.rows() == [
        (4, "123456", "603/0862/X", "Zoë", "O'Brien", "2010-04-03", "1000000043"),
        (5, "123456", "500/5959/2", "Siobhán", "Ní Bhriain", "2009-12-31", "9276308686"),
    ]
    assert sheet.mapping["forename"] == "First Name"
    assert sheet.mapping["product_code"] == "QAN"


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_xlsx_header_on_row_three_with_row_numbers_excel_shows(tmp_path: Path, suffix: str) -> None:
    path = write_xlsx(
        tmp_path / f"learners{suffix}",
        [["Registrations for September"], [], LEARNER_HEADERS, ZOE, [], ZOE],
    )
    sheet = read_sheet(path)
    assert sheet.header_row == 3
    assert sheet.blank_rows == 1
    assert sheet.cells["row"].to_list() == [4, 6]
    assert sheet.headers == LEARNER_HEADERS
    assert sheet.cells.columns == ["row", *LEARNER_HEADERS]
    assert sheet.sheet == "Sheet1"


def test_uln_cells_arrive_as_the_text_the_user_means(tmp_path: Path) -> None:
    ulns: list[object] = [1000000043, 1000000043.0, "1.000000043E9", "1000 000 043", " 1000000043 "]
    rows = [LEARNER_HEADERS, *([*ZOE[:5], uln] for uln in ulns), [*ZOE[:5], 1e15]]
    sheet = read_sheet(write_xlsx(tmp_path / "ulns.xlsx", rows))
    assert column(sheet.cells, "ULN") == [
        "1000000043",
        "1000000043",
        "1.000000043E9",
        "1000 000 043",
        " 1000000043 ",
        "1000000000000000",
    ]


def test_numbers_booleans_and_dates_follow_the_text_conventions(tmp_path: Path) -> None:
    values: list[object] = [
        45.5,
        1000000043.4,
        1 / 3,
        True,
        False,
        datetime.date(2010, 4, 3),
        datetime.datetime(2010, 4, 3, 13, 5, 7),
        40271,
        "03/04/2010",
        "2010-04-03",
    ]
    rows = [[*LEARNER_HEADERS, "Notes"], *([*ZOE, value] for value in values)]
    sheet = read_sheet(write_xlsx(tmp_path / "types.xlsx", rows))
    assert column(sheet.cells, "Notes") == [
        "45.5",
        "1000000043.4",
        "0.333333333333333",
        "TRUE",
        "FALSE",
        "2010-04-03",
        "2010-04-03 13:05:07",
        "40271",
        "03/04/2010",
        "2010-04-03",
    ]
    assert "Notes" in sheet.ignored


def test_a_numeric_column_that_turns_to_text_keeps_every_cell(tmp_path: Path) -> None:
    numbers: list[list[object]] = [[*ZOE[:5], 1000000000 + n] for n in range(1500)]
    texts: list[list[object]] = [[*ZOE[:5], f"not known {n}"] for n in range(20)]
    dates: list[object] = [datetime.date(2010, 1, 1)] * 1500 + ["31/12/2009"] * 20
    rows = [
        [*LEARNER_HEADERS, "Registration Date"],
        *([*row, date] for row, date in zip(numbers + texts, dates, strict=True)),
    ]
    sheet = read_sheet(write_xlsx(tmp_path / "mixed.xlsx", rows))
    ulns = column(sheet.cells, "ULN")
    assert len(ulns) == 1520
    assert ulns[0] == "1000000000"
    assert ulns[1499] == "1000001499"
    assert ulns[1500:] == [f"not known {n}" for n in range(20)]
    registered = column(sheet.cells, "Registration Date")
    assert registered[0] == "2010-01-01"
    assert registered[-1] == "31/12/2009"
    assert sheet.cells["row"].to_list() == list(range(2, 1522))


def test_canonical_frame_has_every_field_in_spec_order(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [LEARNER_HEADERS, ZOE])
    canonical = read_sheet(path).canonical()
    assert canonical.columns == ["row", *(spec.name for spec in SCHEMAS["learners"])]
    assert canonical.schema["batch_number"] == pl.String
    assert canonical.row(0) == (2, *ZOE, None, None, None, None)


def test_blank_and_repeated_headers_are_named_and_kept(tmp_path: Path) -> None:
    rows = [[*LEARNER_HEADERS, None, "Surname", None], [*ZOE, "x", ZOE[3], None]]
    sheet = read_sheet(write_xlsx(tmp_path / "dups.xlsx", rows))
    assert sheet.headers == [*LEARNER_HEADERS, "Column G", "Surname (2)"]
    assert sheet.ignored == ["Column G", "Surname (2)"]
    assert sheet.mapping["surname"] == "Surname"
    assert column(sheet.cells, "Column G") == ["x"]
    # A repeated header names the same field: with other values it cannot be guessed.
    rows[1][7] = "Smith"
    with pytest.raises(HeaderError, match='"Surname" and "Surname \\(2\\)" both name'):
        read_sheet(write_xlsx(tmp_path / "differ.xlsx", rows))


def test_sheet_by_name_and_index_and_hidden_sheets_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    workbook = xlsxwriter.Workbook(path)
    hidden = workbook.add_worksheet("Old")
    for col, header in enumerate(LEARNER_HEADERS):
        hidden.write_string(0, col, header)
    hidden.write_string(1, 2, "Hidden")
    notes = workbook.add_worksheet("Notes")
    notes.write_string(0, 0, "Read me first")
    current = workbook.add_worksheet("Current")
    for col, (header, value) in enumerate(zip(LEARNER_HEADERS, ZOE, strict=True)):
        current.write_string(0, col, header)
        current.write_string(1, col, value)
    current.activate()
    hidden.hide()
    workbook.close()
    assert read_sheet(path).sheet == "Current"
    assert read_sheet(path, sheet="Old").cells["Forename"].to_list() == ["Hidden"]
    assert read_sheet(path, sheet="3").sheet == "Current"
    with pytest.raises(HeaderError, match="no sheet 'Missing'.*1 'Old', 2 'Notes', 3 'Current'"):
        read_sheet(path, sheet="Missing")
    with pytest.raises(HeaderError, match="sheet Notes: no recognisable header"):
        read_sheet(path, sheet="Notes")


def test_windows_1252_csv_with_accented_names(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    lines = [",".join(LEARNER_HEADERS), "123456,603/0862/X,Zoë,Ní Bhriain,03/04/2010,1000000043"]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    sheet = read_sheet(path)
    assert sheet.sheet is None
    assert sheet.cells.row(0) == (
        2,
        "123456",
        "603/0862/X",
        "Zoë",
        "Ní Bhriain",
        "03/04/2010",
        "1000000043",
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter", "suffix"),
    [
        ("utf-8-sig", ",", ".csv"),
        ("utf-8", ";", ".csv"),
        ("utf-8", "\t", ".tsv"),
        ("utf-16", "\t", ".txt"),
        ("utf-8", "|", ".txt"),
    ],
)
def test_encodings_and_delimiters_are_detected(
    tmp_path: Path, encoding: str, delimiter: str, suffix: str
) -> None:
    path = tmp_path / f"learners{suffix}"
    surname_with_delimiter = f'"Smith{delimiter}Jones"'
    body = [*ZOE[:3], surname_with_delimiter, *ZOE[4:]]
    text = "\n".join([delimiter.join(LEARNER_HEADERS), delimiter.join(body), ""])
    path.write_bytes(text.encode(encoding))
    sheet = read_sheet(path)
    assert sheet.headers == LEARNER_HEADERS
    assert sheet.cells.row(0) == (2, *ZOE[:3], f"Smith{delimiter}Jones", *ZOE[4:])


def test_csv_keeps_line_numbers_across_blank_lines_and_quoted_breaks(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(
        "Learner list\n\n"
        + ",".join([*LEARNER_HEADERS, "Notes"])
        + "\n"
        + ",".join(ZOE)
        + ',"two\nlines"\n\n'
        + ",".join(ZOE)
        + ",,extra\n",
        encoding="utf-8",
    )
    sheet = read_sheet(path)
    assert sheet.header_row == 3
    assert sheet.blank_rows == 1
    assert sheet.cells["row"].to_list() == [4, 7]
    assert column(sheet.cells, "Notes") == ["two\nlines", None]
    assert column(sheet.cells, "Column 8") == [None, "extra"]


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def required_headers(kind: str) -> list[str]:
    return [spec.header for spec in SCHEMAS[kind] if spec.required]  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
def test_kind_is_inferred_for_every_kind(tmp_path: Path, kind: str) -> None:
    headers = required_headers(kind)
    path = tmp_path / f"{kind}.csv"
    path.write_text(",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n")
    sheet = read_sheet(path)
    assert (sheet.kind, sheet.kind_inferred) == (kind, True)
    assert set(sheet.mapping) == {spec.name for spec in SCHEMAS[kind] if spec.required}
    assert read_sheet(path, kind="approvals" if kind == "learners" else kind).kind_inferred is False


def test_ambiguous_headers_give_what_each_kind_needs(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Centre Number,ULN,Colour\n1,1000000043,red\n")
    with pytest.raises(
        HeaderError, match=r"cannot tell what kind.*learners needs.*approvals needs"
    ):
        read_sheet(path)


def test_a_best_guess_lacking_columns_is_not_taken_for_another_kind(tmp_path: Path) -> None:
    # Centre and product alone would make an approvals sheet; the names say learners.
    path = tmp_path / "noforename.csv"
    path.write_text("Centre Number,Product Code,Fname,Surname,DOB\n1,603/0862/X,Zoë,Smith,x\n")
    with pytest.raises(HeaderError, match=r'learners sheet \(guessed.*"Forename"'):
        read_sheet(path)


def test_missing_required_column_is_named_with_the_headers_found(tmp_path: Path) -> None:
    path = tmp_path / "nodob.csv"
    headers = [h for h in LEARNER_HEADERS if h != "Date of Birth"]
    path.write_text(",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n")
    with pytest.raises(
        HeaderError, match=r'needs the column\(s\) "Date of Birth".*"Centre Number"'
    ):
        read_sheet(path)
    with pytest.raises(HeaderError, match=r'a bookings sheet needs .*"Assessment"'):
        read_sheet(path, kind="bookings")


def test_a_sheet_given_for_a_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "learners.csv"
    path.write_text(",".join(LEARNER_HEADERS) + "\n" + ",".join(ZOE) + "\n")
    with pytest.raises(InputError, match="has no sheets; leave out --sheet"):
        read_sheet(path, sheet="1")


def test_a_sheet_starting_in_column_c_keeps_letters_and_exact_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [None, None, *LEARNER_HEADERS, "Fee"],
        [None, None, *ZOE, 1000000043.4],
    ]
    sheet = read_sheet(write_xlsx(tmp_path / "offset.xlsx", rows))
    assert column(sheet.cells, "Fee") == ["1000000043.4"]
    blank_header = read_sheet(
        write_xlsx(
            tmp_path / "blank.xlsx",
            [[None, None, *LEARNER_HEADERS, None], [None, None, *ZOE, "note"]],
        )
    )
    assert blank_header.headers[-1] == "Column I"
