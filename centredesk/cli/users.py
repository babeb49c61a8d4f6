"""``centredesk users [list] | grant USER ROLE | revoke USER``: who may do what."""

from __future__ import annotations

import argparse
import sys

from centredesk.cli import EXIT_OK
from centredesk.cli.common import add_format_argument, open_settings_store
from centredesk.cli.output import write_json
from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.jobs import roles
from centredesk.jobs.history import describe
from centredesk.store.records import ROLES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what", nargs="?", default="list", choices=("list", "grant", "revoke"),
        help="list the users and their roles (default), grant a role, or revoke one",
    )  # fmt: skip
    parser.add_argument("user", nargs="?", metavar="USER", help="an OS login name")
    parser.add_argument("role", nargs="?", choices=ROLES, help="the role to grant")
    parser.epilog = (
        "roles: viewer reads and exports; editor also imports, edits, withdraws, cancels "
        "chosen registrations and fixes rejected rows; uln-admin also sets ULNs; admin does "
        "everything, including batch cancellation, rollback and roles. Whoever made the "
        "database is its admin; anyone not listed is a viewer."
    )
    add_format_argument(parser)
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    if args.what == "list":
        if args.user or args.role:
            raise UserError("`centredesk users list` takes no user or role")
        with open_settings_store(args.settings, read_only=True) as store:
            users = roles.list_users(store)
            me = store.acting_user
            mine = roles.role_of(store)
        if args.format == "json":
            write_json(
                {
                    "you": {"user": me, "role": mine},
                    "users": [
                        {"user": u.user, "role": u.role, "granted_by": u.granted_by,
                         "granted_at": u.granted_at.isoformat(timespec="seconds")}
                        for u in users
                    ],
                },
                sys.stdout,
            )  # fmt: skip
            return EXIT_OK
        print(f"You are {me}: {roles.ROLE_NAMES[mine]}.")
        for user in users:
            print(
                f"  {user.user:<16} {roles.ROLE_NAMES[user.role]:<10} granted by "
                f"{user.granted_by}, {user.granted_at:{UK_DATE_TIME}}"
            )
        print("Anyone else is a viewer (reads and exports).")
        return EXIT_OK
    if not args.user:
        raise UserError(f"`centredesk users {args.what}` needs a USER")
    if args.what == "grant" and not args.role:
        raise UserError(f"say which role to grant: one of {', '.join(ROLES)}")
    if args.what == "revoke" and args.role:
        raise UserError("`centredesk users revoke` takes a USER only")
    with open_settings_store(args.settings, missing="refuse") as store:
        if args.what == "grant":
            change = roles.grant(store, args.user, args.role)
        else:
            change = roles.revoke(store, args.user)
    print(f"Change {change.change_id}: {describe(change)}.")
    return EXIT_OK
