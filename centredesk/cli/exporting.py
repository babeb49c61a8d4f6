"""``centredesk export KIND --out OUT.xlsx [filters]``: the workbooks centres ask for."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from centredesk.errors import UserError
from centredesk.io.exports import EXPORT_KINDS, ExportKind
from centredesk.jobs.exporting import export
from centredesk.jobs.progress import Progress
from centredesk.store.exports import ExportFilters
from centredesk.validation.fields import BOOKING_STATUSES, REGISTRATION_STATUSES

# Which filters each export takes; anything else is refused rather than silently ignored.
_FILTERS: dict[ExportKind, frozenset[str]] = {
    "products": frozenset({"centre", "sector", "product", "title"}),
    "results": frozenset(
        {"centre", "batch", "product", "forename", "surname", "dob", "learner", "uln"}
    ),
    "registrations": frozenset(
        {"centre", "batch", "product", "forename", "surname", "dob", "learner", "uln", "status"}
    ),
    "bookings": frozenset(
        {"centre", "batch", "product", "forename", "surname", "dob", "learner", "uln", "status"}
    ),
    "register": frozenset({"centre", "product", "session"}),
}
_STATUSES: dict[ExportKind, tuple[str, ...]] = {
    "registrations": REGISTRATION_STATUSES,
    "bookings": BOOKING_STATUSES,
}


def uk_date(text: str) -> date:
    """A date argument: day first (03/04/2010) or ISO (2010-04-03)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as DD/MM/YYYY")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=EXPORT_KINDS, help="which workbook to write")
    parser.add_argument("--out", required=True, metavar="OUT.xlsx", help="the file to write")
    parser.add_argument(
        "--force", action="store_true", help="replace OUT.xlsx if it already exists"
    )
    filters = parser.add_argument_group("filters (each narrows the export)")
    filters.add_argument("--centre", metavar="NUMBER", help="one centre's rows only")
    filters.add_argument(
        "--product", "--code", dest="product", metavar="CODE", help="one product code"
    )
    filters.add_argument("--sector", help="products: part of the sector, any case")
    filters.add_argument("--title", help="products: part of the title, any case")
    filters.add_argument("--batch", type=int, metavar="NUMBER", help="one batch")
    filters.add_argument("--forename", help="part of the forename, any case")
    filters.add_argument("--surname", help="part of the surname, any case")
    filters.add_argument("--dob", type=uk_date, metavar="DD/MM/YYYY", help="date of birth")
    filters.add_argument("--learner", type=int, metavar="NUMBER", help="AO learner number")
    filters.add_argument("--uln", help="one ULN")
    filters.add_argument("--status", help="registrations or bookings with this status")
    filters.add_argument(
        "--session", type=uk_date, metavar="DD/MM/YYYY", help="register: the session date"
    )
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def filters_from(args: argparse.Namespace) -> ExportFilters:
    """The filters given on the command line, refusing those the export does not take."""
    kind: ExportKind = args.kind
    given = {
        name: getattr(args, name)
        for name in ("centre", "batch", "product", "forename", "surname", "dob", "learner")
        + ("uln", "status", "sector", "title", "session")
        if getattr(args, name) is not None
    }
    unused = sorted(set(given) - _FILTERS[kind])
    if unused:
        options = ", ".join("--" + name for name in unused)
        raise UserError(f"the {kind} export does not take {options}")
    status = given.get("status")
    if status is not None:
        allowed = _STATUSES[kind]
        if status.strip().casefold() not in {s.casefold() for s in allowed}:
            raise UserError(
                f"{status!r} is not a {kind[:-1]} status: use one of {', '.join(allowed)}"
            )
    if kind == "register" and ("product" not in given or "session" not in given):
        raise UserError("the register needs --product CODE and --session DD/MM/YYYY")
    given.pop("session", None)
    if "uln" in given:
        given["uln"] = given["uln"].strip()
    return ExportFilters(**given)


def run(args: argparse.Namespace) -> int:
    from centredesk.cli.common import open_settings_store, terminal_progress

    filters = filters_from(args)
    with open_settings_store(args.settings, read_only=True) as store:
        outcome = export(
            store,
            args.kind,
            args.out,
            filters,
            session=args.session,
            force=args.force,
            progress=Progress(terminal_progress()),
        )
    print(outcome.summary())
    return 0
