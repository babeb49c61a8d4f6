"""The store's operations, as every backend provides them.

The rest of centredesk holds a :class:`Store` and calls its named operations: it never sees
a connection, a cursor or a dialect. A backend is a package beside this module
(``duckdb_store``, ``pg_store``) that implements each class here, running the SQL both
backends speak alike from ``shared``; a further backend is a new package, not an edit to the
callers. Frames go in and come out as polars (Arrow underneath).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from types import TracebackType
from typing import Any, Protocol

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.exports import ExportFilters, ExportRows, FilterValue, SessionBookings
from centredesk.store.location import Location
from centredesk.store.records import (
    Change,
    Dashboard,
    Dependent,
    HistoryFilters,
    ImportMeta,
    ImportSummary,
    LearnerDetail,
    LearnerRecord,
    PreviousImport,
    RejectedRow,
    Selection,
    UlnFilters,
    UlnPage,
    UserRole,
)

TABLES = (
    "centres",
    "products",
    "approvals",
    "learners",
    "registrations",
    "bookings",
    "results",
    "imports",
    "import_issues",
    "rejected_rows",
    "other_cells",
    "import_upserts",
    "audit_log",
    "audit_records",
    "charges",
    "users",
    "last_keys",
)
"""Every table that holds data, in the order a whole store is copied."""

RECORD_TABLES = (
    "centres",
    "products",
    "approvals",
    "learners",
    "registrations",
    "bookings",
    "results",
)
"""The tables of the records themselves, apart from the imports and the history of changes."""


class RowKeys(Protocol):
    """The keys of a browse in display order: all in memory (an Arrow array, on DuckDB), or
    read from the store as they are listed (on a server). Take ``len()`` freely; list a
    ``slice`` away from the screen's thread, as listing may ask the store."""

    def __len__(self) -> int: ...

    def slice(self, offset: int, length: int | None = ...) -> Any: ...

    def to_pylist(self) -> list[Any]: ...


class Browse(ABC):
    """The paged tables of the app (see :mod:`centredesk.store.views`).

    Paging works in two steps so that a page of a 1,000,000-row table costs milliseconds
    whatever the sort or filter: :meth:`row_keys` gives the key of every matching row in
    display order (:class:`RowKeys`), then :meth:`rows` the values of one page of those
    keys.
    """

    @abstractmethod
    def row_keys(
        self,
        view: str,
        *,
        search: Mapping[str, str] | None = None,
        scope: Mapping[str, object] | None = None,
        sort: str | None = None,
        descending: bool | None = None,
    ) -> RowKeys:
        """The key of every row of ``view`` that matches, in display order.

        ``search`` maps search fields to case-insensitive prefixes (all must match);
        ``scope`` maps scope fields to exact values. Ties in the sort are broken by key.
        """

    @abstractmethod
    def rows(self, view: str, keys: Sequence[object]) -> pa.Table:
        """The typed values of the rows with ``keys``, in the order of ``keys``: a ``key``
        column, then the view's columns by name."""

    @abstractmethod
    def total(self, view: str, *, scope: Mapping[str, object] | None = None) -> int:
        """How many rows ``view`` holds (within ``scope``), before any search."""


class Details(ABC):
    """One screenful each: the dashboard, a learner, an import and its issues."""

    @abstractmethod
    def dashboard(self, *, latest: int = 5) -> Dashboard:
        """Counts per table, registrations by status, the latest imports and open issues.

        Open issues are those of rejected rows no import has closed since (see
        :meth:`Imports.record`): fixed rows, re-imports and repeats do not count.
        """

    @abstractmethod
    def learner(self, learner_number: int) -> LearnerDetail | None:
        """The learner and their records; None if there is none."""

    @abstractmethod
    def import_summary(self, import_id: int) -> ImportSummary | None:
        """One import's record; None if there is none."""

    @abstractmethod
    def issue_groups(self, import_id: int) -> pl.DataFrame:
        """An import's issues by rule: code, severity, issues, rows; errors first."""

    @abstractmethod
    def rejected_row(self, import_id: int, row: int) -> RejectedRow | None:
        """The cells and issues of source row ``row``; None if it was not rejected."""


