"""Argument and output helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from centredesk.cli.settings import Settings
from centredesk.errors import UserError
from centredesk.io.headers import field_named
from centredesk.jobs.progress import ProgressCallback
from centredesk.store import Missing, Store, StoreLockedError, open_store
from centredesk.validation.fields import KINDS, SCHEMAS, Kind


def add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, --kind and --sheet, as import and validate take them."""
    parser.add_argument("file", metavar="FILE", help="xlsx, xlsm, xls, ods, csv, tsv or txt")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        help="what the sheet holds (default: inferred from the headers, and reported)",
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME|INDEX",
        help="the worksheet by name or 1-based position (default: the visible sheet whose "
        "header fits best, with rows beneath it; two that fit equally must be named)",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read the column HEADER as FIELD (a field's name or header, e.g. "
        '"Learner ULN No=ULN"), or not at all ("Notes="); needs --kind; may be repeated',
    )


def column_choices(texts: list[str], kind: Kind | None) -> dict[str, str | None]:
    """The --column choices, each checked against the fields of ``kind``."""
    if not texts:
        return {}
    if kind is None:
        raise UserError("--column needs --kind: the fields a column can be read as depend on it")
    chosen: dict[str, str | None] = {}
    for text in texts:
        header, equals, named = text.rpartition("=")
        if not equals or not header.strip():
            raise UserError(f'--column "{text}": write it as HEADER=FIELD, e.g. "Learner ULN=ULN"')
        name = field_named(kind, named) if named.strip() else None
        if named.strip() and name is None:
            fields = ", ".join(spec.name for spec in SCHEMAS[kind])
            raise UserError(
                f'--column "{text}": a {kind} sheet has no field "{named}"; use {fields}'
            )
        chosen[header.strip()] = name
    return chosen


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for scripts: one object with the counts, "
        "the ignored columns, the notes and every issue (see docs/rules.md)",
    )


def terminal_progress(stream: TextIO | None = None) -> ProgressCallback | None:
    """A progress bar on stderr when it is a terminal; None on a pipe or file."""
    out = stream or sys.stderr
    if not out.isatty():
        return None
    width = 30

    def draw(stage: str, done: int, total: int) -> None:
        if total:
            filled = min(width, done * width // total)
            bar = "█" * filled + "░" * (width - filled)
            out.write(f"\r{stage:<12} {bar} {done:>9,}/{total:,}")
        else:
            out.write(f"\r{stage:<12} {done:>9,}")
        if total and done >= total:
            out.write("\n")
        out.flush()

    return draw


def existing_file(name: str) -> Path:
    """The input file, checked before anything is opened, so a typo changes nothing."""
    path = Path(name).expanduser()
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a spreadsheet file")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return path


def waiting_notice(stream: TextIO | None = None) -> Callable[[StoreLockedError], None]:
    """Say on a terminal why a command pauses: the database is held, and by whom.

    Nothing is written to a pipe or a file, so a script sees one line only if the wait
    ends in failure.
    """
    out = stream or sys.stderr

    def notice(held: StoreLockedError) -> None:
        if out.isatty():
            who = held.holder or "another process"
            out.write(f"waiting for {held.location}: in use by {who}\n")
            out.flush()

    return notice


def open_settings_store(
    settings: Settings, *, read_only: bool = False, missing: Missing | None = None
) -> Store:
    """The store the settings name, waiting for it as they say; for writing, a new file is
    made only when something is written (``missing="refuse"``: never, for commands that
    change what is there)."""
    return open_store(
        settings.location,
        read_only=read_only,
        missing=missing,
        create_folder=settings.database_is_default,
        wait=settings.wait,
        on_wait=waiting_notice(),
    )


def add_confirm_arguments(parser: argparse.ArgumentParser, *, dry_run: str) -> None:
    """``--yes`` and ``--dry-run``, as the commands that change records take them."""
    parser.add_argument(
        "--yes",
        action="store_true",
        help="confirm without being asked (warnings, and anything final or charged)",
    )
    parser.add_argument("--dry-run", action="store_true", help=dry_run)


def confirmed(args: argparse.Namespace, question: str, stream: TextIO | None = None) -> bool:
    """Whether the user confirmed: ``--yes``, or ``y`` typed at a terminal.

    Off a terminal (a script, cron) nothing is asked: without ``--yes`` the answer is no.
    """
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return False
    out = stream or sys.stdout
    out.write(f"{question} [y/N] ")
    out.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "yes")
