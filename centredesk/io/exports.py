"""What the export workbooks have besides their main table: the results summary and chart,
and the register's print layout.

The exports themselves (columns, queries, filters) are defined in
:mod:`centredesk.jobs.export_specs`; writing is :mod:`centredesk.io.workbook`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from centredesk.dates import uk_date
from centredesk.io.workbook import Column, SafeWorkbook, TableSheet
from centredesk.validation.fields import GRADING_SCHEMES, UNGRADED


def grade_order(grades: Sequence[str]) -> list[str]:
    """Grades in the order people read them: each scheme low to high, U, then the rest."""
    known: list[str] = []
    for scheme in GRADING_SCHEMES.values():
        known.extend(grade for grade in scheme if grade not in known)
    known.append(UNGRADED)
    present = set(grades)
    return [g for g in known if g in present] + sorted(present.difference(known))


def write_grade_summary(
    book: SafeWorkbook, counts: pl.DataFrame, product_columns: Sequence[Column]
) -> TableSheet:
    """The "Summary" sheet: grade counts per product, and a chart of the distribution.

    ``counts`` has one row per product and grade: product_code, title, grade, results;
    ``product_columns`` show the product (its code and title) as the other sheets do.
    """
    grades = grade_order(counts.get_column("grade").to_list())
    columns = list(product_columns)
    columns += [Column(grade, grade, "integer") for grade in grades]
    columns.append(Column("Total", "total", "integer"))
    summary = book.add_table("Summary", columns)
    if counts.height == 0:
        return summary
    table = (
        counts.pivot(on="grade", index=["product_code", "title"], values="results")
        .fill_null(0)
        .with_columns(pl.sum_horizontal(*grades).alias("total"))
        .sort("product_code")
    )
    summary.append(table)
    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    last = table.height
    name, first = summary.worksheet.name, len(product_columns)
    for col in range(first, first + len(grades)):
        chart.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, 1, 0, last, 0],
                "values": [name, 1, col, last, col],
            }
        )
    chart.set_title({"name": "Grade distribution"})
    chart.set_x_axis({"name": "Product"})
    chart.set_y_axis({"name": "Results", "major_gridlines": {"visible": True}})
    chart.set_size({"width": 720, "height": 400})
    summary.worksheet.insert_chart(last + 3, 0, chart)
    return summary


def _header_text(text: str) -> str:
    # In page headers & starts a control code; a literal ampersand is written twice.
    return text.replace("&", "&&")


def prepare_register(
    register: TableSheet, product_code: str, title: str, session: date, printed: str
) -> None:
    """Print layout for an invigilator register: landscape A4, one page wide, the header
    row on every page, room to sign, and the product and session on every page."""
    sheet = register.worksheet
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.hide_gridlines(0)  # gridlines on screen and on paper, to guide signatures
    sheet.set_default_row(24)
    sheet.set_header(
        f"&L&B{_header_text(product_code)} {_header_text(title[:100])}&RSession {uk_date(session)}"
    )
    sheet.set_footer(f"&LPrinted {_header_text(printed)}&RPage &P of &N")
