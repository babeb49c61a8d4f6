"""Every export, defined once: what it holds, its sheet's columns, its query and its filters.

The export job, the command line (its choices, its filter options and their help) and the
app all read :data:`SPECS` and :data:`FILTERS`, so adding an export is adding one
:class:`ExportSpec` here (and, for rows no export reads yet, an operation of the store's
``exports``). Column headers come from the upload fields
(:mod:`centredesk.validation.fields`), so a column reads the same in a template, a fix list
and an export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from centredesk.dates import UK_DATE, UK_DATE_TIME, uk_date
from centredesk.io.exports import prepare_register, write_grade_summary
from centredesk.io.workbook import Column, SafeWorkbook, TableSheet
from centredesk.store import Store
from centredesk.store.exports import ExportFilters, ExportRows
from centredesk.store.interface import Exports
from centredesk.validation.fields import BOOKING_STATUSES, REGISTRATION_STATUSES, Kind, spec


class FilterValueError(ValueError):
    """A filter value that cannot be read (a date that is not a date); the message says why."""


def read_date(text: str) -> date:
    """A date filter: day first (03/04/2010) or ISO (2010-04-03)."""
    for pattern in (UK_DATE, "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise FilterValueError(f"{text!r} is not a date: write it as DD/MM/YYYY")


def whole_number(text: str) -> int:
    """A number filter (an AO learner number)."""
    try:
        return int(text.strip())
    except ValueError:
        raise FilterValueError(f"{text!r} is not a whole number") from None


@dataclass(frozen=True)
class ExportFilter:
    """One way of narrowing an export: a field of :class:`ExportFilters`."""

    name: str
    help: str
    metavar: str = "TEXT"
    read: Callable[[str], object] = str.strip
    aliases: tuple[str, ...] = ()
    """Further option names, besides ``--name``."""


FILTERS: dict[str, ExportFilter] = {
    f.name: f
    for f in (
        ExportFilter("centre", "one centre's rows only", "NUMBER"),
        ExportFilter(
            "product", "one product code (603/0862/X or 6030862X)", "CODE", aliases=("--code",)
        ),
        ExportFilter("sector", "part of the sector, any case"),
        ExportFilter("title", "part of the product title, any case"),
        ExportFilter("batch", "one batch, by its label as written (1001, BT17, 0042)", "LABEL"),
        ExportFilter("forename", "part of the forename, any case"),
        ExportFilter("surname", "part of the surname, any case"),
        ExportFilter("dob", "date of birth", "DD/MM/YYYY", read_date),
        ExportFilter("learner", "AO learner number", "NUMBER", whole_number),
        ExportFilter("uln", "one ULN", "ULN"),
        ExportFilter("status", "only rows with this status", "STATUS"),
        ExportFilter("session", "the session (sitting) date", "DD/MM/YYYY", read_date),
        ExportFilter(
            "since", "charged on or after this day", "DD/MM/YYYY", read_date, aliases=("--from",)
        ),
        ExportFilter(
            "until", "charged on or before this day", "DD/MM/YYYY", read_date, aliases=("--to",)
        ),
    )
}

_LEARNER_FILTERS = ("centre", "batch", "product", "forename", "surname", "dob", "learner", "uln")


@dataclass(frozen=True)
class ExportRun:
    """What an export's own steps are given: the store, the filters, the day, the product."""

    store: Store
    filters: ExportFilters
    today: date
    product: tuple[str, str] | None
    """(code as stored, title) when the export is narrowed to one product."""


@dataclass
class Extras:
    """What an export's own last step adds: About notes, and the withheld count of results."""

    notes: list[tuple[str, str]] = field(default_factory=list)
    withheld: int | None = None


