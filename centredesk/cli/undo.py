"""``centredesk undo ID``: undo a change from the history, as a new change."""

from __future__ import annotations

import argparse
import sys

from centredesk.cli import EXIT_OK
from centredesk.cli.common import add_format_argument, open_settings_store
from centredesk.cli.output import write_json
from centredesk.jobs.history import change_record, describe, undo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("change", type=int, metavar="ID", help="the change's id in the history")
    parser.epilog = (
        "A cancellation is never undone, and neither is a change whose records a later "
        "change touched: undo the later one first."
    )
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    with open_settings_store(args.settings, missing="refuse") as store:
        change = undo(store, args.change)
    if args.format == "json":
        write_json(change_record(change), sys.stdout)
    else:
        print(f"Change {change.change_id}: {describe(change)}.")
    return EXIT_OK
