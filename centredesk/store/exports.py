"""What an export asks of the store: the user's filters in, rows out in bounded chunks.

The queries themselves are in ``shared/exports.py``, run by either backend; jobs get an
:class:`ExportRows` from ``store.exports`` and count or stream it without knowing the SQL.

Results whose release date is still in the future are withheld: a result with no release
date is not from a fixed-window assessment and is shown at once; one with a release date is
shown from that day on (``release_date <= today``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import polars as pl

from centredesk.dates import UK_DATE

CHUNK_ROWS = 50_000
"""Rows per chunk: large enough to keep the database busy, small enough to stay a few MB."""


@dataclass(frozen=True)
class ExportFilters:
    """What a user narrowed an export to; ``None`` means no filter on that field.

    ``title``, ``sector``, ``forename`` and ``surname`` match a case-insensitive part of
    the value; the rest match exactly (product codes with or without slashes).
    """

    centre: str | None = None
    batch: str | None = None
    """A batch label as written (``1001``, ``BT17``, ``0042``): matched as text, trimmed."""
    product: str | None = None
    forename: str | None = None
    surname: str | None = None
    dob: date | None = None
    learner: int | None = None
    uln: str | None = None
    status: str | None = None
    sector: str | None = None
    title: str | None = None
    session: date | None = None
    """The sitting an invigilator register is for."""
    since: date | None = None
    """Charges: charged on or after this day."""
    until: date | None = None
    """Charges: charged on or before this day."""

    def applied(self) -> dict[str, str]:
        """The filters in use, by name, as text for the workbook's About sheet."""
        shown: dict[str, str] = {}
        for name, value in vars(self).items():
            if value is None:
                continue
            shown[name] = value.strftime(UK_DATE) if isinstance(value, date) else str(value)
        return shown


@dataclass(frozen=True)
class SessionBookings:
    """The bookings of one product on one day, by whether they belong on a register."""

    paper: int
    """Paper-based and still standing: the register's rows."""
    on_screen: int
    """Still standing, but sat on screen (or with no mode recorded): no register."""
    withdrawn: int
    """Cancelled or transferred."""
    paper_dates: list[date]
    """The next days (from ``today``, at most three) with standing paper-based bookings of
    the product."""


CHOOSABLE = ("centre", "batch", "product", "sector", "session")
"""The filters whose values the store can list for a user to choose from."""
MAX_CHOICES = 2_000
"""The most values listed for one filter (a store with more batches lists the latest)."""


@dataclass(frozen=True)
class FilterValue:
    """One value a filter can take, as the filter reads it, and as a person reads it."""

    value: str
    label: str


class ExportRows(ABC):
    """The rows of one export, ready to be counted or streamed."""

    @abstractmethod
    def count(self) -> int:
        """How many rows the export will hold."""

    @abstractmethod
    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
        """The rows in order, as polars frames of at most ``rows`` rows each (one empty
        frame, with the columns, when nothing matches)."""
