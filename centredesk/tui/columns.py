"""How the app shows each browsable view's columns: header, how it gives way on a narrow
terminal, and the text of a value.

The store's views (:mod:`centredesk.store.views`) say which columns there are and return
typed values; this module is the one place that decides how they look. A test keeps the two
in step: every column of every view has an entry here, and nothing else does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from centredesk.dates import uk_date


def cell_text(value: object) -> str:
    """How the app shows one stored value: dates day first (UK), nothing for null."""
    if value is None:
        return ""
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def value_text(value: object) -> str:
    """A value kept as text that may be a parsed date (ISO): shown day first like the rest."""
    text = cell_text(value)
    if _ISO_DATE.fullmatch(text):
        try:
            return uk_date(date.fromisoformat(text))
        except ValueError:
            return text
    return text


@dataclass(frozen=True)
class Shown:
    """One column on screen.

    A column is as wide as its widest value (or its header), as far as the terminal allows.
    Values that identify something (numbers, codes, dates) are never cut. A column with
    ``cut`` holds free text (names, titles, messages): on a terminal too narrow for every
    column it gives way, down to ``cut`` cells, sharing the room with the other such
    columns by ``weight``, its values ending in ``…``. If that is not enough, the columns
    with ``drop`` leave the table, lowest first. The line under the table shows the
    focused row's values that are cut or left out, whole.
    """

    label: str
    cut: int = 0
    weight: int = 1
    drop: int = 0
    text: Callable[[object], str] = cell_text


def withheld_text(value: object) -> str:
    """A result not yet released is marked; a released one needs no word."""
    return "withheld" if value else ""


def _name(label: str) -> Shown:
    # Enough of a name to tell most people apart; names share the room equally.
    return Shown(label, cut=7, weight=2)


COLUMNS: dict[str, dict[str, Shown]] = {
    "learners": {
        "learner_number": Shown("Learner"),
        "surname": _name("Surname"),
        "forename": _name("Forename"),
        "date_of_birth": Shown("Born"),
        "uln": Shown("ULN"),
        "centre_number": Shown("Centre"),
        "learner_reference": Shown("Reference", cut=6, drop=1),
    },
    "registrations": {
        "learner_number": Shown("Learner"),
        "surname": _name("Surname"),
        "forename": _name(
            "Forename",
        ),
        "product_code": Shown("Product"),
        "batch_number": Shown("Batch"),
        "registration_date": Shown("Registered"),
        "status": Shown("Status"),
        "registration_id": Shown("Id"),
    },
    "bookings": {
        "learner_number": Shown("Learner"),
        "surname": _name("Surname"),
        "product_code": Shown("Product"),
        "assessment": Shown("Assessment", cut=6),
        "session_date": Shown("Session"),
        "status": Shown("Status"),
        "attempt": Shown("Attempt"),
        "booking_id": Shown("Id"),
    },
    "results": {
        "learner_number": Shown("Learner"),
        "surname": _name("Surname"),
        "product_code": Shown("Product"),
        "component": Shown("Component", cut=6),
        "grade": Shown("Grade"),
        "result_date": Shown("Issued", drop=1),
        "release_date": Shown("Release"),
        "withheld": Shown("Withheld", text=withheld_text),
        "result_id": Shown("Id"),
    },
    "products": {
        # At 80 columns the title needs ~40 cells to tell one "Level 1/2 Technical Award
        # in …" from the next: the columns after it make room, and show in the line below.
        "product_code": Shown("Product"),
        "title": Shown("Title", cut=40, weight=4),
        "level": Shown("Level"),
        "discount_code": Shown("Discount", drop=3),
        "external_assessment": Shown("Exam", drop=1),
        "assessment_mode": Shown("Mode", drop=4),
        "operational_end_date": Shown("Ends"),
        "grading_scheme": Shown("Grading", cut=6, drop=2),
    },
    "imports": {
        "import_id": Shown("No."),
        "finished_at": Shown("When"),
        "file_name": Shown("File", cut=12, weight=3),
        "kind": Shown("Kind"),
        "rows_accepted": Shown("Loaded"),
        "rows_rejected": Shown("Rejected"),
        "os_user": Shown("By", cut=6),
    },
    "issues": {
        "row": Shown("Row"),
        "column_name": Shown("Column", cut=8),
        "value": Shown("Value", cut=8, text=value_text),
        "message": Shown("Message", cut=20, weight=3),
    },
}