class Imports(ABC):
    """Writing an import, and what earlier imports tell a new one."""

    @abstractmethod
    def checked_against(self, version: tuple[int, ...]) -> None:
        """Say that the next file :meth:`record` writes was checked against the store at
        ``version`` (a :meth:`Tables.data_version`, read in any session).

        Reading the reference frames says so on its own; this is for a file checked through
        another connection (the app checks on a reader and loads on a writer). A store that
        lets imports take turns only at the write refuses the write with
        :class:`~centredesk.store.errors.ConcurrentImportError` when another import landed
        after that version. A file store has one writer from opening to closing, so nothing
        can land in between there.
        """

    @abstractmethod
    def record(
        self,
        meta: ImportMeta,
        accepted: pl.DataFrame,
        issues: pl.DataFrame,
        rejected: pl.DataFrame,
        other_cells: pl.DataFrame | None = None,
        *,
        loads_rejected: pl.DataFrame | None = None,
    ) -> int:
        """Write one import in one transaction and return its ``import_id``.

        ``accepted`` holds the parsed canonical columns of the rows without errors that are
        not in the store already (plus ``row``; for learners also ``learner_identity`` and
        ``learner_number``, worked out by validation); ``issues`` the issue records
        (:data:`~centredesk.store.records.ISSUE_COLUMNS`); ``rejected`` one row per rejected
        source row with ``row`` and ``cells`` (a JSON object of header text to cell text);
        ``other_cells`` the same for loaded rows, holding only the columns no field reads
        (kept in ``other_cells``, joined to a record by its import and source row).
        ``meta.rows_already_loaded`` counts the rows found already loaded, which are
        accepted but not written again. ``loads_rejected`` (``import_id``, ``row``) names
        rows rejected by earlier imports that this one loads, so their issues close.
        ``accepted`` and ``rejected`` may carry ``subject`` and ``subject_alt``
        (:mod:`centredesk.validation.subjects`): the import also closes the earlier rejected
        rows of the records it loads or rejects again, and its own rows rejected only for
        repeating another record (:data:`~centredesk.validation.catalogue.REPEATS`); a later
        import of a file of the same name closes the rest. Folded names and titles are
        added here. The store writes what it is given: it decides nothing about who a
        learner is.

        Catalogue rows (products, centres, approvals) the import overwrites are kept as
        they were, so :meth:`rollback` can restore them.
        """

    @abstractmethod
    def find_by_sha256(self, sha256: str) -> PreviousImport | None:
        """The latest import of a file with this content, if there was one."""

    @abstractmethod
    def file_names(self) -> set[str]:
        """The names of every file imported into the store."""

    @abstractmethod
    def next_batch_number(self, incoming: pl.Series) -> str:
        """A batch label for rows that give none: one more than the largest all-digit label
        the store or the ``incoming`` labels (the upload's own) use, so it joins no batch."""

    @abstractmethod
    def summaries(self, *, limit: int | None = None) -> list[ImportSummary]:
        """Every import (or the latest ``limit``), newest first."""

    @abstractmethod
    def open_rejected_rows(self, import_ids: Sequence[int]) -> pl.DataFrame:
        """The rejected rows of these imports not loaded since: ``import_id``, ``row``."""

    @abstractmethod
    def dependents(self, import_id: int) -> list[Dependent]:
        """Later data resting on the import's rows: bookings and results on its
        registrations, registrations of its learners by other imports, changes still in
        effect on its records, records of later imports on catalogue rows it added or
        wrote. Empty when it can be rolled back."""

    @abstractmethod
    def rollback(self, import_id: int) -> Change:
        """Remove every row the import added and restore the catalogue rows it overwrote, in
        one transaction with its audit entry; the import stays, marked rolled back.

        Raises :class:`~centredesk.store.errors.RefusedChange` when it was rolled back
        already or :meth:`dependents` is not empty (the caller lists them first).
        """

    @abstractmethod
    def load_row(
        self,
        import_id: int,
        row: int,
        accepted: pl.DataFrame,
        cells: Mapping[str, str],
        other: Mapping[str, str] | None = None,
    ) -> Change:
        """Load a rejected row, now judged clean, as part of its import: write ``accepted``
        (one row, shaped as :meth:`record`'s) and ``other`` (its cells of the columns no
        field reads, as ``other_cells`` keeps them), close the row's issues and move it from
        the import's rejected count to its accepted count; one transaction with its audit
        entry, which records the ``cells`` changed (the row as read stays as it was)."""