@dataclass(frozen=True)
class ExportSpec:
    """One export workbook: its main sheet, the query that fills it, the filters it takes."""

    kind: str
    summary: str
    """What the workbook holds, in a line (command help)."""
    title: str
    """The About sheet's title."""
    description: str
    """The About sheet's "What this is"."""
    sheet: str
    noun: str
    """What one row is, plural ("results"), for the line that says what was written."""
    columns: tuple[Column, ...]
    query: Callable[[Exports, ExportFilters, date], ExportRows]
    """The main sheet's rows: one of the store's export operations, given the filters."""
    filters: tuple[str, ...]
    statuses: tuple[str, ...] = ()
    """The values ``status`` may take, when the export takes it."""
    required: tuple[str, ...] = ()
    """Filters the export cannot run without."""
    centre_columns: tuple[Column, ...] = ()
    """Columns added when the export is narrowed to one centre."""
    centre_description: str = ""
    """The About description when narrowed to one centre (``{centre}`` is filled in)."""
    prepare: Callable[[TableSheet, ExportRun], None] | None = None
    """Sets up the main sheet before its rows (the register's print layout)."""
    finish: Callable[[SafeWorkbook, ExportRun], Extras] | None = None
    """Adds sheets after the main one (the results summary) and says what to note."""
    refuse_empty: Callable[[ExportRun], str] | None = None
    """Why an export with no rows is not written at all (a register nobody sits)."""
    describe_run: Callable[[ExportRun], str] | None = None
    """The About description, where it depends on more than the centre."""

    def columns_for(self, filters: ExportFilters) -> tuple[Column, ...]:
        """The main sheet's columns for these filters."""
        return self.columns + (self.centre_columns if filters.centre is not None else ())

    def describe(self, run: ExportRun) -> str:
        """The About sheet's "What this is" for one run."""
        if self.describe_run is not None:
            return self.describe_run(run)
        if run.filters.centre is not None and self.centre_description:
            return self.centre_description.format(centre=run.filters.centre)
        return self.description


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
_LEARNER = (_CENTRE, _LEARNER_NUMBER, _ULN, _FORENAME, _SURNAME, _DOB)

PRODUCT_COLUMNS: tuple[Column, ...] = (_PRODUCT, _TITLE)
"""How a product is shown wherever a sheet names one (the results summary too)."""


