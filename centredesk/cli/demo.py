"""``centredesk demo``: build a demo database from the sample data, then open it."""

from __future__ import annotations

import argparse

from centredesk.cli import EXIT_OK
from centredesk.cli.common import terminal_progress
from centredesk.jobs.demo import build_demo, default_demo_path
from centredesk.jobs.importing import ImportOutcome
from centredesk.jobs.progress import Progress
from centredesk.store import Store, resolve_path
from centredesk.store.queries import table_counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from centredesk.cli import add_db_argument

    add_db_argument(parser)
    parser.add_argument(
        "--no-tui",
        action="store_true",
        help="build the database and print what was loaded instead of opening the app",
    )


def run(args: argparse.Namespace) -> int:
    db = getattr(args, "db", None)
    path = resolve_path(db) if db else default_demo_path()

    def loaded(name: str, outcome: ImportOutcome) -> None:
        print(
            f"{name:<15} {outcome.checked.rows:>6,} rows: {outcome.accepted:>6,} loaded, "
            f"{outcome.rejected:>4,} rejected ({outcome.checked.errors} errors, "
            f"{outcome.checked.warnings} warnings)"
        )

    print(f"Building the demo database {path}")
    build_demo(path, progress=Progress(terminal_progress()), on_import=loaded)
    if args.no_tui:
        with Store.open(path, read_only=True) as store:
            counts = table_counts(store)
        print("\nThe store now holds:")
        for table, count in counts.items():
            print(f"  {table:<15} {count:>8,}")
        return EXIT_OK
    from centredesk.cli.app import run_app

    return run_app(str(path))
