"""Opening the full-screen app from the command line (the app itself is imported lazily)."""

from __future__ import annotations

from centredesk.cli.settings import Settings
from centredesk.store import open_store


def check_database(settings: Settings) -> None:
    """Try the database once, so a --db the app could never open (a folder that does not
    exist, another application's file) is one line on the terminal, not a full screen."""
    open_store(
        settings.location,
        read_only=True,
        missing="empty",
        create_folder=settings.database_is_default,
        wait=settings.wait,
    ).close()


def run_app(settings: Settings) -> int:
    """Run the app on the settings' database until the user quits."""
    check_database(settings)
    from centredesk.cli.settings import remembered_file
    from centredesk.jobs.remembered import Remembered
    from centredesk.tui.app import run

    return run(
        settings.location,
        wait=settings.wait,
        create_folder=settings.database_is_default,
        remembered=Remembered(remembered_file()),
    )
