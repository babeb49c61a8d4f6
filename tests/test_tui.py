"""The app driven headless at 80x24 on real database files."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label, Static, TabbedContent
from tui_change_fixtures import text_of
from tui_fixtures import settle, small_store

from centredesk.store import os_user
from centredesk.tui.app import CentredeskApp
from centredesk.tui.screens.help import HelpScreen
from centredesk.tui.screens.imports import ImportScreen, RejectedRowScreen
from centredesk.tui.screens.learner import LearnerScreen
from centredesk.tui.widgets.browser import Browser
from centredesk.tui.widgets.paged_table import PagedTable

SIZE = (80, 24)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the tests that only read (the app never writes)."""
    return small_store(tmp_path_factory.mktemp("tui"))


def status(app: CentredeskApp, view: str) -> str:
    return str(app.query_one(f"#{view}-status", Static).render())


def visible_cells(table: PagedTable, column: str) -> list[str]:
    position = [c.name for c in table.columns].index(column)
    rows = (table.row_cells(i) for i in range(min(table.row_count, 10)))
    return [row[position] for row in rows if row is not None]


async def test_dashboard_shows_counts_statuses_imports_and_open_issues(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The header says who the user is and their role, and which database.
        assert app.title == f"centredesk · {os_user()} (admin)"
        assert app.sub_title == "t.duckdb"
        counts = str(app.query_one("#dashboard-counts", Static).render())
        assert "Learners" in counts and "302" in counts
        assert "Active" in str(app.query_one("#dashboard-statuses", Static).render())
        imports = str(app.query_one("#dashboard-imports", Static).render())
        assert "12/09/2025 08:30 spring.xlsx" in imports
        assert "3 loaded, 2 rejected" in imports
        assert "ULN_CHECKSUM" in str(app.query_one("#dashboard-issues", Static).render())


async def test_single_keys_reach_every_view_and_each_loads_once(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = app.query_one("#tabs", TabbedContent)
        expected = {
            "2": ("learners", "302 learners"),
            "3": ("registrations", "302 registrations"),
            "4": ("bookings", "31 bookings"),
            "5": ("results", "32 results"),
            "6": ("products", "3 products"),
            "7": ("imports", "3 imports"),
        }
        for key, (view, text) in expected.items():
            await pilot.press(key)
            await settle(pilot)
            assert tabs.active == view
            assert status(app, view).startswith(text)
            assert app.focused is app.query_one(f"#{view}-table")
        await pilot.press("1")
        assert tabs.active == "dashboard"
        assert app.database.calls["row_keys"] == 6


async def test_search_narrows_by_several_fields_and_shows_both_counts(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"o'b first:zo", "enter")
        await settle(pilot)
        table = app.query_one("#learners-table", PagedTable)
        assert table.row_count == 1
        assert visible_cells(table, "forename") == ["Zoë"]
        assert status(app, "learners").startswith("302 learners · 1 match")
        assert app.focused is table


async def test_an_unknown_field_is_said_in_a_line_that_fits_and_the_rows_stay(
    store_path: Path,
) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash", *"colour:red")
        await settle(pilot)
        line = status(app, "learners")
        assert line.startswith("no field colour: here") and "F1" in line
        assert len(line) <= SIZE[0] - 2
        table = app.query_one("#learners-table", PagedTable)
        assert table.row_count == 302  # the rest of the search (nothing) still applies
        await pilot.press(*" first:zo")
        await settle(pilot)
        assert visible_cells(table, "forename") == ["Zoë"]


async def test_sort_by_the_chosen_column_in_the_database_and_reverse(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one("#learners-table", PagedTable)
        await pilot.press("right", "s")
        await settle(pilot)
        ascending = visible_cells(table, "surname")
        assert ascending == sorted(ascending) and ascending[0] == "Brown"
        assert "sorted by Surname ↑" in status(app, "learners")
        await pilot.press("s")
        await settle(pilot)
        assert visible_cells(table, "surname")[0] == "Łukasz"
        assert "sorted by Surname ↓" in status(app, "learners")
        assert app.database.calls["row_keys"] == 3


async def test_paging_a_100000_row_table_fetches_pages_ahead_in_workers(tmp_path: Path) -> None:
    app = CentredeskApp(small_store(tmp_path, learners=100_000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one("#learners-table", PagedTable)
        assert table.row_count == 100_002
        assert table.page_fetches == 1  # rows 0-99: this screenful and the next ones
        while table.page_fetches == 1:
            await pilot.press("pagedown")
            await settle(pilot)
        # Rows 100-199 came before they were needed: row 100 is not on screen yet.
        assert table.page_fetches == 2
        assert 40 < table.cursor_row < 100
        assert table.scroll_y + table.size.height - 1 <= 100
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == 100_001
        # The last screenful, rows 99,985-100,001, spans the last two pages.
        assert table.page_fetches == 4
        assert app.database.calls["rows"] == 4
        assert visible_cells(table, "learner_number")[0] == "20000001"
        # Every query ran in a worker: none while drawing or handling a key.
        assert "MainThread" not in app.database.threads


async def test_a_slow_store_never_holds_up_a_key_press(tmp_path: Path) -> None:
    app = CentredeskApp(small_store(tmp_path, learners=1_000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one("#learners-table", PagedTable)
        gate = threading.Event()
        query = app.database.query

        def stuck(call: Any, *, name: str) -> Any:
            if name == "rows":
                gate.wait(60)  # a disk that does not answer
            return query(call, name=name)

        app.database.query = stuck  # type: ignore[method-assign]
        try:
            started = time.monotonic()
            await pilot.press("end", "up", "up")
            await pilot.pause()
            assert time.monotonic() - started < 5
            assert table.cursor_row == 999
            assert table.row_cells(999) is None  # drawn as a placeholder meanwhile
            assert table.pending_pages >= 1
        finally:
            gate.set()
        await settle(pilot)
        assert table.row_cells(999) is not None
        assert table.pending_pages == 0


async def test_enter_opens_the_learner_with_registrations(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("slash", *"o'brien first:zo", "enter")
        await settle(pilot)
        registration_id = visible_cells(
            app.query_one("#registrations-table", PagedTable), "registration_id"
        )[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        details = str(app.screen.query_one("#learner-details", Static).render())
        assert "Zoë O'Brien" in details and "1000000043" in details
        assert "Born 03/04/2010" in details
        screen = app.screen
        registrations = screen.query_one("#learner-registrations", DataTable)
        assert registrations.get_row_at(0) == [
            "603/0862/X",
            "Level 2 Certificate in Di…",
            "2001",
            "01/09/2025",
            "active",
        ]
        bookings = screen.query_one("#learner-bookings", DataTable)
        assert bookings.get_row_at(0) == [
            "603/0862/X",
            "Online test pa…",
            "20/11/2025",
            "on-screen",
            "Result Issued",
            "2",
        ]
        results = screen.query_one("#learner-results", DataTable)
        assert [results.get_row_at(i)[1:] for i in range(2)] == [
            ["Unit 1 Di…", "Merit", "01/12/2025", ""],
            ["Unit 2", "Distinction", "02/12/2025", "withheld until 20/08/2099"],
        ]
        for table in (registrations, bookings, results):
            # Every column, status included, is on screen without scrolling sideways.
            assert table.virtual_size.width <= table.size.width
        # The history in plain words: when, who, what changed from what to what.
        history = text_of(app, "#learner-history")
        assert "12/09/2025 08:30" in history and "tester" in history
        assert "surname O'Brian → O'Brien" in history
        assert "01/10/2025 14:05" in history and "jpatel" in history
        assert f"withdrew registration {registration_id}" in history
        await pilot.press("escape")
        assert not isinstance(app.screen, LearnerScreen)


async def test_a_learner_without_bookings_says_so(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("end", "enter")
        await settle(pilot)
        title = app.screen.query_one("#learner-bookings-title", Static)
        assert str(title.render()) == "Bookings: none"
        assert not app.screen.query_one("#learner-bookings", DataTable).display
        assert str(app.screen.query_one("#learner-registrations-title", Static).render()) == (
            "Registrations (1)"
        )


async def test_import_issues_by_rule_and_the_rejected_row(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        imports = app.query_one("#imports-table", PagedTable)
        assert visible_cells(imports, "file_name")[0] == "spring.xlsx"  # latest first
        await pilot.press("end", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        rules = screen.query_one("#import-rules", DataTable)
        assert [rules.get_row_at(i)[0] for i in range(rules.row_count)] == [
            "ULN_CHECKSUM",
            "DOB_FUTURE",
            "NAME_CASE",
        ]
        assert "ULN_CHECKSUM" in str(screen.query_one("#import-rule-text", Static).render())
        issues = screen.query_one("#issues-table", PagedTable)
        assert visible_cells(issues, "row") == ["4", "6"]
        await pilot.press("down")
        await settle(pilot)
        assert visible_cells(issues, "row") == ["6"]  # DOB_FUTURE
        await pilot.press("up", "enter")
        await settle(pilot)
        assert app.focused is issues
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RejectedRowScreen)
        marked = [
            str(label.render())
            for label in app.screen.query(".cell-value.-offending").results(Label)
        ]
        assert marked == ["SMITH", "1000000042"]


async def test_help_on_f1_and_question_mark(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("f1", "question_mark"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen)
            text = str(app.screen.query_one("#help-text", Static).render())
            assert "surname:smi born:03/04" in text and "smith freya" in text
            assert "ctrl+r" in text and "Esc                      in the table" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_lists_every_view_and_action(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in ("Show Dashboard", "Show Learners", "Show Imports", "Search", "Refresh"):
            assert title in titles
        assert "Keys and search help" in titles


async def test_the_file_is_let_go_when_idle_and_reopened_on_demand(tmp_path: Path) -> None:
    app = CentredeskApp(small_store(tmp_path), idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.database.close_if_idle()  # the app's own timer may have done it already
        assert not app.database.is_open
        opens = app.database.opens
        await pilot.press("end")
        await settle(pilot)
        # Reopened for the key (with no idle time the app's timer may let go between the
        # page and the check for changes, so more than once is allowed).
        assert app.database.opens > opens
        assert app.query_one("#learners-table", PagedTable).row_cells(301) is not None


async def test_ctrl_q_quits(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert not app.database.is_open


async def test_every_table_has_the_ids_the_benchmarks_drive_it_by(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        views = [browser.view.name for browser in app.query(Browser)]
        assert views == ["learners", "registrations", "bookings", "results", "products", "imports"]
        for view in views:
            assert app.query_one(f"#{view}-browser", Browser).table is app.query_one(
                f"#{view}-table", PagedTable
            )
            app.query_one(f"#{view}-status", Static)
            if view != "imports":
                app.query_one(f"#{view}-search", Input)


async def test_a_learners_detail_shows_the_other_columns_of_the_upload(tmp_path: Path) -> None:
    import xlsxwriter

    from centredesk.jobs.importing import import_file
    from centredesk.store import open_store

    upload = tmp_path / "upload.xlsx"
    book = xlsxwriter.Workbook(upload)
    sheet = book.add_worksheet()
    headers = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "Tutor",
               "Pastoral note"]  # fmt: skip
    sheet.write_row(0, 0, headers)
    sheet.write_row(1, 0, ["123456", "603/0862/X", "Ann", "Lee", "03/04/2010", "Ms Khan", ""])
    book.close()
    with open_store(tmp_path / "s.duckdb") as store:
        import_file(upload, store)
    app = CentredeskApp(tmp_path / "s.duckdb")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        other = app.screen.query_one("#learner-other", DataTable)
        assert other.display and other.get_row_at(0) == ["603/0862/X", "Tutor", "Ms Khan"]
        assert other.row_count == 1  # the empty cell says nothing
        title = app.screen.query_one("#learner-other-title", Static)
        assert str(title.render()) == "Other columns of the upload (1)"


async def test_a_check_for_changes_while_the_tabs_are_gone_does_nothing(tmp_path: Path) -> None:
    # As the app closes its tabs are removed before its timers stop: a check or a refresh
    # then has nothing to read again, and must not fail.
    app = CentredeskApp(small_store(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.query_one("#tabs").remove()
        app.check_for_changes()
        app.action_refresh()
        await settle(pilot)
        assert not app.query("#tabs")
        await pilot.press("f1")  # still answering keys
        assert isinstance(app.screen, HelpScreen)
