"""The fix-list workbook: the rows as read, every problem cell marked, ready to correct.

A data manager opens it, fixes the red (error) and amber (warning) cells, each of which has a
comment giving the rule code and message, and uploads the first sheet again. That sheet is
the file's own layout: its headers and column order, the header on the row it was on, and
every row on the row number the messages give, so "row 14" is row 14 here too. Dates that
parse are real dates; everything else is the text as typed. A last column says what became
of each row (loaded, warning, rejected), so a filter shows the rows still to fix. An
"Issues" sheet lists every issue (filterable) and a "Summary" sheet counts them per rule with
what each rule means.

Written through :class:`~centredesk.io.workbook.SafeWorkbook`, so no cell text turns into a
formula or link and a half-written report never replaces anything.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import polars as pl

from centredesk.io.sheet_names import valid_sheet_name
from centredesk.io.status_column import STATUS_HEADER, status_words
from centredesk.io.workbook import Column, SafeWorkbook, TableSheet, column_letters
from centredesk.validation.catalogue import BY_CODE
from centredesk.validation.parsing import parse_date

ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFE699"
CHUNK_ROWS = 50_000
"""Rows written between progress reports."""
MAX_COMMENTS = 10_000
"""Marked cells that get a comment; past this (a re-import's duplicate flood, say) the cells
are still filled, the Issues sheet still lists every issue, and the workbook stays quick to
write and to open (Excel slows to a crawl with hundreds of thousands of notes)."""
_ISSUE_HEADERS = ("Row", "Column", "Field", "Code", "Severity", "Message", "Value", "Cell")
_SUMMARY_HEADERS = ("Code", "Severity", "Issues", "Rows", "Meaning", "How to fix")
_COMMENT_SIZE = {"x_scale": 2, "y_scale": 1.5}

RowsWritten = Callable[[int, int], None]
"""Told (rows written, rows in all) as the rows sheet fills."""


def write_fix_list(
    target: str | Path,
    *,
    sheet_name: str,
    headers: Sequence[str],
    cells: pl.DataFrame,
    issues: pl.DataFrame,
    header_row: int = 1,
    date_headers: Collection[str] = (),
    loaded: bool = False,
    force: bool = False,
    progress: RowsWritten | None = None,
) -> Path:
    """Write the fix-list workbook to ``target`` and return its path.

    ``cells`` is the sheet as read ("row", the row number the user sees, + one text column
    per header, in file order); ``issues`` the issue records (row, column, field, code,
    severity, message, value). Whole-row issues are marked on the row's first cell.
    ``date_headers`` are the columns holding dates; ``loaded`` says whether the rows without
    errors were loaded (an import) or only checked.
    """
    header_list = list(headers)
    position = {header: index for index, header in enumerate(header_list)}
    marks = _marks(issues, position)
    with SafeWorkbook(target, force=force) as book:
        book.add_format("error", {"num_format": "@", "bg_color": ERROR_FILL})
        book.add_format("warning", {"num_format": "@", "bg_color": WARNING_FILL})
        for severity, fill in (("error", ERROR_FILL), ("warning", WARNING_FILL)):
            book.add_format(
                f"{severity} date",
                {"num_format": "dd/mm/yyyy", "align": "left", "bg_color": fill},
            )
        name = valid_sheet_name(sheet_name, taken=("Issues", "Summary"), default="Rows")
        rows_sheet = _rows_sheet(book, name, header_list, set(date_headers), header_row)
        frame = _rows_frame(cells, header_list, set(date_headers), marks, status_words(loaded))
        for start in range(0, frame.height, CHUNK_ROWS):
            rows_sheet.append(frame.slice(start, CHUNK_ROWS), row_numbers="row")
            if progress is not None:
                progress(min(start + CHUNK_ROWS, frame.height), frame.height)
        _comment(rows_sheet, marks)
        _status_note(rows_sheet, len(header_list), loaded)
        _write_issues(book, issues, position)
        _write_summary(book, issues, commented=min(marks.height, MAX_COMMENTS), marked=marks.height)
    return Path(target)


def _marks(issues: pl.DataFrame, position: dict[str, int]) -> pl.DataFrame:
    """One row per marked cell: row, at (column index), severity, comment."""
    return (
        issues.with_columns(
            pl.col("column")
            .replace_strict(position, default=0, return_dtype=pl.Int64)
            .fill_null(0)
            .alias("at"),
            pl.format("{} ({}): {}", "code", "severity", "message").alias("line"),
        )
        .group_by("row", "at", maintain_order=True)
        .agg(
            _worst(pl.col("severity")).alias("severity"),
            pl.col("line").str.join("\n").alias("comment"),
        )
    )


def _worst(severity: pl.Expr) -> pl.Expr:
    return pl.when((severity == "error").any()).then(pl.lit("error")).otherwise(pl.lit("warning"))


# The rows frame names its columns by position, so no header a user wrote can clash.
def _text(index: int) -> str:
    return f"text {index}"


def _date(index: int) -> str:
    return f"date {index}"


def _mark(index: int) -> str:
    return f"mark {index}"


def _rows_sheet(
    book: SafeWorkbook, name: str, headers: list[str], dates: set[str], header_row: int
) -> TableSheet:
    columns = [
        Column(header, _date(index), "date", style_field=_mark(index), fallback=_text(index))
        if header in dates
        else Column(header, _text(index), style_field=_mark(index))
        for index, header in enumerate(headers)
    ]
    status = STATUS_HEADER
    while status in headers:
        status += " (fix list)"
    columns.append(Column(status, "status", style_field="status mark"))
    return book.add_table(name, columns, header_row=header_row)


def _rows_frame(
    cells: pl.DataFrame,
    headers: list[str],
    dates: set[str],
    marks: pl.DataFrame,
    words: dict[str, str],
) -> pl.DataFrame:
    """The rows with, per column, its mark (a format name) and, for dates, the parsed date."""
    texts = cells.select(
        "row",
        *(
            (pl.col(header) if header in cells.columns else pl.lit(None, pl.String)).alias(
                _text(index)
            )
            for index, header in enumerate(headers)
        ),
    )
    by_column = (
        marks.with_columns(pl.format("mark {}", "at").alias("at")).pivot(
            on="at", index="row", values="severity"
        )
        if marks.height
        else pl.DataFrame(schema={"row": pl.Int64})
    )
    worst = marks.group_by("row").agg(_worst(pl.col("severity")).alias("worst"))
    frame = texts.join(by_column, on="row", how="left").join(worst, on="row", how="left")
    columns = []
    for index, header in enumerate(headers):
        mark = pl.col(_mark(index)) if _mark(index) in frame.columns else pl.lit(None, pl.String)
        if header in dates:
            parsed = parse_date(pl.col(_text(index)))
            columns.append(parsed.alias(_date(index)))
            mark = pl.when(parsed.is_not_null()).then(mark + " date").otherwise(mark)
        columns.append(mark.alias(_mark(index)))
    columns += [
        pl.col("worst").fill_null("ok").replace_strict(words).alias("status"),
        pl.col("worst").alias("status mark"),
    ]
    return frame.with_columns(columns).sort("row")


def _comment(sheet: TableSheet, marks: pl.DataFrame) -> None:
    # One call per marked cell, for at most MAX_COMMENTS cells; xlsxwriter writes the notes.
    shown = marks.select("row", "at", "comment").sort("row", "at").head(MAX_COMMENTS)
    for row, at, comment in shown.iter_rows():
        sheet.worksheet.write_comment(row - 1, at, comment, _COMMENT_SIZE)


def _status_note(sheet: TableSheet, column: int, loaded: bool) -> None:
    words = status_words(loaded)
    note = (
        f"{words['ok']}: no issues. {words['warning']}: "
        + ("loaded, " if loaded else "would load, ")
        + f"but check the amber cells. {words['error']}: "
        + ("not loaded; " if loaded else "")
        + "fix the red cells and upload the rows again."
    )
    sheet.worksheet.write_comment(sheet.header_row - 1, column, note, _COMMENT_SIZE)


def _write_issues(book: SafeWorkbook, issues: pl.DataFrame, position: dict[str, int]) -> None:
    columns = [Column("Row", "row", "integer")]
    columns += [Column(header, header.lower()) for header in _ISSUE_HEADERS[1:-1]]
    columns.append(Column("Cell", "cell"))
    letters = {index: column_letters(index) for index in set(position.values()) | {0}}
    listing = issues.with_columns(
        pl.format(
            "{}{}",
            pl.col("column")
            .replace_strict(position, default=0, return_dtype=pl.Int64)
            .fill_null(0)
            .replace_strict(letters, return_dtype=pl.String),
            pl.col("row"),
        ).alias("cell")
    )
    table = book.add_table("Issues", columns)
    for start in range(0, listing.height, CHUNK_ROWS):
        table.append(listing.slice(start, CHUNK_ROWS))


def _write_summary(
    book: SafeWorkbook, issues: pl.DataFrame, *, commented: int, marked: int
) -> None:
    formats = book.formats
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
    if commented < marked:
        sheet.write_string(
            counts.height + 2,
            0,
            f"{marked:,} cells are marked; the first {commented:,} carry a comment with their "
            "issues. The Issues sheet lists every issue with its cell.",
        )
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 10)
    sheet.set_column(4, 5, 60)
