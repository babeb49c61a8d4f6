"""The typed values that go into and come out of the store's operations.

Every backend takes and returns these, so the jobs and screens never see a row of a
particular database driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

ISSUE_COLUMNS = ("row", "column", "field", "code", "severity", "message", "value")
"""The columns of the issues frame an import records."""

REGISTRATION_STATUS_ORDER = ("active", "withdrawn", "cancelled", "completed")


@dataclass(frozen=True)
class ImportMeta:
    """What the ``imports`` table records about one file."""

    file_name: str
    sha256: str
    kind: str
    sheet: str | None
    rows_read: int
    os_user: str
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True)
class PreviousImport:
    """An earlier import of the same content."""

    import_id: int
    file_name: str
    finished_at: datetime


@dataclass(frozen=True)
class ImportSummary:
    """One import as the app lists it."""

    import_id: int
    file_name: str
    kind: str
    sheet: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    os_user: str
    finished_at: datetime


@dataclass(frozen=True)
class Dashboard:
    """The figures of the first screen."""

    counts: dict[str, int]
    registrations_by_status: dict[str, int]
    latest_imports: list[ImportSummary]
    open_issues: pl.DataFrame
    """code, severity, issues, rows: issues of each file's latest import, by rule."""


OTHER_COLUMNS = ("product_code", "column", "value")
"""The columns of :attr:`LearnerDetail.other`."""


@dataclass(frozen=True)
class LearnerDetail:
    """A learner and everything recorded about them."""

    details: dict[str, object]
    registrations: pl.DataFrame
    """product_code, title, batch_number, registration_date, status."""
    bookings: pl.DataFrame
    """product_code, assessment, session_date, assessment_mode, status, attempt."""
    results: pl.DataFrame
    """product_code, component, grade, result_date, release_date, and ``withheld``: the
    release date is still to come, so the centre may not tell the learner yet."""
    history: pl.DataFrame
    """The audit log entries of the learner and of their registrations: changed_at,
    os_user, table_name, record_key, action, before, after (JSON text)."""
    other: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=dict.fromkeys(OTHER_COLUMNS, pl.String))
    )
    """The cells of the upload's columns centredesk does not read, of each registration's
    row: product_code, column (its header), value. Only cells that hold something."""


@dataclass(frozen=True)
class RejectedRow:
    """A rejected source row: its cells as read (header text -> cell text) and its issues."""

    import_id: int
    row: int
    cells: dict[str, str]
    issues: pl.DataFrame
    """column_name, code, severity, message, value."""
