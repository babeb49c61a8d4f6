"""``centredesk imports list | show N | rollback N | fix N --row R --set FIELD=VALUE …``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from centredesk.cli import EXIT_DATA_ERRORS, EXIT_OK
from centredesk.cli.common import (
    add_confirm_arguments,
    add_format_argument,
    confirmed,
    open_settings_store,
    terminal_progress,
)
from centredesk.cli.output import write_issues_text, write_json
from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.jobs.fixing import FixOutcome, fix_row
from centredesk.jobs.history import change_record, describe
from centredesk.jobs.import_history import list_imports, rollback_import, show_import
from centredesk.jobs.progress import Progress
from centredesk.store.records import ImportSummary

_EPILOG = """\
examples:
  centredesk imports list
  centredesk imports show 3
  centredesk imports rollback 3 --dry-run        what it would remove, or what rests on it
  centredesk imports fix 3 --row 14 --set ULN=1000000043 --set "Date of Birth=03/04/2010"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("what", choices=("list", "show", "rollback", "fix"), help="what to do")
    parser.add_argument("import_id", nargs="?", type=int, metavar="N", help="the import")
    parser.add_argument("--row", type=int, metavar="R", help="fix: the rejected row's number")
    parser.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="fix: a new cell value, by column header or field name (repeat for more)",
    )
    add_confirm_arguments(
        parser, dry_run="rollback: list what rests on the import; fix: judge the row only"
    )
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    if args.what == "list":
        return _list(args)
    if args.import_id is None:
        raise UserError(f"`centredesk imports {args.what}` needs the import's number")
    if args.what == "show":
        return _show(args)
    if args.what == "rollback":
        return _rollback(args)
    return _fix(args)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def summary_line(summary: ImportSummary) -> str:
    line = (
        f"{summary.import_id:>5}  {summary.finished_at:{UK_DATE_TIME}}  {summary.os_user:<12} "
        f"{summary.file_name} ({summary.kind}): {summary.rows_accepted:,} accepted"
    )
    if summary.rows_already_loaded:
        line += f" ({summary.rows_already_loaded:,} already in the store)"
    line += f", {summary.rows_rejected:,} rejected"
    if summary.rolled_back_by is not None:
        line += f"; rolled back (change {summary.rolled_back_by})"
    return line


def _record(summary: ImportSummary) -> dict[str, Any]:
    return {
        "import_id": summary.import_id,
        "file": summary.file_name,
        "kind": summary.kind,
        "sheet": summary.sheet,
        "rows": summary.rows_read,
        "accepted": summary.rows_accepted,
        "already_loaded": summary.rows_already_loaded,
        "rejected": summary.rows_rejected,
        "user": summary.os_user,
        "finished_at": summary.finished_at.isoformat(timespec="seconds"),
        "rolled_back_by": summary.rolled_back_by,
    }


def _list(args: argparse.Namespace) -> int:
    with open_settings_store(args.settings, read_only=True) as store:
        summaries = list_imports(store)
    if args.format == "json":
        write_json({"imports": [_record(summary) for summary in summaries]}, sys.stdout)
    elif not summaries:
        print("No imports yet.")
    else:
        for summary in summaries:
            print(summary_line(summary))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    with open_settings_store(args.settings, read_only=True) as store:
        view = show_import(store, args.import_id)
    if args.format == "json":
        record = _record(view.summary)
        record["issues_by_rule"] = view.issue_groups.to_dicts()
        record["open_rejected_rows"] = view.open_rows
        write_json(record, sys.stdout)
        return EXIT_OK
    print(summary_line(view.summary))
    for code, severity, issues, rows in view.issue_groups.iter_rows():
        print(f"  {code} ({severity}): {plural(issues, 'issue')} in {plural(rows, 'row')}")
    if view.open_rows:
        shown = ", ".join(str(row) for row in view.open_rows[:30])
        more = f" and {len(view.open_rows) - 30:,} more" if len(view.open_rows) > 30 else ""
        print(f"Rejected rows still to fix: {shown}{more}.")
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    with open_settings_store(args.settings, missing="refuse") as store:
        shown = rollback_import(store, args.import_id, confirmed=False, dry_run=True)
        if args.format == "text":
            print(summary_line(shown.summary))
            for dependent in shown.dependents:
                print(f"  rests on it: {dependent.what}")
        if args.dry_run:
            outcome = shown
        else:
            question = f"Roll back import {args.import_id}, removing every row it loaded?"
            yes = confirmed(args, question) if args.format == "text" else args.yes
            progress = Progress(terminal_progress() if args.format == "text" else None)
            outcome = rollback_import(store, args.import_id, confirmed=yes, progress=progress)
    if args.format == "json":
        write_json(
            {
                "import": _record(outcome.summary),
                "dependents": [d.what for d in outcome.dependents],
                "change": change_record(outcome.change) if outcome.change else None,
            },
            sys.stdout,
        )
    elif outcome.change is None:
        verdict = (
            "cannot be rolled back until those are undone"
            if outcome.dependents
            else ("can be rolled back")
        )
        print(f"Dry run: import {args.import_id} {verdict}; nothing was changed.")
    else:
        print(f"Change {outcome.change.change_id}: {describe(outcome.change)}.")
    return EXIT_OK


def _values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {pair!r}: write it as FIELD=VALUE (e.g. ULN=1000000043)")
        values[key.strip()] = value
    return values


def _fix(args: argparse.Namespace) -> int:
    if args.row is None:
        raise UserError("say which rejected row to fix: --row R")
    values = _values(args.values)
    shown = False
    with open_settings_store(args.settings, missing="refuse") as store:
        outcome = fix_row(
            store, args.import_id, args.row, values, confirmed=args.yes, dry_run=args.dry_run
        )
        if outcome.outcome == "needs confirmation" and args.format == "text":
            _show_fix(outcome)
            shown = True
            if not confirmed(args, "Load the row despite the warnings?"):
                raise UserError(f"row {args.row} not loaded: it has warnings; confirm with --yes")
            outcome = fix_row(store, args.import_id, args.row, values, confirmed=True)
        elif outcome.outcome == "needs confirmation":
            raise UserError(f"row {args.row} not loaded: it has warnings; confirm with --yes")
    if args.format == "json":
        write_json(
            {
                "import_id": outcome.import_id,
                "row": outcome.row,
                "outcome": outcome.outcome,
                "cells": outcome.cells,
                "issues": outcome.issues.to_dicts(),
                "change": change_record(outcome.change) if outcome.change else None,
            },
            sys.stdout,
        )
    else:
        _show_fix(outcome, issues=not shown)
    return EXIT_DATA_ERRORS if outcome.outcome == "refused" else EXIT_OK


def _show_fix(outcome: FixOutcome, *, issues: bool = True) -> None:
    if issues and outcome.issues.height:
        write_issues_text(outcome.issues, sys.stdout)
    if outcome.outcome == "refused":
        print(f"\nRow {outcome.row} still has errors: nothing was loaded.")
    elif outcome.outcome == "dry run":
        print(f"Dry run: row {outcome.row} is clean and would be loaded; nothing was changed.")
    elif outcome.change is not None:
        print(f"Change {outcome.change.change_id}: {describe(outcome.change)}.")
