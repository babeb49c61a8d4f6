"""The typed values that go into and come out of the store's operations.

Every backend takes and returns these, so the jobs and screens never see a row of a
particular database driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
    rows_already_loaded: int = 0
    """Rows found in the store already (from an earlier import): accepted, not written."""


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
    rows_already_loaded: int = 0
    rolled_back_by: int | None = None
    """The change that rolled the import back, if one did."""


@dataclass(frozen=True)
class Dashboard:
    """The figures of the first screen."""

    counts: dict[str, int]
    registrations_by_status: dict[str, int]
    latest_imports: list[ImportSummary]
    open_issues: pl.DataFrame
    """code, severity, issues, rows: the issues of rejected rows still open, by rule;
    errors first."""


OTHER_COLUMNS = ("product_code", "column", "value")
"""The columns of :attr:`LearnerDetail.other`."""


@dataclass(frozen=True)
class LearnerDetail:
    """A learner and everything recorded about them."""

    details: dict[str, object]
    registrations: pl.DataFrame
    """product_code, title, batch_number, registration_date, status."""
    bookings: pl.DataFrame
    """product_code, assessment, session_date, assessment_mode, status, attempt,
    booking_id."""
    results: pl.DataFrame
    """product_code, component, grade, result_date, release_date, and ``withheld``: the
    release date is still to come, so the centre may not tell the learner yet."""
    history: pl.DataFrame
    """Each change of the learner, their registrations and bookings, one line per record it
    touched: changed_at, os_user, table_name, record_key, action, and that record's before
    and after (JSON text)."""
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


ROLES = ("viewer", "editor", "uln-admin", "admin")
"""What a user may do, least to most: read and export; also import and change records; also
set ULNs; everything, including batch cancellation, rollback and roles."""

EDITABLE_LEARNER_FIELDS = (
    "forename",
    "surname",
    "date_of_birth",
    "learner_reference",
    "reasonable_adjustments",
)
"""The learner's details an editor may change (the ULN has an operation of its own)."""


@dataclass(frozen=True)
class Charges:
    """What a change cost the centre and credited to it, in all (lines are in the store)."""

    charged: Decimal = Decimal("0.00")
    credited: Decimal = Decimal("0.00")
    lines: int = 0


@dataclass(frozen=True)
class Change:
    """One change of records, as the audit log holds it: the same value drives the audit
    entry, the history people read and undo.

    ``before`` and ``after`` hold only the fields that changed (JSON values: dates as ISO
    text); for a change of many records they are what every record shared, or None where
    the records differed (each record's own values are in the store). ``record`` names the
    record (its key) or the set (``batch 1001 at centre 100001``, ``3 registrations``).
    """

    change_id: int
    when: datetime
    who: str
    action: str
    table: str
    record: str
    records: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    charges: Charges = Charges()
    undoes: int | None = None
    undone_by: int | None = None
    import_id: int | None = None


@dataclass(frozen=True)
class LearnerRecord:
    """A learner as an edit form needs them: stored values, version and registrations."""

    details: dict[str, Any]
    """learner_number, centre_number, forename, surname, date_of_birth, uln,
    learner_reference, reasonable_adjustments, person_key."""
    version: int
    registrations: pl.DataFrame
    """registration_id, product_code, centre_number, batch_number, registration_date,
    status, version."""


@dataclass(frozen=True)
class Selection:
    """Which registrations an action applies to: chosen ones, or a whole batch of a centre."""

    registration_ids: tuple[int, ...] = ()
    batch: str | None = None
    centre: str | None = None

    @classmethod
    def of_batch(cls, batch: str, centre: str) -> Selection:
        return cls(batch=batch.strip(), centre=centre.strip())

    @property
    def whole_batch(self) -> bool:
        return self.batch is not None

    def describe(self) -> str:
        """``batch 1001 at centre 100001``, ``registration 12`` or ``3 registrations``."""
        if self.whole_batch:
            return f"batch {self.batch} at centre {self.centre}"
        count = len(self.registration_ids)
        if count == 1:
            return f"registration {self.registration_ids[0]}"
        return f"{count:,} registrations"


@dataclass(frozen=True)
class HistoryFilters:
    """Which changes to list; every filter given must hold."""

    learner: int | None = None
    """Changes of the learner or of any of their registrations and bookings."""
    registration: int | None = None
    """Changes of the registration or of its bookings."""
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Changes made before this moment."""
    action: str | None = None
    """Changes whose action starts with this (``withdraw``, ``cancel``, ``set_uln``)."""
    batch: str | None = None
    """Changes of any registration of a batch with this label (or of its bookings)."""
    limit: int = 1000


@dataclass(frozen=True)
class UlnFilters:
    """Which learners without a ULN to list (every filter given must hold)."""

    product: str | None = None
    """A product code, or its start, with or without slashes: a registration on it."""
    batch: str | None = None
    """A registration in the batch with this label."""
    surname: str | None = None
    """The start of the surname, any case."""
    forename: str | None = None
    """The start of the forename, any case."""
    registered_from: date | None = None
    """A registration on or after this day."""
    registered_to: date | None = None
    """A registration on or before this day."""


@dataclass(frozen=True)
class UlnPage:
    """One page of the learners without a ULN (or with the placeholder) that match."""

    learners: pl.DataFrame
    """learner_number, forename, surname, date_of_birth, uln, centre_number, version."""
    total: int
    """How many match, on every page."""


@dataclass(frozen=True)
class UserRole:
    """A user the store knows, their role, and who gave it to them when."""

    user: str
    role: str
    granted_by: str
    granted_at: datetime


@dataclass(frozen=True)
class Dependent:
    """Later data that rests on an import's rows, which a rollback would pull away."""

    what: str
    """In words: ``booking 31 (import 5) on registration 12``."""
    table: str
    key: str
