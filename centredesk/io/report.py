"""The fix-list workbook: the rows as read, every problem cell marked, ready to correct.

A data manager opens it, fixes the red (error) and amber (warning) cells, each of which has a
comment giving the rule code and message, and uploads the first sheet again: its headers and
column order are the file's own. An "Issues" sheet lists every issue (filterable) and a
"Summary" sheet counts them per rule with what each rule means.

Written through :class:`~centredesk.io.workbook.SafeWorkbook`, so no cell text turns into a
formula or link and a half-written report never replaces anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from centredesk.io.sheet_names import valid_sheet_name
from centredesk.io.workbook import SafeWorkbook
from centredesk.validation.catalogue import BY_CODE

ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFE699"
_ISSUE_HEADERS = ("Row", "Column", "Field", "Code", "Severity", "Message", "Value", "Cell")
_SUMMARY_HEADERS = ("Code", "Severity", "Issues", "Rows", "Meaning", "How to fix")


@dataclass(frozen=True)
class _Mark:
    severity: str
    comment: str


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def write_fix_list(
    target: str | Path,
    *,
    sheet_name: str,
    headers: Sequence[str],
    cells: pl.DataFrame,
    issues: pl.DataFrame,
    force: bool = False,
) -> Path:
    """Write the fix-list workbook to ``target`` and return its path.

    ``cells`` is the sheet as read ("row" + one text column per header, in file order);
    ``issues`` the issue records (row, column, field, code, severity, message, value).
    Whole-row issues are marked on the row's first cell.
    """
    header_list = list(headers)
    position = {header: index for index, header in enumerate(header_list)}
    # Report row of each source row: data starts on the second row of the sheet.
    report_row = {row: index + 1 for index, row in enumerate(cells.get_column("row"))}
    marks = _marks(issues, position)
    with SafeWorkbook(target, force=force) as book:
        formats = _formats(book)
        name = valid_sheet_name(sheet_name, taken=("Issues", "Summary"), default="Rows")
        rows_sheet = book.add_worksheet(name)
        _write_rows(book, rows_sheet, formats, header_list, cells, marks)
        _write_issues(book, formats, issues, position, report_row)
        _write_summary(book, formats, issues)
    return Path(target)


def _formats(book: SafeWorkbook) -> dict[str, Any]:
    add = book.workbook.add_format
    return {
        "header": book.formats["header"],
        "text": book.formats["text"],
        "error": add({"num_format": "@", "bg_color": ERROR_FILL}),
        "warning": add({"num_format": "@", "bg_color": WARNING_FILL}),
        "wrap": book.formats["wrap"],
    }


def _marks(issues: pl.DataFrame, position: dict[str, int]) -> dict[tuple[int, int], _Mark]:
    """(source row, column index) -> fill and comment; loops over issues, not rows."""
    grouped = (
        issues.with_columns(
            pl.col("column")
            .replace_strict(position, default=0, return_dtype=pl.Int64)
            .fill_null(0)
            .alias("at"),
            pl.format("{} ({}): {}", "code", "severity", "message").alias("line"),
        )
        .group_by("row", "at", maintain_order=True)
        .agg(
            (pl.col("severity") == "error").any().alias("has_error"),
            pl.col("line").str.join("\n").alias("comment"),
        )
    )
    return {
        (row, at): _Mark("error" if has_error else "warning", comment)
        for row, at, has_error, comment in grouped.iter_rows()
    }


def _write_rows(
    book: SafeWorkbook,
    sheet: Any,
    formats: dict[str, Any],
    headers: list[str],
    cells: pl.DataFrame,
    marks: dict[tuple[int, int], _Mark],
) -> None:
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, formats["header"])
    sheet.freeze_panes(1, 0)
    present = [header for header in headers if header in cells.columns]
    for out_row, values in enumerate(cells.select("row", *present).iter_rows(), start=1):
        source_row = values[0]
        for index, text in enumerate(values[1:]):
            mark = marks.get((source_row, index))
            if mark is None:
                if text is not None:
                    sheet.write_string(out_row, index, str(text), formats["text"])
                continue
            sheet.write_string(out_row, index, "" if text is None else str(text),
                               formats[mark.severity])  # fmt: skip
            sheet.write_comment(out_row, index, mark.comment, {"x_scale": 2, "y_scale": 1.5})


def _write_issues(
    book: SafeWorkbook,
    formats: dict[str, Any],
    issues: pl.DataFrame,
    position: dict[str, int],
    report_row: dict[int, int],
) -> None:
    sheet = book.add_worksheet("Issues")
    for index, header in enumerate(_ISSUE_HEADERS):
        sheet.write_string(0, index, header, formats["header"])
    sheet.freeze_panes(1, 0)
    rows = issues.select("row", "column", "field", "code", "severity", "message", "value")
    for out_row, record in enumerate(rows.iter_rows(), start=1):
        row, column = record[0], record[1]
        sheet.write_number(out_row, 0, row)
        for index, value in enumerate(record[1:], start=1):
            book.write_text(sheet, out_row, index, value)
        at = position.get(column, 0) if column is not None else 0
        if row in report_row:
            book.write_text(sheet, out_row, 7, f"{_column_letter(at)}{report_row[row] + 1}")
    sheet.autofilter(0, 0, max(rows.height, 1), len(_ISSUE_HEADERS) - 1)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 4, 16)
    sheet.set_column(5, 5, 60)
    sheet.set_column(6, 7, 14)


def _write_summary(book: SafeWorkbook, formats: dict[str, Any], issues: pl.DataFrame) -> None:
    sheet = book.add_worksheet("Summary")
    for index, header in enumerate(_SUMMARY_HEADERS):
        sheet.write_string(0, index, header, formats["header"])
    sheet.freeze_panes(1, 0)
    counts = (
        issues.group_by("code", "severity")
        .agg(pl.len().alias("issues"), pl.col("row").n_unique().alias("rows"))
        .sort(["severity", "issues", "code"], descending=[False, True, False])
    )
    for out_row, (code, severity, count, rows) in enumerate(counts.iter_rows(), start=1):
        rule = BY_CODE.get(code)
        book.write_text(sheet, out_row, 0, code)
        book.write_text(sheet, out_row, 1, severity)
        sheet.write_number(out_row, 2, count)
        sheet.write_number(out_row, 3, rows)
        if rule is not None:
            sheet.write_string(out_row, 4, rule.meaning, formats["wrap"])
            sheet.write_string(out_row, 5, rule.fix, formats["wrap"])
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 10)
    sheet.set_column(4, 5, 60)
