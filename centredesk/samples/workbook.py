"""Writing the sample workbooks with xlsxwriter, byte for byte the same on every run.

A cell's Python type says how it is written: text stays text (never a formula or a link),
numbers are numbers (a ULN typed into Excel as a number), dates are real Excel dates. The
document's creation time is pinned so regenerating the committed files changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter

Cell = str | int | float | date | None
"""A value as it should appear in the sheet; None leaves the cell empty."""

DATE_FORMAT = "dd/mm/yyyy"


def write_workbook(
    path: Path,
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    created: date,
    title: str | None = None,
    constant_memory: bool = False,
    date_columns: frozenset[int] = frozenset(),
) -> int:
    """Write one sheet: an optional title row and a blank row, the header, then ``rows``.

    Returns the number of data rows written. With ``constant_memory`` each row is flushed
    to disk as soon as the next starts, which is how a million rows fit in little memory.
    Numbers in ``date_columns`` are Excel date serials and get the date format: passing
    serials is much cheaper than converting a million ``date`` objects one by one.
    """
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": constant_memory,
        },
    )
    workbook.set_properties({"created": datetime.combine(created, time())})
    worksheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    for column, header in enumerate(headers):
        worksheet.set_column(column, column, max(12, len(header) + 2))
    first = 0
    if title is not None:
        worksheet.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 13}))
        first = 2  # the title, then a blank row, as MIS exports often do
    for column, header in enumerate(headers):
        worksheet.write_string(first, column, header, bold)
    written = 0
    for written, cells in enumerate(rows, start=1):
        row = first + written
        for column, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, str):
                worksheet.write_string(row, column, value)
            elif isinstance(value, date):
                worksheet.write_datetime(row, column, value, date_format)
            elif column in date_columns:
                worksheet.write_number(row, column, value, date_format)
            else:
                worksheet.write_number(row, column, value)
    workbook.close()
    return written
