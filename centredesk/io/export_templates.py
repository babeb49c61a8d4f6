"""Upload templates: the canonical header row, instructions, and Excel's own checks.

A template is the easiest way to get a clean upload: its header row is exactly what the
importer expects (from :data:`centredesk.validation.fields.SCHEMAS`), each column is
formatted so Excel keeps what is typed (ULNs, codes and batch labels such as 0042 as text,
dates as dates), and Excel's data validation catches what it can while the sheet is being
filled in: ULN length, dates, Y/N and status lists, and product codes from the catalogue as
a dropdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from centredesk.io.workbook import SafeWorkbook
from centredesk.validation.fields import (
    ASSESSMENT_MODES,
    BOOKING_STATUSES,
    GRADING_SCHEMES,
    SCHEMAS,
    UNGRADED,
    FieldSpec,
    Kind,
)

LAST_ROW = 1_048_575
"""Data validation covers every row Excel has below the header (0-based last row)."""
LIST_SHEET = "Lists"

_FIRST_DATE, _LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
_WHAT_A_ROW_IS: dict[Kind, str] = {
    "learners": "one learner on one product (a registration)",
    "bookings": "one learner booked onto one assessment sitting",
    "results": "one grade for one learner's assessment or unit",
    "products": "one product (qualification) of the catalogue",
    "approvals": "one product a centre is approved to deliver",
}


def _grades() -> list[str]:
    grades: list[str] = []
    for scheme in GRADING_SCHEMES.values():
        grades.extend(grade for grade in scheme if grade not in grades)
    return [*grades, UNGRADED]


# Fields whose allowed values are a short fixed list, shown as a dropdown.
_LISTS: dict[str, list[str]] = {
    "yes_no": ["Y", "N"],
    "assessment_mode": list(ASSESSMENT_MODES),
    "booking_status": list(BOOKING_STATUSES),
    "grading_scheme": list(GRADING_SCHEMES),
    "grade": _grades(),
}


def sheet_name(kind: Kind) -> str:
    """The template's data sheet: the kind, capitalised (``Learners``)."""
    return kind.capitalize()


def write_template(book: SafeWorkbook, kind: Kind, product_codes: Sequence[str] = ()) -> None:
    """Write the data sheet, the Instructions sheet and, with a catalogue, the code list.

    ``product_codes`` is the store's catalogue; when given (and the kind refers to existing
    products), the product code column offers them as a dropdown from a hidden sheet,
    which has no length limit, unlike a list typed into the validation itself.
    """
    fields = SCHEMAS[kind]
    formats = book.formats
    sheet = book.add_worksheet(sheet_name(kind))
    dropdown = bool(product_codes) and kind != "products"
    for col, field in enumerate(fields):
        sheet.write_string(0, col, field.header, formats["header"])
        cell_format = formats["date"] if field.type == "date" else formats["text"]
        if field.type in ("learner_number", "money"):
            cell_format = None
        width = max(len(field.header), len(field.example), 10) + 2
        sheet.set_column(col, col, width, cell_format)
        options = _validation(field, len(product_codes) if dropdown else 0)
        if options:
            sheet.data_validation(1, col, LAST_ROW, col, options)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 0, len(fields) - 1)
    sheet.activate()
    _write_instructions(book, kind, fields, dropdown)
    if dropdown:
        lists = book.add_worksheet(LIST_SHEET)
        for row, code in enumerate(product_codes):
            lists.write_string(row, 0, code, formats["text"])
        lists.hide()


def _validation(field: FieldSpec, catalogue_size: int) -> dict[str, Any] | None:
    """Excel's data validation for one column, or None where Excel cannot check it."""
    prompt = {
        "input_title": field.header[:32],
        "input_message": field.description[:255],
    }
    if field.type == "uln":
        return {
            "validate": "length",
            "criteria": "==",
            "value": 10,
            "error_title": "ULN",
            "error_message": "A ULN is exactly 10 digits. Leave it empty if not known yet.",
            **prompt,
        }
    if field.type == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": _FIRST_DATE,
            "maximum": _LAST_DATE,
            "error_title": "Date",
            "error_message": "Enter a date, day first: 03/04/2010 is 3 April 2010.",
            **prompt,
        }
    if field.type in _LISTS:
        return {
            "validate": "list",
            "source": _LISTS[field.type],
            "error_title": field.header[:32],
            "error_message": "Choose one of: " + ", ".join(_LISTS[field.type]),
            **prompt,
        }
    if field.type == "product_code" and catalogue_size:
        # A warning, not a stop: the same code may be typed without its slashes.
        return {
            "validate": "list",
            "source": f"={LIST_SHEET}!$A$1:$A${catalogue_size}",
            "error_type": "warning",
            "error_title": "Product code",
            "error_message": "This code is not in the catalogue. Check it before uploading.",
            **prompt,
        }
    if field.type == "learner_reference":
        return {
            "validate": "length",
            "criteria": "between",
            "minimum": 1,
            "maximum": 12,
            "error_title": "Learner reference",
            "error_message": "1 to 12 letters, digits or spaces.",
            **prompt,
        }
    if field.type == "learner_number":
        return {
            "validate": "integer",
            "criteria": ">",
            "value": 0,
            "error_title": field.header[:32],
            "error_message": "Enter a whole number.",
            **prompt,
        }
    if field.type == "money":
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": field.header[:32],
            "error_message": "Enter an amount in pounds, such as 45.00.",
            **prompt,
        }
    # Free text and names: Excel cannot check them, but the prompt still explains them.
    return {"validate": "any", **prompt}


def _allowed(field: FieldSpec, dropdown: bool) -> str:
    if field.type in _LISTS:
        return ", ".join(_LISTS[field.type])
    if field.type == "product_code" and dropdown:
        return "a product code from the catalogue (dropdown)"
    return ""


def _write_instructions(
    book: SafeWorkbook, kind: Kind, fields: Sequence[FieldSpec], dropdown: bool
) -> None:
    formats = book.formats
    sheet = book.add_worksheet("Instructions")
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 4, 30)
    sheet.write_string(0, 0, f"Upload template: {kind}", formats["title"])
    lines = [
        f"Fill in the {sheet_name(kind)} sheet: one row is {_WHAT_A_ROW_IS[kind]}.",
        "Keep the header row as it is; columns that are not required may be left empty.",
        "Dates are day first (03/04/2010 is 3 April 2010). ULNs and codes are text.",
    ]
    for offset, line in enumerate(lines):
        sheet.write_string(2 + offset, 0, line)
    row = 2 + len(lines)
    sheet.write_string(row, 0, "Written", formats["label"])
    sheet.write_datetime(row, 1, datetime.now().replace(microsecond=0), formats["datetime"])
    row += 2
    header_row = row
    for col, header in enumerate(("Column", "Required", "What to enter", "Example", "Allowed")):
        sheet.write_string(row, col, header, formats["header"])
    for field in fields:
        row += 1
        sheet.write_string(row, 0, field.header, formats["label"])
        sheet.write_string(row, 1, "required" if field.required else "optional")
        sheet.write_string(row, 2, field.description, formats["wrap"])
        # Examples such as 603/0862/X or 03/04/2010 must read as typed, not as a formula.
        book.write_text(sheet, row, 3, field.example)
        book.write_text(sheet, row, 4, _allowed(field, dropdown))
    sheet.freeze_panes(header_row + 1, 0)
