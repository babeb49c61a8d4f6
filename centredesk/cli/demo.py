"""``centredesk demo``: build a demo database from the sample data, then open it."""

from __future__ import annotations

import argparse
from pathlib import Path

from centredesk.cli import EXIT_OK
from centredesk.cli.common import terminal_progress
from centredesk.cli.settings import demo_database
from centredesk.errors import UserError
from centredesk.jobs.demo import build_demo
from centredesk.jobs.importing import ImportOutcome
from centredesk.jobs.progress import Progress
from centredesk.store import open_store, parse_location


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from centredesk.cli import add_db_argument

    add_db_argument(
        parser,
        db_help="the demo database file (default: demo.duckdb in the user data directory, "
        "kept apart from the real one; $CENTREDESK_DB is not used)",
    )
    parser.add_argument(
        "--no-tui",
        action="store_true",
        help="build the database and print what was loaded instead of opening the app",
    )


def run(args: argparse.Namespace) -> int:
    # Only a --db given here moves the demo: the settings' database is the real one.
    path = parse_location(args.db) if args.db else demo_database()
    if not isinstance(path, Path):
        raise UserError(f"the demo is built in a file: {path} is not a file path")
    if not args.db:
        path.parent.mkdir(parents=True, exist_ok=True)  # our own data folder

    def loaded(name: str, outcome: ImportOutcome) -> None:
        print(
            f"{name:<15} {outcome.checked.rows:>6,} rows: {outcome.accepted:>6,} loaded, "
            f"{outcome.rejected:>4,} rejected ({outcome.checked.errors} errors, "
            f"{outcome.checked.warnings} warnings)"
        )

    print(f"Building the demo database {path}")
    build_demo(path, progress=Progress(terminal_progress()), on_import=loaded)
    if args.no_tui:
        with open_store(path, read_only=True) as store:
            counts = store.tables.counts()
        print("\nThe store now holds:")
        for table, count in counts.items():
            print(f"  {table:<15} {count:>8,}")
        return EXIT_OK
    from centredesk.cli.app import run_app

    return run_app(args.settings.model_copy(update={"database": str(path)}))
