"""The app on a PostgreSQL store: it keeps its connection and shows what others commit."""

from __future__ import annotations

import pg_server
import pytest
from browse_fixtures import build_store, import_learners
from tui_fixtures import settle

from centredesk.store import open_store
from centredesk.tui.app import CentredeskApp
from centredesk.tui.widgets.paged_table import PagedTable

pytestmark = pytest.mark.postgresql


async def test_the_app_keeps_its_connection_and_shows_an_import_once_committed(
    postgres_server: pg_server.Server,
) -> None:
    url = build_store(pg_server.new_database(postgres_server, "app"), 40)
    app = CentredeskApp(url, idle_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dashboards = app.database.calls["dashboard"]
        assert app.database.opens == 1
        with open_store(url) as other:  # someone else, in another connection
            other_writer = other.acting_user
            with other.transaction():
                import_learners(other, [("Zoë", "O'Brien", "2010-04-03", "1000000043")])
                # Not committed yet: nothing to notice, and the app is not held up.
                for _ in range(3):
                    await pilot.pause(0.5)
                assert app.database.calls["dashboard"] == dashboards
        for _ in range(100):
            await pilot.pause(0.1)
            if app.database.calls["dashboard"] > dashboards:
                break
        await settle(pilot)
        # Reloaded once it committed, on the same connection: never let go, even when idle.
        assert app.database.calls["dashboard"] > dashboards
        assert app.database.opens == 1 and app.database.is_open
    assert other_writer == "postgres"


async def test_rows_are_selected_and_searched_on_a_server_as_on_a_file(
    postgres_server: pg_server.Server,
) -> None:
    url = build_store(pg_server.new_database(postgres_server, "select"), 40)
    app = CentredeskApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#registrations-table", PagedTable)
        first = table.key_at(0)
        assert first is not None and table.key_at(len(table.keys)) is None
        await pilot.press("space")
        await settle(pilot)
        assert table.marked is not None and table.marked(first)
        # A search on the server: counted with its first block of keys in one query.
        await pilot.press("slash", *"o'brien", "enter")
        await settle(pilot)
        assert len(table.keys) >= 1
        names = {table.key_at(index) for index in range(len(table.keys))}
        assert None not in names
