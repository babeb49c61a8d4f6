"""How the app shows each browsable view's columns: header, width and the text of a value.

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
    """One column on screen."""

    label: str
    width: int
    text: Callable[[object], str] = cell_text


_LEARNER = {
    "learner_number": Shown("Learner", 8),
    "surname": Shown("Surname", 14),
    "forename": Shown("Forename", 12),
    "date_of_birth": Shown("Born", 10),
}
_PERSON = {"learner_number": Shown("Learner", 8), "surname": Shown("Surname", 11)}

COLUMNS: dict[str, dict[str, Shown]] = {
    "learners": {
        **_LEARNER,
        "uln": Shown("ULN", 10),
        "centre_number": Shown("Centre", 7),
        "learner_reference": Shown("Reference", 12),
    },
    "registrations": {
        "learner_number": Shown("Learner", 8),
        "surname": Shown("Surname", 14),
        "forename": Shown("Forename", 12),
        "product_code": Shown("Product", 10),
        "batch_number": Shown("Batch", 6),
        "registration_date": Shown("Registered", 10),
        "status": Shown("Status", 9),
        "registration_id": Shown("Reg. id", 8),
    },
    "bookings": {
        **_PERSON,
        "product_code": Shown("Product", 10),
        "assessment": Shown("Assessment", 10),
        "session_date": Shown("Session", 10),
        "status": Shown("Status", 14),
        "attempt": Shown("Attempt", 7),
        "booking_id": Shown("Booking", 8),
    },
    "results": {
        **_PERSON,
        "product_code": Shown("Product", 10),
        "component": Shown("Component", 10),
        "grade": Shown("Grade", 11),
        "result_date": Shown("Result", 10),
        "release_date": Shown("Release", 10),
        "result_id": Shown("Result id", 9),
    },
    "products": {
        "product_code": Shown("Product", 10),
        "title": Shown("Title", 30),
        "level": Shown("Level", 5),
        "discount_code": Shown("Discount", 8),
        "external_assessment": Shown("Exam", 4),
        "assessment_mode": Shown("Mode", 11),
        "operational_end_date": Shown("Ends", 10),
        "grading_scheme": Shown("Grading", 12),
    },
    "imports": {
        "import_id": Shown("No.", 4),
        "finished_at": Shown("When", 16),
        "file_name": Shown("File", 20),
        "kind": Shown("Kind", 9),
        "rows_accepted": Shown("Loaded", 7),
        "rows_rejected": Shown("Rejected", 8),
        "os_user": Shown("By", 10),
    },
    "issues": {
        "row": Shown("Row", 7),
        "column_name": Shown("Column", 16),
        "value": Shown("Value", 16, value_text),
        "message": Shown("Message", 50),
    },
}
