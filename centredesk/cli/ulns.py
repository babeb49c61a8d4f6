"""``centredesk uln set N ULN``: set or change a learner's ULN (ULN admins only)."""

from __future__ import annotations

import argparse

from centredesk.cli.editing import add_common, judged_change
from centredesk.jobs.editing import set_uln


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("set",), help="set or change the ULN")
    parser.add_argument("learner", type=int, metavar="N", help="the AO learner number")
    parser.add_argument("uln", metavar="ULN", help="10 digits with a valid check digit")
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    return judged_change(
        args,
        lambda store, yes: set_uln(
            store,
            args.learner,
            args.uln,
            confirmed=yes,
            dry_run=args.dry_run,
            expected_version=args.expect_version,
        ),
    )
