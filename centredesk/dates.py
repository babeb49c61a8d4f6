"""How centredesk writes dates for people: day first, as they are read in the UK.

The one place for the format: the app, the command line's messages and the workbooks'
text all use these (a workbook's own cell formats are Excel's, not these).
"""

from __future__ import annotations

from datetime import date, datetime

UK_DATE = "%d/%m/%Y"
"""A day: 03/04/2010."""
UK_DATE_TIME = "%d/%m/%Y %H:%M"
"""A moment, such as when an import finished: 12/09/2025 08:30."""


def uk_date(value: date) -> str:
    """A date (or the date and time of a moment) written day first."""
    if isinstance(value, datetime):
        return value.strftime(UK_DATE_TIME)
    return value.strftime(UK_DATE)
