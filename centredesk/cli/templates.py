"""``centredesk template KIND --out OUT.xlsx``: an empty upload template with instructions."""

from __future__ import annotations

import argparse

from centredesk.jobs.templates import template
from centredesk.store import open_if_present
from centredesk.validation.fields import KINDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which upload the template is for")
    parser.add_argument("--out", required=True, metavar="OUT.xlsx", help="the file to write")
    parser.add_argument(
        "--force", action="store_true", help="replace OUT.xlsx if it already exists"
    )
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    # The catalogue only feeds the product dropdown: no database yet is no reason to fail.
    with open_if_present(args.settings.location, wait=args.settings.wait) as store:
        outcome = template(args.kind, args.out, store=store, force=args.force)
    print(outcome.summary())
    return 0
