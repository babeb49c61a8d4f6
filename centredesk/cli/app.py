"""Opening the full-screen app from the command line."""

from __future__ import annotations

from centredesk.store import resolve_path


def run_app(db: str | None) -> int:
    """Run the app on the database at ``db`` (or the default) until the user quits."""
    from centredesk.tui.app import run

    return run(resolve_path(db))
