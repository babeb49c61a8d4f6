"""Every screen of the app at 80x24, compared with reviewed snapshots (tests/snapshots)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.pilot import Pilot
from textual.widgets import Input
from tui_fixtures import acting_as, add_repeated_rows_import, settle, small_store

from centredesk.store import StoreLockedError
from centredesk.tui.app import CentredeskApp

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def snapshots_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the reviewed snapshots in tests/snapshots, where the linters do not look."""

    def dirname(cls: type[SVGImageExtension], *, test_location: Any) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)

    monkeypatch.setattr(SVGImageExtension, "dirname", classmethod(dirname))


@pytest.fixture(scope="module", autouse=True)
def same_user_everywhere() -> Iterator[None]:
    """The header names the user: the same one on every machine."""
    with acting_as("sam"):
        yield


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, same_user_everywhere: None) -> Path:
    path = small_store(tmp_path_factory.mktemp("snapshots"))
    add_repeated_rows_import(path)
    return path


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        # A blinking cursor would be caught on or off as the machine's load has it.
        for bar in pilot.app.query(Input):
            bar.cursor_blink = False
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


SCREENS = {
    "dashboard": (),
    "learners": ("2",),
    "learners_searched_sorted": ("2", "slash", *"smi", "enter", "right", "s"),
    "learners_search_while_typing": ("2", "slash", *"o'b zo"),
    "registrations": ("3",),  # ids from 1 to 17, every digit shown
    "bookings": ("4",),
    "results": ("5",),
    "products": ("6",),  # end dates with their year
    "imports": ("7",),
    "learner": ("2", "end", "up", "enter"),  # Zoë: registration, booking, results, history
    "import_issues": ("7", "end", "enter"),
    "import_of_a_rule_with_a_long_description": ("7", "enter", "tab"),
    "rejected_row": ("7", "end", "enter", "tab", "enter"),
    "help": ("f1",),
    "history": ("8",),
}


@pytest.mark.parametrize("screen", SCREENS)
def test_screen(screen: str, store_path: Path, snap_compare: Any) -> None:
    app = CentredeskApp(store_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*SCREENS[screen]))


def test_an_empty_database(tmp_path: Path, snap_compare: Any) -> None:
    app = CentredeskApp(tmp_path / "new.duckdb")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_an_empty_table(tmp_path: Path, snap_compare: Any) -> None:
    app = CentredeskApp(tmp_path / "new.duckdb")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("2"))


def test_products_on_a_wide_terminal(store_path: Path, snap_compare: Any) -> None:
    app = CentredeskApp(store_path)
    assert snap_compare(app, terminal_size=(120, 24), run_before=keys("6"))


def test_learner_history_in_a_taller_terminal(store_path: Path, snap_compare: Any) -> None:
    # At 80x24 the history is one scroll away; 80x34 shows every section of Zoë at once.
    app = CentredeskApp(store_path)
    keys_pressed = keys("2", "end", "up", "enter")
    assert snap_compare(app, terminal_size=(80, 34), run_before=keys_pressed)


def test_database_held_elsewhere(store_path: Path, snap_compare: Any) -> None:
    app = CentredeskApp(store_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        error = StoreLockedError(
            "/srv/centredesk/centredesk.duckdb", 4242, "centredesk import, pid 4242, user alice"
        )
        app.show_problem(error, app.action_refresh)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
