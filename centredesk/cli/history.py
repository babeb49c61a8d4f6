"""``centredesk history``: every change in plain words, showing only what changed."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from centredesk.cli import EXIT_OK
from centredesk.cli.common import add_format_argument, open_settings_store
from centredesk.cli.output import write_json
from centredesk.jobs.export_specs import FilterValueError, read_date
from centredesk.jobs.history import change_record, line, list_history, since
from centredesk.store.records import HistoryFilters


def day(text: str) -> date:
    """A date argument: day first (03/04/2010) or ISO (2010-04-03)."""
    try:
        return read_date(text)
    except FilterValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--learner", type=int, metavar="N", help="a learner and their records")
    parser.add_argument(
        "--registration", type=int, metavar="ID", help="a registration and its bookings"
    )
    parser.add_argument("--user", metavar="NAME", help="changes made by this OS user")
    parser.add_argument(
        "--since", type=day, metavar="DD/MM/YYYY", help="changes on or after this day"
    )
    parser.add_argument(
        "--limit", type=int, default=1000, metavar="N", help="the latest N changes (default 1000)"
    )
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    filters = HistoryFilters(
        learner=args.learner,
        registration=args.registration,
        user=args.user,
        since=since(args.since) if args.since is not None else None,
        limit=args.limit,
    )
    with open_settings_store(args.settings, read_only=True) as store:
        changes = list_history(store, filters)
    if args.format == "json":
        write_json({"changes": [change_record(change) for change in changes]}, sys.stdout)
    elif not changes:
        print("No changes match.")
    else:
        print(f"{'id':>5}  {'when':<16}  {'who':<12} what")
        for change in changes:
            print(line(change))
    return EXIT_OK
