"""The export and fix-list writers as they were before the sheet XML was built in frames.

xlsxwriter in constant-memory mode, one ``write_string``/``write_datetime`` call per cell:
the path the project shipped until the table sheets were written from polars expressions.
It is kept here, outside the package, as the second baseline of the ``export`` and
``fix_list`` stages, so the report shows the gain over it as well as over openpyxl. Same
query, same sheets (Results, Summary with its chart, About; the rows sheet with red and amber
commented cells, Issues, Summary), same formats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_RESULT_COLUMNS = (
    ("Centre Number", "centre_number", "text"),
    ("Learner Number", "learner_number", "text"),
    ("ULN", "uln", "text"),
    ("Forename", "forename", "text"),
    ("Surname", "surname", "text"),
    ("Date of Birth", "date_of_birth", "date"),
    ("Batch Number", "batch_number", "text"),
    ("Product Code", "product_code", "text"),
    ("Title", "title", "text"),
    ("Component", "component", "text"),
    ("Grade", "grade", "text"),
    ("Result Date", "result_date", "date"),
)


def _formats(book: Any) -> dict[str, Any]:
    return {
        "header": book.add_format({"bold": True, "bottom": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True}),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy", "align": "left"}),
        "datetime": book.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left"}),
    }


class _Table:
    """One table sheet written a cell at a time, widths fitted chunk by chunk."""

    def __init__(self, book: Any, formats: dict[str, Any], name: str, columns: Any) -> None:
        self.sheet = book.add_worksheet(name)
        self.columns = columns
        self.rows = 0
        self.widths = [len(header) + 2 for header, _, _ in columns]
        for index, (header, _, _) in enumerate(columns):
            self.sheet.write_string(0, index, header, formats["header"])
        self.sheet.freeze_panes(1, 0)
        sheet = self.sheet
        self.writers: list[Callable[[int, int, Any], object]] = []
        for _, _, kind in columns:
            if kind == "date":
                self.writers.append(lambda r, c, v: sheet.write_datetime(r, c, v, formats["date"]))
            elif kind == "integer":
                self.writers.append(lambda r, c, v: sheet.write_number(r, c, v))
            else:
                self.writers.append(
                    lambda r, c, v: sheet.write_string(r, c, str(v), formats["text"])
                )

    def append(self, chunk: pl.DataFrame) -> None:
        lengths = chunk.select(
            pl.col(field).cast(pl.String).str.len_chars().max().alias(str(index))
            for index, (_, field, _) in enumerate(self.columns)
        ).row(0)
        for index, length in enumerate(lengths):
            self.widths[index] = max(self.widths[index], min(int(length or 0) + 2, 60))
        values = [chunk.get_column(field).to_list() for _, field, _ in self.columns]
        first = self.rows + 1
        for offset, row in enumerate(zip(*values, strict=True)):
            for col, value in enumerate(row):
                if value is not None:
                    self.writers[col](first + offset, col, value)
        self.rows += chunk.height

    def finish(self) -> None:
        for index, width in enumerate(self.widths):
            self.sheet.set_column(index, index, width)
        self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)


def _about(book: Any, formats: dict[str, Any], title: str, rows: int) -> None:
    sheet = book.add_worksheet("About")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_string(2, 0, "Written", formats["label"])
    sheet.write_datetime(2, 1, datetime.now(), formats["datetime"])
    sheet.write_string(3, 0, "Rows", formats["label"])
    sheet.write_number(3, 1, rows)


def export_results(store: Any, target: Path, today: date) -> int:
    """The results workbook through the production query, written a cell at a time."""
    from centredesk.store.exports import ExportFilters

    filters = ExportFilters()
    book = xlsxwriter.Workbook(str(target), _OPTIONS)
    formats = _formats(book)
    table = _Table(book, formats, "Results", _RESULT_COLUMNS)
    for chunk in store.exports.results(filters, today).chunks():
        table.append(chunk)
    table.finish()
    counts = store.exports.grade_counts(filters, today)
    grades = sorted(set(counts.get_column("grade").to_list()))
    pivot = (
        counts.pivot(on="grade", index=["product_code", "title"], values="results")
        .fill_null(0)
        .with_columns(pl.sum_horizontal(*grades).alias("total"))
        .sort("product_code")
    )
    columns = [("Product Code", "product_code", "text"), ("Title", "title", "text")]
    columns += [(grade, grade, "integer") for grade in grades] + [("Total", "total", "integer")]
    summary = _Table(book, formats, "Summary", columns)
    summary.append(pivot)
    summary.finish()
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    for col in range(2, 2 + len(grades)):
        chart.add_series(
            {
                "name": ["Summary", 0, col],
                "categories": ["Summary", 1, 0, pivot.height, 0],
                "values": ["Summary", 1, col, pivot.height, col],
            }
        )
    summary.sheet.insert_chart(pivot.height + 3, 0, chart)
    _about(book, formats, "Learner results", table.rows)
    book.close()
    return table.rows


def fix_list(
    target: Path, sheet_name: str, headers: list[str], cells: pl.DataFrame, issues: pl.DataFrame
) -> int:
    """The fix-list workbook as it was: rows from row 2, text only, a comment per marked cell."""
    book = xlsxwriter.Workbook(str(target), _OPTIONS)
    formats = _formats(book)
    error = book.add_format({"num_format": "@", "bg_color": "#FFC7CE"})
    warning = book.add_format({"num_format": "@", "bg_color": "#FFE699"})
    position = {header: index for index, header in enumerate(headers)}
    marks: dict[tuple[int, int], tuple[Any, str]] = {}
    for row, column, severity, line in issues.select(
        "row", "column", "severity", pl.format("{} ({}): {}", "code", "severity", "message")
    ).iter_rows():
        at = position.get(column, 0) if column is not None else 0
        old = marks.get((row, at))
        fill = error if severity == "error" or (old and old[0] is error) else warning
        marks[(row, at)] = (fill, f"{old[1]}\n{line}" if old else line)
    sheet = book.add_worksheet(sheet_name[:31])
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, formats["header"])
    sheet.freeze_panes(1, 0)
    present = [header for header in headers if header in cells.columns]
    for out_row, values in enumerate(cells.select("row", *present).iter_rows(), start=1):
        for index, text in enumerate(values[1:]):
            mark = marks.get((values[0], index))
            if mark is None:
                if text is not None:
                    sheet.write_string(out_row, index, str(text), formats["text"])
                continue
            sheet.write_string(out_row, index, "" if text is None else str(text), mark[0])
            sheet.write_comment(out_row, index, mark[1], {"x_scale": 2, "y_scale": 1.5})
    listing = book.add_worksheet("Issues")
    for out_row, record in enumerate(
        issues.select("row", "column", "field", "code", "severity", "message", "value").iter_rows(),
        start=1,
    ):
        listing.write_number(out_row, 0, record[0])
        for index, value in enumerate(record[1:], start=1):
            if value is not None:
                listing.write_string(out_row, index, str(value), formats["text"])
    book.close()
    return cells.height
