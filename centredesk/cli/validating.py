"""``centredesk validate``: check a spreadsheet against every rule and write nothing.

Exit status 0 when no row has an error (warnings allowed), 1 when some row has, 2 when the
check could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from centredesk.cli import EXIT_DATA_ERRORS, EXIT_OK, add_db_argument
from centredesk.cli.common import (
    add_file_arguments,
    add_format_argument,
    column_choices,
    existing_file,
    terminal_progress,
)
from centredesk.cli.output import write_file_summary, write_json
from centredesk.jobs.checked_file import CheckedFile, issue_record
from centredesk.jobs.progress import Progress
from centredesk.jobs.validating import validate_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_file_arguments(parser)
    parser.add_argument(
        "--report",
        metavar="OUT.xlsx",
        help="write the fix-list workbook: the rows as read, problem cells marked red "
        "(error) or amber (warning) with a comment, plus Issues and Summary sheets",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the --report file if it exists"
    )
    add_format_argument(parser)
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    source = existing_file(args.file)
    progress = Progress(terminal_progress() if args.format == "text" else None)
    outcome = validate_file(
        source,
        database=args.settings.location,
        wait=args.settings.wait,
        kind=args.kind,
        sheet=args.sheet,
        columns=column_choices(args.column, args.kind),
        report=Path(args.report) if args.report else None,
        force=args.force,
        progress=progress,
    )
    checked = outcome.checked
    if args.format == "json":
        write_json(issue_record(checked), sys.stdout)
    else:
        _print_text(checked)
        if outcome.report is not None:
            print(f"Fix list written to {outcome.report}")
    return EXIT_DATA_ERRORS if checked.errors else EXIT_OK


def _print_text(checked: CheckedFile) -> None:
    write_file_summary(checked, sys.stdout, verb="Checked")
    already = (
        f", {checked.already:,} are in the store already (not loaded again)"
        if checked.already
        else ""
    )
    print(f"{checked.to_load:,} rows would be loaded{already}, {checked.rejected:,} rejected.")
