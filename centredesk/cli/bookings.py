"""``centredesk bookings cancel ID``: cancel one assessment booking."""

from __future__ import annotations

import argparse
import sys

from centredesk.cli import EXIT_OK
from centredesk.cli.common import (
    add_confirm_arguments,
    add_format_argument,
    confirmed,
    open_settings_store,
)
from centredesk.cli.output import write_json
from centredesk.jobs.history import change_record, describe
from centredesk.jobs.statuses import cancel_booking


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("cancel",), help="cancel a booking")
    parser.add_argument("booking", type=int, metavar="ID", help="the booking id")
    add_confirm_arguments(parser, dry_run="show the booking; change nothing")
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    with open_settings_store(args.settings, missing="refuse") as store:
        booking, _ = cancel_booking(store, args.booking, confirmed=False, dry_run=True)
        if args.format == "text":
            print(
                f"Booking {booking['booking_id']}: learner {booking['learner_number']}, "
                f"{booking['product_code']} {booking['assessment']} on "
                f"{booking['session_date']:%d/%m/%Y}, attempt {booking['attempt']}."
            )
        if args.dry_run:
            change = None
        else:
            question = "Cancel it? It will no longer count as an attempt; this is final."
            yes = confirmed(args, question) if args.format == "text" else args.yes
            _, change = cancel_booking(store, args.booking, confirmed=yes)
    if args.format == "json":
        write_json(
            {
                "booking": args.booking,
                "dry_run": change is None,
                "change": change_record(change) if change is not None else None,
            },
            sys.stdout,
        )
    elif change is None:
        print("Dry run: nothing was changed.")
    else:
        print(f"Change {change.change_id}: {describe(change)}.")
    return EXIT_OK
