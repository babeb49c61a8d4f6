"""``centredesk edit learner N --surname X …`` and ``centredesk uln set N ULN``.

The new details are judged as an import judges a row; errors refuse the change (exit 1,
the issues listed), warnings the learner did not have before need ``--yes`` (or a ``y`` at
the terminal).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from centredesk.cli import EXIT_DATA_ERRORS, EXIT_OK
from centredesk.cli.common import (
    add_confirm_arguments,
    add_format_argument,
    confirmed,
    open_settings_store,
)
from centredesk.cli.output import write_json
from centredesk.errors import UserError
from centredesk.jobs.editing import EditOutcome, edit_learner, field_header
from centredesk.jobs.history import change_record, describe, text
from centredesk.store import Store

EDIT_OPTIONS = {
    "forename": ("--forename", "NAME"),
    "surname": ("--surname", "NAME"),
    "date_of_birth": ("--dob", "DD/MM/YYYY"),
    "learner_reference": ("--reference", "REF"),
    "reasonable_adjustments": ("--adjustments", "TEXT"),
}


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expect-version",
        type=int,
        metavar="V",
        help="refuse the change if the learner is no longer at version V (someone else "
        "changed them since you read them)",
    )
    add_confirm_arguments(parser, dry_run="judge the change and show it; change nothing")
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("learner",), help="what to edit")
    parser.add_argument("learner", type=int, metavar="N", help="the AO learner number")
    for name, (option, metavar) in EDIT_OPTIONS.items():
        parser.add_argument(
            option, dest=name, metavar=metavar, help=f"the new {field_header(name).lower()}"
        )
    parser.epilog = "An empty value (--reference '') clears an optional detail."
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    new = {name: getattr(args, name) for name in EDIT_OPTIONS if getattr(args, name) is not None}
    if not new:
        options = ", ".join(option for option, _ in EDIT_OPTIONS.values())
        raise UserError(f"say what to change: one or more of {options}")
    return judged_change(
        args,
        lambda store, yes: edit_learner(
            store,
            args.learner,
            new,
            confirmed=yes,
            dry_run=args.dry_run,
            expected_version=args.expect_version,
        ),
    )


def judged_change(args: argparse.Namespace, attempt: Callable[[Store, bool], EditOutcome]) -> int:
    """Run an edit; ask about new warnings; print what happened; the exit status."""
    shown = False
    with open_settings_store(args.settings, missing="refuse") as store:
        outcome = attempt(store, args.yes)
        if outcome.outcome == "needs confirmation" and args.format == "text":
            show(outcome)
            shown = True
            if not confirmed(args, "Make the change despite the warnings?"):
                raise UserError(
                    f"learner {outcome.learner_number} not changed: the new details have "
                    "warnings; look at them and confirm with --yes"
                )
            outcome = attempt(store, True)
        elif outcome.outcome == "needs confirmation":
            write_json(outcome_record(outcome), sys.stdout)
            raise UserError(
                f"learner {outcome.learner_number} not changed: the new details have "
                "warnings; confirm with --yes"
            )
    if args.format == "json":
        write_json(outcome_record(outcome), sys.stdout)
    else:
        show(outcome, issues=not shown)
    return EXIT_DATA_ERRORS if outcome.outcome == "refused" else EXIT_OK


def show(outcome: EditOutcome, *, issues: bool = True) -> None:
    """The change asked for, every issue of it, and what became of it."""
    out = sys.stdout
    if not issues:
        _show_result(outcome)
        return
    asked = "; ".join(
        f"{field_header(name)} {text(old)} → {text(new)}"
        for name, (old, new) in outcome.changes.items()
    ) or "; ".join(
        f"{field_header(name)} → {value or '(none)'}" for name, value in outcome.requested.items()
    )
    if asked:
        out.write(f"Learner {outcome.learner_number}: {asked}\n")
    for issue in outcome.issues:
        where = f" ({field_header(issue.field)})" if issue.field else ""
        again = "" if issue in outcome.to_confirm or issue.severity == "error" else " (as before)"
        out.write(f"  {issue.severity} {issue.code}{where}: {issue.message}{again}\n")
    _show_result(outcome)


def _show_result(outcome: EditOutcome) -> None:
    out = sys.stdout
    if outcome.outcome == "refused":
        out.write("Nothing changed: the new details have errors.\n")
    elif outcome.outcome == "unchanged":
        out.write(f"Nothing changed: learner {outcome.learner_number} already has these details.\n")
    elif outcome.outcome == "dry run":
        out.write("Dry run: nothing was changed.\n")
    elif outcome.change is not None:
        out.write(f"Change {outcome.change.change_id}: {describe(outcome.change)}.\n")


def outcome_record(outcome: EditOutcome) -> dict[str, Any]:
    return {
        "learner": outcome.learner_number,
        "outcome": outcome.outcome,
        "changes": {name: [old, new] for name, (old, new) in outcome.changes.items()},
        "issues": [
            {"field": i.field, "code": i.code, "severity": i.severity, "message": i.message,
             "needs_confirmation": i in outcome.to_confirm}
            for i in outcome.issues
        ],
        "change": change_record(outcome.change) if outcome.change is not None else None,
    }  # fmt: skip
