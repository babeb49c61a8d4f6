"""``centredesk import``: validate a spreadsheet and load its good rows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from centredesk.cli import EXIT_DATA_ERRORS, EXIT_OK
from centredesk.cli.common import (
    add_file_arguments,
    add_format_argument,
    column_choices,
    existing_file,
    open_settings_store,
    terminal_progress,
)
from centredesk.cli.output import write_file_summary, write_json
from centredesk.jobs.checked_file import issue_record
from centredesk.jobs.importing import ImportOutcome, check_report_target, import_file
from centredesk.jobs.progress import Progress
from centredesk.store import open_if_present


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_file_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and report what would be loaded; write nothing",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="import a file even though the same content was imported before; nothing is "
        "stored twice: rows this file loaded before are recognised and skipped, other "
        "registrations, bookings and results already stored are rejected (DUP_IN_STORE, "
        "BOOKING_DUPLICATE, RESULT_DUPLICATE), a result with another grade or dates corrects "
        "the stored one (RESULT_CORRECTION, kept in the audit log), and products and "
        "approvals take the file's values",
    )
    parser.add_argument(
        "--report",
        metavar="OUT.xlsx",
        help="also write the fix-list workbook: every issue marked on the rows as read "
        "(--force also overwrites it)",
    )
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    source = existing_file(args.file)
    columns = column_choices(args.column, args.kind)
    settings = args.settings
    report = Path(args.report).expanduser() if args.report else None
    if report is not None:
        check_report_target(report, force=args.force)  # before the store is opened
    progress = Progress(terminal_progress() if args.format == "text" else None)
    # A dry run only reads, and an absent database is an empty one that it does not create.
    opened = (
        open_if_present(settings.location, wait=settings.wait)
        if args.dry_run
        else open_settings_store(settings)
    )
    with opened as store:
        outcome = import_file(
            source,
            store,
            kind=args.kind,
            sheet=args.sheet,
            columns=columns,
            dry_run=args.dry_run,
            force=args.force,
            report=report,
            progress=progress,
        )
    report = outcome.report
    if outcome.report_problem is not None:
        # The import itself was done: say so, and why the fix list is elsewhere.
        print(f"centredesk: note: {outcome.report_problem}", file=sys.stderr)
    if args.format == "json":
        write_json(import_record(outcome), sys.stdout)
    else:
        write_file_summary(outcome.checked, sys.stdout, verb="Read")
        print(outcome_line(outcome))
        if report is not None:
            print(f"Fix list written to {report}")
    return EXIT_DATA_ERRORS if outcome.rejected else EXIT_OK


def import_record(outcome: ImportOutcome) -> dict[str, Any]:
    """The DESIGN.md issue record plus what the import did."""
    record = issue_record(outcome.checked)
    record["accepted"] = outcome.accepted
    record["rejected"] = outcome.rejected
    record["already_loaded"] = outcome.already
    record["loaded"] = outcome.loaded
    record["import_id"] = outcome.import_id
    record["dry_run"] = outcome.import_id is None
    record["assigned_batch"] = outcome.batch_number
    return record


def outcome_line(outcome: ImportOutcome) -> str:
    """One line saying what was (or would be) loaded."""
    already = (
        f", {outcome.already:,} already in the store (not loaded again)" if outcome.already else ""
    )
    if outcome.import_id is None:
        return (
            f"Dry run: {outcome.loaded:,} rows would be loaded{already}, {outcome.rejected:,} "
            "rejected; nothing was written."
        )
    line = (
        f"Import {outcome.import_id}: loaded {outcome.loaded:,} rows{already}, "
        f"rejected {outcome.rejected:,}"
    )
    if outcome.batch_number is not None and outcome.loaded:
        line += f"; rows without a batch number went into batch {outcome.batch_number}"
    if outcome.rejected:
        line += ". Rejected rows are kept with their issues: fix them and import them again"
    return line + "."
