"""Sheet names: whatever a file was called, Excel (and xlsxwriter) accept the name we write."""

from __future__ import annotations

import io

import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from xlsxwriter.exceptions import XlsxWriterException

from centredesk.io.sheet_names import valid_sheet_name


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(st.text(max_size=60), st.lists(st.text(max_size=35), max_size=5))
def test_any_name_becomes_one_excel_accepts_and_no_other_sheet_uses(
    name: str, taken: list[str]
) -> None:
    sheet = valid_sheet_name(name, taken)
    assert 1 <= _units(sheet) <= 31
    assert not set(sheet) & set("[]:*?/\\")
    assert not sheet.startswith("'") and not sheet.endswith("'")
    assert sheet.casefold() not in {other.casefold() for other in taken} | {"history"}
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    for other in taken:
        try:
            book.add_worksheet(other)
        except XlsxWriterException:  # a name xlsxwriter refuses is no sheet to clash with
            continue
    book.add_worksheet(sheet)  # raises on anything Excel would refuse


def test_names_that_are_fine_are_kept_and_clashes_are_numbered() -> None:
    assert valid_sheet_name("Registrations") == "Registrations"
    assert valid_sheet_name("summary", ["Issues", "Summary"]) == "summary (2)"
    assert valid_sheet_name("Data", ["data", "Data (2)"]) == "Data (3)"
    assert valid_sheet_name("x" * 31, ["x" * 31]) == "x" * 27 + " (2)"
    assert valid_sheet_name("History") == "History (2)"
    assert valid_sheet_name("'''") == "Sheet"
    assert valid_sheet_name("😀" * 20) == "😀" * 15