class ReferenceData(ABC):
    """What the store holds, as frames for the validation rules to check a file against."""

    NAMES = ("centres", "products", "approvals", "learners", "registrations", "bookings", "results")
    """The frames a store can give."""

    @abstractmethod
    def frames(self, names: Iterable[str]) -> dict[str, pl.DataFrame]:
        """The named frames (validation says which it needs), whole, through Arrow."""

    @abstractmethod
    def near_learners(
        self, *, ulns: Sequence[str], person_keys: Sequence[str], excluding: int | None
    ) -> dict[str, pl.DataFrame]:
        """The ``learners`` and ``registrations`` frames (shaped as :meth:`frames` gives
        them) cut down to learners holding one of ``ulns`` or ``person_keys``, leaving out
        learner ``excluding``: all the cross-record rules need to judge one learner's
        change, in milliseconds whatever the size of the store."""


class Learners(ABC):
    """One learner: the details an edit form shows, and the changes made to them."""

    @abstractmethod
    def get(self, learner_number: int) -> LearnerRecord | None:
        """The learner's stored details, version and registrations; None if there is none."""

    @abstractmethod
    def holding_uln(self, uln: str, *, excluding: int | None = None) -> pl.DataFrame:
        """Learners other than ``excluding`` whose ULN is ``uln``: learner_number,
        centre_number, forename, surname, date_of_birth."""

    @abstractmethod
    def without_uln(self, filters: UlnFilters, *, offset: int = 0, limit: int = 50) -> UlnPage:
        """Learners with no ULN or with the placeholder, matching ``filters``, by surname,
        forename and learner number: ``limit`` of them from ``offset``, and how many match."""

    @abstractmethod
    def edit(
        self,
        learner_number: int,
        values: Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> Change:
        """Set the learner's ``values`` (fields of
        :data:`~centredesk.store.records.EDITABLE_LEARNER_FIELDS`, already judged, plus the
        new ``person_key`` when a name or the date of birth changes) in one transaction
        with its audit entry, which records only the fields whose value differs.

        Raises :class:`~centredesk.store.errors.StaleRecordError` when ``expected_version``
        is given and the learner's version is another, and
        :class:`~centredesk.store.errors.RefusedChange` when there is no such learner or
        nothing would change.
        """

    @abstractmethod
    def set_uln(
        self, learner_number: int, uln: str | None, *, expected_version: int | None = None
    ) -> Change:
        """Set (or clear) the learner's ULN, as :meth:`edit` does its other details."""


class Registrations(ABC):
    """Withdrawing, un-withdrawing and cancelling registrations: one, a set or a batch.

    Each is one statement over the whole selection (never a loop), in one transaction with
    its audit entry. ``expected_versions`` (registration id -> version as read) refuses the
    change with :class:`~centredesk.store.errors.StaleRecordError` when any differs.
    Chosen registrations must all be in the state the action needs
    (:class:`~centredesk.store.errors.RefusedChange` names the first that is not); of a
    whole batch, those in that state are changed and the others left as they are.
    """

    @abstractmethod
    def selected(self, selection: Selection) -> pl.DataFrame:
        """The registrations of ``selection`` with what an action needs to show and charge:
        registration_id, learner_number, forename, surname, product_code, centre_number,
        batch_number, registration_date, status, version, registration_fee (Decimal).
        Chosen ids that do not exist are left out."""

    @abstractmethod
    def of_learners(self, learner_numbers: Sequence[int]) -> list[int]:
        """The ids of every registration of these learners, whatever their status."""

    @abstractmethod
    def withdraw(
        self, selection: Selection, *, expected_versions: Mapping[int, int] | None = None
    ) -> Change:
        """Withdraw active registrations."""

    @abstractmethod
    def unwithdraw(
        self, selection: Selection, *, expected_versions: Mapping[int, int] | None = None
    ) -> Change:
        """Make withdrawn registrations active again."""

    @abstractmethod
    def cancel(
        self,
        selection: Selection,
        charges: pl.DataFrame,
        *,
        on: date,
        expected_versions: Mapping[int, int] | None = None,
    ) -> Change:
        """Cancel registrations that are active or withdrawn, for good, recording
        ``charges`` (the lines of :class:`centredesk.charges.CancellationPlan`) with the
        change, dated ``on``."""


class Bookings(ABC):
    """Assessment bookings: reading one, and cancelling it."""

    @abstractmethod
    def get(self, booking_id: int) -> dict[str, object] | None:
        """booking_id, registration_id, learner_number, product_code, assessment,
        session_date, status, attempt, version; None if there is no such booking."""

    @abstractmethod
    def cancel(self, booking_id: int, *, expected_version: int | None = None) -> Change:
        """Set the booking's status to Cancelled (it no longer counts as an attempt);
        :class:`~centredesk.store.errors.RefusedChange` when it is cancelled already."""


class History(ABC):
    """The audit log read back as :class:`~centredesk.store.records.Change` values, and
    undo."""

    @abstractmethod
    def changes(self, filters: HistoryFilters) -> list[Change]:
        """The changes ``filters`` pick, oldest first (the latest ``filters.limit``)."""

    @abstractmethod
    def change(self, change_id: int) -> Change | None:
        """One change by its history id."""

    @abstractmethod
    def later_changes(self, change_id: int) -> list[Change]:
        """Changes made after ``change_id`` to any record it touched, oldest first."""

    @abstractmethod
    def undo(self, change_id: int) -> Change:
        """Apply the inverse of a change of fields (an edit, a ULN, a withdrawal, an
        un-withdrawal, or an undo of one): every record it touched gets its values before
        back, raising its version, as a new change with ``undoes`` set. Refused
        (:class:`~centredesk.store.errors.RefusedChange`) when a record no longer holds the
        values the change gave it. Whether the change may be undone at all is the
        caller's rule."""


class Users(ABC):
    """Who may do what: each OS user's role."""

    @abstractmethod
    def role(self, user: str) -> str:
        """The user's role (one of :data:`~centredesk.store.records.ROLES`). In a store
        that knows no users yet (a new one), everyone is ``admin``: whoever writes first
        made it and is recorded as its admin. A user it does not list is a ``viewer``."""

    @abstractmethod
    def all(self) -> list[UserRole]:
        """Every user with a role, by name."""

    @abstractmethod
    def grant(self, user: str, role: str) -> Change:
        """Give ``user`` ``role``, audited."""

    @abstractmethod
    def revoke(self, user: str) -> Change:
        """Take ``user``'s role away (they can read and export, as a viewer), audited."""


class Exports(ABC):
    """The rows behind every export workbook (see :mod:`centredesk.store.exports`)."""

    @abstractmethod
    def products(self, filters: ExportFilters) -> ExportRows:
        """A centre's approved products, or (without ``centre``) the whole catalogue."""

    @abstractmethod
    def results(self, filters: ExportFilters, today: date) -> ExportRows:
        """Released results matching ``filters``, as of ``today``."""

    @abstractmethod
    def withheld_results(self, filters: ExportFilters, today: date) -> ExportRows:
        """Results matching ``filters`` that are still before their release date."""

    @abstractmethod
    def grade_counts(self, filters: ExportFilters, today: date) -> pl.DataFrame:
        """Released results per product and grade: product_code, title, grade, results."""

    @abstractmethod
    def registrations(self, filters: ExportFilters) -> ExportRows:
        """Registrations with their learner and product, matching ``filters``."""

    @abstractmethod
    def bookings(self, filters: ExportFilters) -> ExportRows:
        """Bookings with their learner, product, session and status, matching ``filters``."""

    @abstractmethod
    def register(self, product: str, session: date, centre: str | None = None) -> ExportRows:
        """Who sits a paper-based session: one product, one date, bookings still standing."""

    @abstractmethod
    def session_bookings(
        self, product: str, session: date, centre: str | None, today: date
    ) -> SessionBookings:
        """The bookings of one product on one day (at one centre) counted by whether they
        belong on a register, and the next days from ``today`` with paper-based ones."""

    @abstractmethod
    def find_product(self, code: str) -> tuple[str, str] | None:
        """A product's code as stored and its title, given the code with or without
        slashes in any case; None when the catalogue has no such product."""

    @abstractmethod
    def centre_known(self, centre: str) -> bool:
        """Whether the store knows the centre (from approvals or registrations)."""

    @abstractmethod
    def catalogue_codes(self) -> list[str]:
        """Every product code in the catalogue, sorted (for template dropdowns)."""

    @abstractmethod
    def charges(self, filters: ExportFilters) -> ExportRows:
        """What cancellations cost and credited, matching ``filters`` (a centre, the dates
        ``since``..``until`` they were charged on), one line each, oldest first."""

    @abstractmethod
    def filter_values(self, name: str, *, product: str | None = None) -> list[FilterValue]:
        """The values the store holds for one filter of :data:`~centredesk.store.exports.
        CHOOSABLE`, for a user to choose from rather than type: centres with their names,
        batch labels (latest first) and session dates with how many they hold, products with
        their titles, sectors. ``product`` narrows the sessions to one product's. At most
        :data:`~centredesk.store.exports.MAX_CHOICES` values."""


class Tables(ABC):
    """Whole tables: counts, contents, bulk loading and checksums.

    For copying a store between backends, building test and benchmark stores, and
    checking that an operation left every table as it was. Writing here is bulk loading:
    it records no import and no audit entry.
    """

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Row count of every table of :data:`TABLES`, in that order."""

    @abstractmethod
    def read(self, table: str) -> pl.DataFrame:
        """Every row of ``table`` (or ``schema_version``), in no particular order."""

    @abstractmethod
    def append(self, table: str, rows: pl.DataFrame) -> int:
        """Insert ``rows`` (columns named as the table's; the rest take their defaults)
        in one statement; returns how many were inserted. Folded names and titles
        (:mod:`centredesk.store.folded`) are added when not given."""

    @abstractmethod
    def advance_sequences(self) -> None:
        """Move every sequence past the highest key in its table, so that after bulk
        loading the next number it hands out is a new one."""

    @abstractmethod
    def data_version(self) -> tuple[int, ...]:
        """A cheap fingerprint of the data: it changes when an import or a change lands."""

    def checksums(
        self, tables: Iterable[str] = TABLES, *, without: Iterable[str] = ()
    ) -> dict[str, int]:
        """An order-independent checksum of each table of ``tables`` (all by default).

        Equal checksums mean equal contents (as text), whichever backend holds them.
        Columns named in ``without`` are left out: undo restores every value of a record
        but not its ``version``, which only ever rises.
        """
        sums: dict[str, int] = {}
        left_out = set(without)
        for table in tables:
            frame = self.read(table)
            frame = frame.drop([name for name in frame.columns if name in left_out])
            text = frame.select(pl.all().cast(pl.String)).fill_null("\0")
            sums[table] = int(text.hash_rows(seed=0).sum()) if frame.height else 0
        return sums


class Store(ABC):
    """An open centredesk store. Use as a context manager, or call :meth:`close`."""

    location: Location
    read_only: bool
    browse: Browse
    details: Details
    imports: Imports
    reference: ReferenceData
    exports: Exports
    tables: Tables
    learners: Learners
    registrations: Registrations
    bookings: Bookings
    history: History
    users: Users

    @property
    @abstractmethod
    def acting_user(self) -> str:
        """Who this store records as making its changes and whose role it checks: the OS
        user for a file; a server backend's own login. Nobody passes a name in."""

    holds_others_out: bool = True
    """Whether keeping the store open shuts other processes out (a DuckDB file does): a
    long-lived holder such as the app then lets go of it when idle. A database server lets
    everyone in at once, so its connection is kept."""

    @property
    @abstractmethod
    def schema_version(self) -> int:
        """The schema version the store is at (0 for one that holds nothing yet)."""

    @abstractmethod
    def transaction(self, *, claim: bool = True) -> AbstractContextManager[None]:
        """Run a block in one transaction: all of its operations land, or none.

        Transactions nest: an operation that opens its own joins the caller's. ``claim``
        records the acting user as admin when the store lists no users yet; a bulk copy of
        whole tables passes False, as it brings its own users.
        """

    @abstractmethod
    def close(self) -> None:
        """Let go of the database."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
