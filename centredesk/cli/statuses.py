"""``centredesk withdraw | unwithdraw | cancel (--registration ID … | --batch B --centre C)``.

Withdrawing is free and undone by un-withdrawing. Cancelling is final and charged: the
command shows what each registration costs or is credited, and why, then asks (``--yes``
answers for scripts); ``--dry-run`` shows it and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import polars as pl

from centredesk.cli import EXIT_OK
from centredesk.cli.common import (
    add_confirm_arguments,
    add_format_argument,
    confirmed,
    open_settings_store,
    terminal_progress,
)
from centredesk.cli.output import write_json
from centredesk.errors import UserError
from centredesk.jobs import statuses
from centredesk.jobs.history import change_record, describe
from centredesk.jobs.progress import Progress
from centredesk.store.records import Selection

SHOWN = 50
"""Registrations listed in a cancellation's text preview; JSON lists them all."""


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    chosen = parser.add_argument_group("which registrations (chosen ones, or a whole batch)")
    chosen.add_argument(
        "--registration",
        dest="registrations",
        type=int,
        nargs="+",
        action="extend",
        metavar="ID",
        help="registration ids (the app's Registrations tab shows them)",
    )
    chosen.add_argument("--batch", metavar="LABEL", help="a whole batch, by its label")
    chosen.add_argument("--centre", metavar="NUMBER", help="the centre the batch belongs to")


_EPILOGS = {
    "withdraw": "Only active registrations are withdrawn; of a whole batch, the others are "
    "left as they are. Undo with `centredesk unwithdraw` or `centredesk undo ID`.",
    "unwithdraw": "Only withdrawn registrations are made active again.",
    "cancel": "Charges: £20 for each registration chosen, or £25 once for a whole batch "
    "(admins only); the registration fee is credited for each registration cancelled "
    "within 5 working days of its registration date (weekends and England and Wales bank "
    "holidays left out). A cancellation is final and never undone.",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOGS.get(parser.prog.rsplit(" ", 1)[-1])
    add_selection_arguments(parser)
    add_confirm_arguments(parser, dry_run="show what would change (and cost); change nothing")
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def selection_from(args: argparse.Namespace) -> Selection:
    """The registrations the options name; refused when they name none, or both kinds."""
    ids = tuple(args.registrations or ())
    if ids and (args.batch or args.centre):
        raise UserError("give either --registration IDs or --batch with --centre, not both")
    if args.batch or args.centre:
        if not (args.batch and args.centre):
            raise UserError("a whole batch needs both --batch LABEL and --centre NUMBER")
        return Selection.of_batch(args.batch, args.centre)
    if not ids:
        raise UserError("say which registrations: --registration ID … or --batch B --centre C")
    return Selection(tuple(dict.fromkeys(ids)))


def run(args: argparse.Namespace) -> int:
    action: str = args.command
    selection = selection_from(args)
    progress = Progress(terminal_progress() if args.format == "text" else None)
    with open_settings_store(args.settings, missing="refuse") as store:
        if action == "cancel":
            statuses.may_cancel(store, selection)
            shown = statuses.preview(store, "cancel", selection)
            if args.format == "text":
                show_cancellation(shown)
            if args.dry_run:
                outcome = statuses.StatusOutcome(shown, None)
            else:
                if not shown.count:
                    raise UserError(f"{selection.describe()} has nothing left to cancel")
                question = "Cancel them for good? A cancelled registration can never be reinstated."
                yes = confirmed(args, question) if args.format == "text" else args.yes
                outcome = statuses.cancel(store, shown, confirmed=yes, progress=progress)
        elif action == "withdraw":
            outcome = statuses.withdraw(store, selection, dry_run=args.dry_run, progress=progress)
        else:
            outcome = statuses.unwithdraw(store, selection, dry_run=args.dry_run, progress=progress)
    if args.format == "json":
        write_json(outcome_record(outcome), sys.stdout)
    elif outcome.change is None:
        print(f"Dry run: {outcome.preview.summary()}; nothing was changed.")
    else:
        print(f"Change {outcome.change.change_id}: {describe(outcome.change)}.")
        if outcome.preview.left_alone:
            kept = ", ".join(
                f"{n:,} {status}" for status, n in sorted(outcome.preview.left_alone.items())
            )
            print(f"Left as they were: {kept}.")
    return EXIT_OK


def show_cancellation(shown: statuses.Preview) -> None:
    """What each registration will cost or be credited and why, then the totals."""
    lines = shown.cancellation_lines(SHOWN)
    if shown.count > SHOWN:
        lines[SHOWN + 1] += " (--format json lists them all)"
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def outcome_record(outcome: statuses.StatusOutcome) -> dict[str, Any]:
    shown = outcome.preview
    record: dict[str, Any] = {
        "action": shown.action,
        "selection": shown.selection.describe(),
        "registrations": shown.count,
        "left_alone": shown.left_alone,
        "dry_run": outcome.change is None,
        "change": change_record(outcome.change) if outcome.change is not None else None,
    }
    if shown.plan is not None:
        lines = shown.changing.select("registration_id", "learner_number").join(
            shown.plan.registrations, on="registration_id", how="left"
        )
        record["charged"] = str(shown.plan.charged)
        record["credited"] = str(shown.plan.credited)
        record["lines"] = lines.with_columns(
            pl.col("charge").cast(pl.String), pl.col("credit").cast(pl.String)
        ).to_dicts()
    return record
