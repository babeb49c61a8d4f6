"""``centredesk serve``: the same app in a web browser, for machines with a poor terminal.

Each browser tab that opens the page gets its own copy of the app, run as
``centredesk --db …`` by textual-serve, so it reads and writes the store exactly as the app
in a terminal does. It listens on this machine only unless told otherwise. It has no login
of its own: whoever reaches the address uses the app as the user who started it, so reach
it from elsewhere through an SSH tunnel, never by opening the port.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from centredesk.cli import EXIT_OK
from centredesk.cli.settings import Settings

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="localhost",
        help="the address to listen on (default: localhost, this machine only); anything "
        "else lets other machines in, and the app has no login of its own",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the port (default: {DEFAULT_PORT})"
    )
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def app_command(settings: Settings) -> str:
    """The command each browser tab's app runs with: this Python, the same database."""
    command = [sys.executable, "-m", "centredesk", "--wait", f"{settings.wait:g}"]
    if not settings.database_is_default:
        command += ["--db", settings.database]
    return shlex.join(command)


def run(args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    from centredesk.cli.app import check_database

    settings: Settings = args.settings
    check_database(settings)  # a database the app could never open: one line, here
    url = f"http://{args.host}:{args.port}"
    print(f"centredesk: serving the app at {url} (ctrl+c stops it)", file=sys.stderr)
    if args.host not in LOCAL_HOSTS:
        print(
            f"centredesk: warning: listening on {args.host}, not only this machine; the app "
            "has no login of its own: anyone who reaches this address can read and change "
            "the data as you",
            file=sys.stderr,
        )
    server = Server(app_command(settings), host=args.host, port=args.port, title="centredesk")
    server.serve()
    return EXIT_OK
