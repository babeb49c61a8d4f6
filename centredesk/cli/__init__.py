"""The ``centredesk`` command: the app, and every job as a plain command.

Each subcommand lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``. Errors a user can cause (:class:`~centredesk.errors.UserError`) are
printed on one line to stderr with exit status 2; so is anything else that escapes (our
bug: its traceback goes to the log file), and so is Ctrl-C: the command did not run to
the end, and nothing was written.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Protocol

from centredesk.cli.logfile import log_path, send_log_to_file
from centredesk.cli.settings import DEFAULT_WAIT, resolve
from centredesk.errors import UserError

EXIT_OK, EXIT_DATA_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2
EXIT_INTERRUPTED = EXIT_CANNOT_RUN  # the contract has three statuses; Ctrl-C stopped the run

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
    "serve": ("serving", "serve the app to a web browser on this machine (no login: see --help)"),
    "db": ("database", "copy a whole store between a DuckDB file and a PostgreSQL database"),
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
  centredesk serve --port 8000                     the app in a browser, this machine only
  centredesk db copy centredesk.duckdb postgresql://alice@dbhost/centredesk

exit status: 0 no errors (warnings allowed), 1 the data has errors,
2 the command could not run or was interrupted with Ctrl-C (the reason is one line
on stderr; nothing was written). The reader's warnings and the details of any internal
error go to the log file ($CENTREDESK_LOG, else centredesk.log in the user log folder).
Each command has its own --help."""


_READING_COMMANDS = {"import", "validate"}


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
    db_help: str = "the database: a file, or postgresql://user@host/dbname (default: "
    "$CENTREDESK_DB, else the settings file's, else centredesk.duckdb in the user data "
    "directory)",
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
    """Entry point of the ``centredesk`` console script.

    Every failure ends here as one line on stderr: exit 2 for anything that stopped the
    command (a problem the user can fix, or our own bug, whose details go to the log file),
    Ctrl-C too. Exit 1 is left to the commands, for "the data has errors".
    """
    words = sys.argv[1:] if argv is None else list(argv)
    if any(word in _READING_COMMANDS for word in words[:3]):
        # The reading server imports the reader (half a second) while this process loads
        # the rest of the program, so the first read does not wait for it.
        from centredesk.io.read_server import warm_up

        warm_up()
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
        return _fail(str(error))
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        return EXIT_OK
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # our bug, or a reader panic (not an Exception)
        from centredesk.store.errors import is_interrupted

        if is_interrupted(error):
            return _interrupted()
        logging.getLogger("centredesk").error("%s failed", args.command, exc_info=error)
        detail = str(error).strip().splitlines()[:1] or [""]
        return _fail(
            f"internal error ({type(error).__name__}: {detail[0][:200]}); nothing was "
            f"written; the details are in {log_path()}"
        )


def _fail(message: str) -> int:
    # One line, whatever the message holds (a file name with a line break in it, say).
    print(f"centredesk: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_CANNOT_RUN


def _interrupted() -> int:
    print("centredesk: interrupted; nothing was written", file=sys.stderr)
    return EXIT_INTERRUPTED


def entry() -> None:
    send_log_to_file()
    sys.exit(main())
