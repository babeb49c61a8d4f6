"""The store's operations, as every backend provides them.

The rest of centredesk holds a :class:`Store` and calls its named operations: it never sees
a connection, a cursor or a dialect. A backend is a package beside this module
(``duckdb_store``) that implements each class here; a second backend is a new package, not
an edit to the callers. Frames go in and come out as polars (Arrow underneath).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from types import TracebackType

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from centredesk.store.exports import ExportFilters, ExportRows, SessionBookings
from centredesk.store.location import Location
from centredesk.store.records import (
    Dashboard,
    ImportMeta,
    ImportSummary,
    LearnerDetail,
    PreviousImport,
    RejectedRow,
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
    "audit_log",
)
"""Every table that holds data, in the order a whole store is copied."""


class Browse(ABC):
    """The paged tables of the app (see :mod:`centredesk.store.views`).

    Paging works in two steps so that a page of a 1,000,000-row table costs milliseconds
    whatever the sort or filter: :meth:`row_keys` gives the key of every matching row in
    display order, then :meth:`rows` the values of one page of those keys.
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
    ) -> pa.ChunkedArray:
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

        An issue is open while the latest import of its file still carries it.
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
    def record(
        self,
        meta: ImportMeta,
        accepted: pl.DataFrame,
        issues: pl.DataFrame,
        rejected: pl.DataFrame,
        other_cells: pl.DataFrame | None = None,
    ) -> int:
        """Write one import in one transaction and return its ``import_id``.

        ``accepted`` holds the parsed canonical columns of the rows without errors (plus
        ``row``; for learners also ``learner_identity`` and ``learner_number``, worked out
        by validation); ``issues`` the issue records (:data:`~centredesk.store.records.
        ISSUE_COLUMNS`); ``rejected`` one row per rejected source row with ``row`` and
        ``cells`` (a JSON object of header text to cell text); ``other_cells`` the same for
        loaded rows, holding only the columns no field reads (kept in ``other_cells``, joined
        to a record by its import and source row). The store writes what it is given: it
        decides nothing about who a learner is.
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


class ReferenceData(ABC):
    """What the store holds, as frames for the validation rules to check a file against."""

    NAMES = ("centres", "products", "approvals", "learners", "registrations", "bookings", "results")
    """The frames a store can give."""

    @abstractmethod
    def frames(self, names: Iterable[str]) -> dict[str, pl.DataFrame]:
        """The named frames (validation says which it needs), whole, through Arrow."""


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
        in one statement; returns how many were inserted."""

    @abstractmethod
    def data_version(self) -> tuple[int, ...]:
        """A cheap fingerprint of the data: it changes when an import or a change lands."""

    def checksums(self) -> dict[str, int]:
        """An order-independent checksum of every table of :data:`TABLES`.

        Equal checksums mean equal contents (as text), whichever backend holds them.
        """
        sums: dict[str, int] = {}
        for table in TABLES:
            frame = self.read(table)
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

    @property
    @abstractmethod
    def schema_version(self) -> int:
        """The schema version the store is at (0 for one that holds nothing yet)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Run a block in one transaction: all of its operations land, or none.

        Transactions nest: an operation that opens its own joins the caller's.
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