# The store's operations, in the one shape every export's query has.
def _products(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    return exports.products(filters)


def _results(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    return exports.results(filters, today)


def _registrations(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    return exports.registrations(filters)


def _bookings(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    return exports.bookings(filters)


def _register(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    assert filters.product is not None and filters.session is not None
    return exports.register(filters.product, filters.session, filters.centre)


def _charges(exports: Exports, filters: ExportFilters, today: date) -> ExportRows:
    return exports.charges(filters)


def _charge_totals(book: SafeWorkbook, run: ExportRun) -> Extras:
    """What the lines come to, summed as Decimal from the stored amounts."""
    charged = credited = Decimal("0.00")
    for chunk in run.store.exports.charges(run.filters).chunks():
        amounts = chunk.get_column("amount")
        charged += Decimal(amounts.filter(amounts > 0).sum() or 0)
        credited -= Decimal(amounts.filter(amounts < 0).sum() or 0)
    cents = Decimal("0.01")
    return Extras([("Charged", f"£{charged.quantize(cents)}"),
                   ("Credited", f"£{credited.quantize(cents)}")])  # fmt: skip


def _results_summary(book: SafeWorkbook, run: ExportRun) -> Extras:
    """The grade summary sheet with its chart, and the count of withheld results."""
    exports = run.store.exports
    write_grade_summary(book, exports.grade_counts(run.filters, run.today), PRODUCT_COLUMNS)
    withheld = exports.withheld_results(run.filters, run.today).count()
    notes = [
        ("Withheld", f"{withheld:,} results before their release date"),
        ("Released up to", uk_date(run.today)),
    ]
    return Extras(notes, withheld)


def _session(run: ExportRun) -> str:
    assert run.filters.session is not None
    return uk_date(run.filters.session)


def _print_register(register: TableSheet, run: ExportRun) -> None:
    assert run.product is not None and run.filters.session is not None
    code, title = run.product
    printed = datetime.now().strftime(UK_DATE_TIME)
    prepare_register(register, code, title, run.filters.session, printed)


def _describe_register(run: ExportRun) -> str:
    assert run.product is not None
    code, title = run.product
    return (
        f"Paper-based bookings of {code} {title} for the session on {_session(run)}; "
        "cancelled and transferred bookings are left out."
    )


def _empty_register(run: ExportRun) -> str:
    """Why a register would have nobody on it, in one line that says what to do."""
    assert run.product is not None
    session, code = _session(run), run.product[0]
    assert run.filters.session is not None
    found = run.store.exports.session_bookings(
        code, run.filters.session, run.filters.centre, run.today
    )
    where = f" at centre {run.filters.centre}" if run.filters.centre else ""
    if found.on_screen and not found.withdrawn:
        reason = f"its bookings{where} on {session} are sat on screen, which needs no register"
    elif found.withdrawn and not found.on_screen:
        reason = f"every booking of it{where} on {session} is cancelled or transferred"
    elif found.on_screen or found.withdrawn:
        reason = f"its bookings{where} on {session} are on screen, cancelled or transferred"
    else:
        reason = f"nobody{where} is booked onto it on {session}"
    dates = ", ".join(uk_date(day) for day in found.paper_dates)
    hint = (
        f"; its next paper-based sessions: {dates}"
        if dates
        else "; it has no paper-based sessions booked from today on"
    )
    return f"no register written for {code}: {reason}{hint}"


_SPECS = (
    ExportSpec(
        kind="products",
        summary="the product catalogue, or the products one centre is approved for",
        title="Approved products",
        description="The product catalogue.",
        centre_description="The products centre {centre} is approved to deliver.",
        sheet="Approved Products",
        noun="products",
        columns=(
            *PRODUCT_COLUMNS,
            _field("products", "level"),
            _field("products", "sector"),
            _field("products", "discount_code"),
            _field("products", "external_assessment"),
            _field("products", "assessment_mode"),
            _field("products", "operational_end_date", "date"),
        ),
        centre_columns=(_field("approvals", "approved_on", "date"),),
        query=_products,
        filters=("centre", "sector", "product", "title"),
    ),
    ExportSpec(
        kind="results",
        summary="learners' results released by today, a grade summary with a chart",
        title="Learner results",
        description="Results released on or before the date written; results before their "
        "release date are withheld and only counted.",
        sheet="Results",
        noun="results",
        columns=(
            *_LEARNER,
            _BATCH,
            *PRODUCT_COLUMNS,
            _field("results", "component"),
            _field("results", "grade"),
            _field("results", "result_date", "date"),
        ),
        query=_results,
        filters=_LEARNER_FILTERS,
        finish=_results_summary,
    ),
    ExportSpec(
        kind="registrations",
        summary="learners on products, with batch, date and status",
        title="Registrations",
        description="Registrations: learners on products, with batch, date and status.",
        sheet="Registrations",
        noun="registrations",
        columns=(
            *_LEARNER,
            _field("learners", "learner_reference"),
            *PRODUCT_COLUMNS,
            _BATCH,
            _field("learners", "registration_date", "date"),
            Column("Status", "status"),
        ),
        query=_registrations,
        filters=(*_LEARNER_FILTERS, "status"),
        statuses=REGISTRATION_STATUSES,
    ),
    ExportSpec(
        kind="bookings",
        summary="learners entered for assessment sittings, with status",
        title="Bookings",
        description="Bookings: learners entered for assessment sittings, with status.",
        sheet="Bookings",
        noun="bookings",
        columns=(
            *_LEARNER,
            *PRODUCT_COLUMNS,
            _field("bookings", "assessment"),
            _field("bookings", "session_date", "date"),
            _field("bookings", "assessment_mode"),
            Column("Booking Status", "status"),
            Column("Attempt", "attempt", "integer"),
            _BATCH,
        ),
        query=_bookings,
        filters=(*_LEARNER_FILTERS, "status"),
        statuses=BOOKING_STATUSES,
    ),
    ExportSpec(
        kind="register",
        summary="the invigilator register of one paper-based session, to print and sign",
        title="Invigilator register",
        description="Paper-based bookings of one product for one session; cancelled and "
        "transferred bookings are left out.",
        sheet="Register",
        noun="learners",
        columns=(
            _CENTRE,
            _LEARNER_NUMBER,
            _SURNAME,
            _FORENAME,
            _ULN,
            _field("learners", "reasonable_adjustments"),
            _field("bookings", "assessment"),
            # Left empty for the learner to sign on the day; wide enough for a signature.
            Column("Signature", "signature", min_width=36),
        ),
        query=_register,
        filters=("centre", "product", "session"),
        required=("product", "session"),
        prepare=_print_register,
        describe_run=_describe_register,
        refuse_empty=_empty_register,
    ),
    ExportSpec(
        kind="charges",
        summary="what cancellations cost and the registration fees credited, line by line",
        title="Cancellation charges",
        description="What cancelling registrations cost and the registration fees credited "
        "back, one line each: £20 a registration cancelled on its own, £25 a whole batch; "
        "fees credited within 5 working days of registration. Positive amounts are charged "
        "to the centre, negative ones credited to it.",
        sheet="Charges",
        noun="charge lines",
        columns=(
            Column("Charged On", "charged_on", "date"),
            _CENTRE,
            Column("Charge", "kind"),
            Column("Amount (£)", "amount", "number"),
            Column("Registration ID", "registration_id", "integer"),
            _LEARNER_NUMBER,
            _FORENAME,
            _SURNAME,
            _PRODUCT,
            _BATCH,
            Column("Why", "reason", min_width=30),
            Column("Change", "audit_id", "integer"),
            Column("By", "os_user"),
        ),
        query=_charges,
        filters=("centre", "batch", "since", "until"),
        finish=_charge_totals,
    ),
)

SPECS: dict[str, ExportSpec] = {export.kind: export for export in _SPECS}
"""Every export, by the name the command line and the app use for it."""
