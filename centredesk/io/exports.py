"""The layouts of the export workbooks: columns, the results summary and chart, the register.

The column lists name the fields the store's export queries return; headers are the ones
the upload templates use (from :mod:`centredesk.validation.fields`), so a column reads the
same wherever it appears. Writing itself is :mod:`centredesk.io.workbook`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import polars as pl

from centredesk.io.workbook import Column, SafeWorkbook, TableSheet
from centredesk.validation.fields import GRADING_SCHEMES, UNGRADED, Kind, spec

ExportKind = Literal["products", "results", "registrations", "bookings", "register"]
EXPORT_KINDS: tuple[ExportKind, ...] = (
    "products",
    "results",
    "registrations",
    "bookings",
    "register",
)

SHEET_NAMES: dict[ExportKind, str] = {
    "products": "Approved Products",
    "results": "Results",
    "registrations": "Registrations",
    "bookings": "Bookings",
    "register": "Register",
}


def _field(kind: Kind, name: str, column_type: Literal["text", "date"] = "text") -> Column:
    return Column(spec(kind, name).header, name, column_type)


_CENTRE = _field("learners", "centre_number")
_LEARNER_NUMBER = _field("bookings", "learner_number")
_ULN = _field("learners", "uln")
_FORENAME = _field("learners", "forename")
_SURNAME = _field("learners", "surname")
_DOB = _field("learners", "date_of_birth", "date")
_PRODUCT = _field("learners", "product_code")
_TITLE = _field("products", "title")
_BATCH = _field("learners", "batch_number")

CATALOGUE_COLUMNS: tuple[Column, ...] = (
    _PRODUCT,
    _TITLE,
    _field("products", "level"),
    _field("products", "sector"),
    _field("products", "discount_code"),
    _field("products", "external_assessment"),
    _field("products", "assessment_mode"),
    _field("products", "operational_end_date", "date"),
)
APPROVED_COLUMNS = (*CATALOGUE_COLUMNS, _field("approvals", "approved_on", "date"))

RESULT_COLUMNS: tuple[Column, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _ULN,
    _FORENAME,
    _SURNAME,
    _DOB,
    _BATCH,
    _PRODUCT,
    _TITLE,
    _field("results", "component"),
    _field("results", "grade"),
    _field("results", "result_date", "date"),
)

REGISTRATION_COLUMNS: tuple[Column, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _ULN,
    _FORENAME,
    _SURNAME,
    _DOB,
    _field("learners", "learner_reference"),
    _PRODUCT,
    _TITLE,
    _BATCH,
    _field("learners", "registration_date", "date"),
    Column("Status", "status"),
)

BOOKING_COLUMNS: tuple[Column, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _ULN,
    _FORENAME,
    _SURNAME,
    _DOB,
    _PRODUCT,
    _TITLE,
    _field("bookings", "assessment"),
    _field("bookings", "session_date", "date"),
    _field("bookings", "assessment_mode"),
    Column("Booking Status", "status"),
    Column("Attempt", "attempt", "integer"),
    _BATCH,
)

REGISTER_COLUMNS: tuple[Column, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _SURNAME,
    _FORENAME,
    _ULN,
    _field("learners", "reasonable_adjustments"),
    _field("bookings", "assessment"),
    # Left empty for the learner to sign on the day; wide enough for a signature.
    Column("Signature", "signature", min_width=36),
)


def columns_for(kind: ExportKind, *, with_approval: bool = False) -> tuple[Column, ...]:
    """The columns of one export's main sheet."""
    if kind == "products":
        return APPROVED_COLUMNS if with_approval else CATALOGUE_COLUMNS
    return {
        "results": RESULT_COLUMNS,
        "registrations": REGISTRATION_COLUMNS,
        "bookings": BOOKING_COLUMNS,
        "register": REGISTER_COLUMNS,
    }[kind]


def grade_order(grades: Sequence[str]) -> list[str]:
    """Grades in the order people read them: each scheme low to high, U, then the rest."""
    known: list[str] = []
    for scheme in GRADING_SCHEMES.values():
        known.extend(grade for grade in scheme if grade not in known)
    known.append(UNGRADED)
    present = set(grades)
    return [g for g in known if g in present] + sorted(present.difference(known))


def write_grade_summary(book: SafeWorkbook, counts: pl.DataFrame) -> TableSheet:
    """The "Summary" sheet: grade counts per product, and a chart of the distribution.

    ``counts`` has one row per product and grade: product_code, title, grade, results.
    """
    grades = grade_order(counts.get_column("grade").to_list())
    columns = [_PRODUCT, _TITLE]
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
    name = summary.worksheet.name
    for col in range(2, 2 + len(grades)):
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
        f"&L&B{_header_text(product_code)} {_header_text(title[:100])}&RSession {session:%d/%m/%Y}"
    )
    sheet.set_footer(f"&LPrinted {_header_text(printed)}&RPage &P of &N")
