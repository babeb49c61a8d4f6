"""What a new user meets at 80x24: the search bar, whole values, honest keys, clear words."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input, Label, Static
from tui_fixtures import add_repeated_rows_import, settle, small_store

from centredesk.tui.app import CentredeskApp
from centredesk.tui.columns import COLUMNS
from centredesk.tui.screens.imports import ImportScreen, RejectedRowScreen
from centredesk.tui.screens.learner import LearnerScreen
from centredesk.tui.widgets.paged_table import PagedTable, TableColumn, layout
from centredesk.validation import catalogue

SIZE = (80, 24)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = small_store(tmp_path_factory.mktemp("polish"))
    add_repeated_rows_import(path)
    return path


def offered(app: CentredeskApp) -> dict[str, str]:
    """The keys that work where the user is (the footer shows some, the palette and the
    help the rest): key -> action."""
    return {
        key: active.binding.action
        for key, active in app.screen.active_bindings.items()
        if active.enabled
    }


def in_footer(app: CentredeskApp) -> set[str]:
    """The keys the footer shows where the user is."""
    return {key for key, active in app.screen.active_bindings.items()
            if active.binding.show and active.enabled}  # fmt: skip


def text(app: CentredeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def screen_lines(app: CentredeskApp) -> list[str]:
    """The screen as text, line by line (what a user reads, colours aside)."""
    return [
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    ]


def column(table: PagedTable, name: str) -> int:
    return [c.name for c in table.columns].index(name)


async def test_the_search_bar_shows_what_is_typed_while_typing(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash", *"smi")
        await settle(pilot)
        bar = app.query_one("#learners-search", Input)
        assert app.focused is bar and bar.value == "smi"
        assert bar.size.height == 1
        assert screen_lines(app)[bar.region.y].strip().startswith("smi")


async def test_esc_leaves_the_bar_keeping_the_search_then_clears_it(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one("#learners-table", PagedTable)
        assert "escape" not in offered(app)  # nothing to clear yet
        await pilot.press("slash")
        assert offered(app)["escape"] == "leave"
        await pilot.press(*"zoe", "escape")
        await settle(pilot)
        assert app.focused is table and table.row_count == 1
        assert offered(app)["escape"] == "clear_search"
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 302
        assert app.query_one("#learners-search", Input).value == ""
        assert "escape" not in offered(app)
        # Esc on an empty bar: back to the table, with no search left behind.
        await pilot.press("slash", *"zo", "backspace", "backspace", "escape")
        await settle(pilot)
        assert app.focused is table and table.row_count == 302


async def test_plain_words_and_fields_of_each_tab(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        searches = {
            ("2", "learners", "O'BRIEN zoe"): 1,
            ("2", "learners", "zoe o’brien"): 1,
            ("2", "learners", "lukasz centre:12345"): 21,
            ("3", "registrations", "status:withdrawn smythe"): 0,
            ("3", "registrations", "ann smythe status:act"): 1,
            ("5", "results", "grade:merit withheld:no"): 11,
            ("6", "products", "food"): 1,
            ("6", "products", "title:level exam:yes"): 2,
            ("7", "imports", "autumn"): 2,
        }
        for (key, view, typed), matches in searches.items():
            await pilot.press(key)
            await settle(pilot)
            bar = app.query_one(f"#{view}-search", Input)
            bar.value = typed
            await settle(pilot)
            status = text(app, f"#{view}-status")
            assert f"{matches} match" in status, (typed, status)


async def test_keys_are_offered_only_where_they_work(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {"slash", "enter", "s"}.isdisjoint(offered(app))  # the dashboard
        assert {"ctrl+r", "f1"} <= set(offered(app))
        await pilot.press("6")
        await settle(pilot)
        assert "enter" not in offered(app)  # a product has no screen of its own
        assert {"slash", "s", "ctrl+r"} <= set(offered(app))
        await pilot.press("enter")
        assert not isinstance(app.screen, LearnerScreen | ImportScreen)
        await pilot.press("7")
        await settle(pilot)
        assert {"slash", "enter"} <= set(offered(app))
        await pilot.press("2")
        await settle(pilot)
        # An 80-column footer holds the first keys only: searching, help and quitting stay
        # in it; sorting, reading again, importing and exporting are in the help and palette.
        assert {"slash", "f1", "ctrl+q", "enter"} <= in_footer(app)
        assert {"s", "ctrl+r", "i", "e"}.isdisjoint(in_footer(app))
        assert {"s", "ctrl+r", "i", "e"} <= set(offered(app))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        assert "slash" not in offered(app)
        assert "Search" not in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("slash")
        assert isinstance(app.screen, LearnerScreen)
        # A tab key goes back to the tabs from any screen.
        await pilot.press("6")
        await settle(pilot)
        assert not isinstance(app.screen, LearnerScreen)
        assert app.query_one("#tabs").active == "products"  # type: ignore[attr-defined]


async def test_dates_and_ids_are_whole_and_long_text_shows_on_the_focused_row(
    store_path: Path,
) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        products = app.query_one("#products-table", PagedTable)
        lines = screen_lines(app)
        assert any("31/07/2030" in line for line in lines)  # the Ends column, year and all
        longest = len("Level 2 Certificate in Digital Skills")
        assert products.widths[column(products, "title")] == longest
        assert all(cell_len(line) <= SIZE[0] for line in lines)
        await pilot.press("down")
        await settle(pilot)
        focused = text(app, "#products-focused")
        assert "Discount: DC01" in focused  # a column 80 columns had no room for
        await pilot.press("3", "end")
        await settle(pilot)
        registrations = app.query_one("#registrations-table", PagedTable)
        ids = registrations.widths[column(registrations, "registration_id")]
        assert ids >= len("302")
        assert "302" in screen_lines(app)[registrations.region.y + 1 + registrations.cursor_row
                                           - int(registrations.scroll_y)]  # fmt: skip


def test_on_80_columns_a_long_title_gets_room_to_tell_products_apart() -> None:
    shown = COLUMNS["products"]
    columns = [TableColumn(name, c.label, c.cut, c.weight, c.drop) for name, c in shown.items()]
    # Widths as the demo's catalogue needs them: titles of up to 60 characters.
    needs = [10, 60, 5, 8, 4, 11, 10, 12]
    widths = layout(columns, needs, room=79)
    assert widths[1] >= 45
    assert [w for w, c in zip(widths, columns, strict=True) if not c.drop] == [10, widths[1], 5, 10]
    assert sum(w + 1 for w in widths if w) <= 79
    # On 160 columns everything fits as it is.
    assert layout(columns, needs, room=159) == needs
    # A column of free text never goes below its floor; the rest is cut evenly by weight.
    names = [TableColumn("a", "A", cut=7, weight=2), TableColumn("b", "B", cut=7, weight=2),
             TableColumn("id", "Id")]  # fmt: skip
    assert layout(names, [30, 30, 6], room=30) == [11, 10, 6]
    assert layout(names, [30, 30, 6], room=10) == [7, 7, 6]


async def test_a_wider_terminal_shows_more_of_every_column(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        products = app.query_one("#products-table", PagedTable)
        assert all(products.widths)  # every column is back
        assert products.widths[column(products, "title")] == len(
            "Level 2 Certificate in Digital Skills"
        )
        assert text(app, "#products-focused") == ""  # nothing is cut


async def test_results_say_which_are_withheld(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "end")
        await settle(pilot)
        results = app.query_one("#results-table", PagedTable)
        held = column(results, "withheld")
        marks = [results.row_cells(i)[held] for i in range(results.row_count)]  # type: ignore[index]
        assert marks.count("withheld") == 1 and marks[-1] == "withheld"  # Zoë's Unit 2
        assert "Withheld" in screen_lines(app)[results.region.y]


async def test_a_long_rule_shows_its_fix_and_cut_messages_show_whole(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("enter")  # the latest import: rows repeating one another
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        rule = text(app, "#import-rule-text")
        fix = f"Fix: {catalogue.rule('DUP_IN_FILE').fix}"
        assert rule.startswith("DUP_IN_FILE") and fix in rule
        # On screen to its last word, however long the rule's text.
        assert fix in " ".join(" ".join(line.split()) for line in screen_lines(app))
        await pilot.press("tab")
        await settle(pilot)
        focused = text(app, "#issues-focused")
        assert "Message: the same learner on 603/0862/X as row 3" in focused
        assert focused.endswith("the earlier row is kept")


async def test_a_rejected_row_shows_dates_day_first(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7", "end", "enter")
        await settle(pilot)
        await pilot.press("down", "tab", "enter")  # DOB_FUTURE: row 6, born 2099-01-01
        await settle(pilot)
        assert isinstance(app.screen, RejectedRowScreen)
        values = [str(label.render()) for label in app.screen.query(".cell-value").results(Label)]
        assert "01/01/2099" in values and "2099-01-01" not in values


async def test_an_empty_database_says_how_to_import(tmp_path: Path) -> None:
    app = CentredeskApp(tmp_path / "nothing-yet.duckdb")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "centredesk import products.xlsx" in text(app, "#dashboard-empty")
        assert app.query_one("#dashboard-empty").display
        assert not app.query_one("#dashboard-counts").display
        await pilot.press("2")
        await settle(pilot)
        shown = "\n".join(screen_lines(app))
        assert "No learners yet" in shown and "centredesk import FILE" in shown
    assert not (tmp_path / "nothing-yet.duckdb").exists()


async def test_the_learner_screen_dates_and_results_read_as_elsewhere(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.query_one("#learners-search", Input).value = "zoe"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        results = app.screen.query_one("#learner-results", DataTable)
        assert [str(c.label) for c in results.columns.values()][3] == "Issued"


async def test_a_learner_on_a_wider_terminal_shows_titles_whole(store_path: Path) -> None:
    app = CentredeskApp(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.query_one("#learners-search", Input).value = "zoe"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        registrations = app.screen.query_one("#learner-registrations", DataTable)
        assert registrations.get_row_at(0)[1] == "Level 2 Certificate in Digital Skills"
        results = app.screen.query_one("#learner-results", DataTable)
        assert results.get_row_at(0)[1] == "Unit 1 Digital communication"
