"""The ``centredesk`` command: the app, and every job as a plain command.

Each subcommand lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``. Errors a user can cause (:class:`~centredesk.errors.UserError`) are
printed on one line to stderr with exit status 2; tracebacks are for our bugs only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Protocol

from centredesk.cli.settings import DEFAULT_WAIT, resolve
from centredesk.errors import UserError

EXIT_OK, EXIT_DATA_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "build a demo database from the sample data, then open it"),
    "import": ("importing", "validate a spreadsheet and load its good rows into the store"),
    "validate": ("validating", "check a spreadsheet against every rule; write nothing"),
    "export": ("exporting", "write an export workbook (export --help lists them all)"),
    "template": ("templates", "write an empty upload template with instructions"),
    "rules": ("rules", "list every validation rule: code, severity, meaning, fix"),
    "edit": ("editing", "change a learner's details, judged as an import would judge them"),
    "uln": ("ulns", "set or change a learner's ULN (ULN admins)"),
    "withdraw": ("statuses", "withdraw registrations: free, undone by unwithdraw"),
    "unwithdraw": ("statuses", "make withdrawn registrations active again"),
    "cancel": ("statuses", "cancel registrations for good, showing the charges first"),
    "bookings": ("bookings", "cancel an assessment booking"),
    "undo": ("undo", "undo a change from the history"),
    "history": ("history", "list changes in plain words: who changed what, when"),
    "imports": ("imports", "list, show, roll back imports; load a fixed rejected row"),
    "users": ("users", "list users and their roles; grant or revoke a role (admins)"),
}


_EPILOG = """\
examples:
  centredesk demo                                  try it on the sample data
  centredesk import learners.xlsx --report fixes.xlsx
  centredesk validate learners.csv --format json
  centredesk export results --centre 104729 --out results.xlsx
  centredesk template learners --out upload.xlsx
  centredesk edit learner 20000001 --surname "O'Brien"
  centredesk cancel --registration 12 13 --dry-run   what it would cost
  centredesk history --learner 20000001

exit status: 0 no errors (warnings allowed), 1 the data has errors,
2 the command could not run (the reason is one line on stderr).
Each command has its own --help."""


class _Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    run: Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_CANNOT_RUN, f"centredesk: {message} (see --help)\n")


def add_db_argument(
    parser: argparse.ArgumentParser,
    *,
    top_level: bool = False,
    db_help: str = "the database file (default: $CENTREDESK_DB, else the settings file's, "
    "else centredesk.duckdb in the user data directory)",
) -> None:
    """``--db PATH`` and ``--wait SECONDS``, accepted both before and after the subcommand."""
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument("--db", default=default, metavar="PATH", help=db_help)
    parser.add_argument(
        "--wait",
        default=default,
        type=float,
        metavar="SECONDS",
        help="how long to wait for a database another process holds (default: "
        f"$CENTREDESK_WAIT, else the settings file's, else {DEFAULT_WAIT:g})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="centredesk",
        description="Clean, validate, browse and export learner-registration data. "
        "With no command, opens the full-screen app.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_argument(parser, top_level=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, summary) in COMMANDS.items():
        module: _Command = import_module(f"centredesk.cli.{module_name}")
        sub = subparsers.add_parser(name, help=summary, description=summary)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``centredesk`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = resolve(database=args.db, wait=args.wait)
        if args.command is None:
            from centredesk.cli.app import run_app

            return run_app(args.settings)
        status: int = args.handler(args)
        return status
    except UserError as error:
        print(f"centredesk: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        print("centredesk: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    sys.exit(main())
