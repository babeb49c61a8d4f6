"""``centredesk db copy SOURCE TARGET``: move a whole store between a file and a server."""

from __future__ import annotations

import argparse

from centredesk.cli import EXIT_OK
from centredesk.cli.common import waiting_notice
from centredesk.jobs.copying import copy_store
from centredesk.store import parse_location


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    copy = actions.add_parser(
        "copy",
        help="copy every table of one store into an empty other, checked by counts and checksums",
        description="Copy every table of SOURCE into TARGET, which must be empty (a new\n"
        "file, or a database with no centredesk data). The copy is checked table by table\n"
        "(row counts and checksums) before it is committed; if anything differs, nothing\n"
        "is written. Passwords come from PGPASSWORD, ~/.pgpass or a service file, never\n"
        "the URL.",
        epilog="examples:\n"
        "  centredesk db copy ~/centredesk.duckdb postgresql://alice@dbhost/centredesk\n"
        "  centredesk db copy postgresql://alice@dbhost/centredesk backup.duckdb",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("source", metavar="SOURCE", help="a DuckDB file or a postgresql:// URL")
    copy.add_argument("target", metavar="TARGET", help="a new DuckDB file or an empty database")
    copy.add_argument(
        "--wait",
        default=argparse.SUPPRESS,
        type=float,
        metavar="SECONDS",
        help="how long to wait for a DuckDB file another process holds",
    )


def run(args: argparse.Namespace) -> int:
    source, target = parse_location(args.source), parse_location(args.target)
    print(f"Copying {source} to {target}")

    def copied(table: str, rows: int) -> None:
        print(f"  {table:<15} {rows:>10,} rows")

    outcome = copy_store(
        source,
        target,
        wait=args.settings.wait,
        on_wait=waiting_notice(),
        on_table=copied,
    )
    total = sum(outcome.counts.values())
    print(f"Checked: {total:,} rows, every table's count and checksum equal to the source's.")
    return EXIT_OK
