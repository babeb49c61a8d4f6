"""The app's changes at 80x24, compared with reviewed snapshots (tests/snapshots): the edit
form with an error, a cancellation's confirmation, the ULN manager and the history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from change_fixtures import build
from pytest_textual_snapshot import SVGImageExtension
from textual.pilot import Pilot
from textual.widgets import Input
from tui_change_fixtures import SIZE, app_on, store_as
from tui_fixtures import acting_as, settle


@pytest.fixture(autouse=True)
def snapshots_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    def dirname(cls: type[SVGImageExtension], *, test_location: Any) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)

    monkeypatch.setattr(SVGImageExtension, "dirname", classmethod(dirname))


@pytest.fixture(scope="module", autouse=True)
def same_user_everywhere() -> Iterator[None]:
    """The header names the user: the same one on every machine."""
    with acting_as("sam"):
        yield


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, same_user_everywhere: None) -> Path:
    return build(tmp_path_factory.mktemp("template"))


def steps(
    *keys: str, typed: tuple[str, str] | None = None
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Press ``keys``, then put text in an input (``typed``: its selector and the text)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if typed is not None:
            selector, text = typed
            box = pilot.app.screen.query_one(selector, Input)
            box.focus()
            box.value = text
            await settle(pilot)
            # The cursor blinks: park it where it shows the same in every run.
            box.cursor_blink = False
            await settle(pilot)

    return run_before


def test_edit_form_with_an_error(template: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = app_on(store_as(template, tmp_path, "editor"))
    run_before = steps("2", "f2", typed=("#input-date_of_birth", "31/02/2010"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_cancel_confirmation(template: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = app_on(store_as(template, tmp_path, "editor"))
    run_before = steps("3", "space", "space", "x")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_uln_manager(template: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = app_on(store_as(template, tmp_path, "uln-admin"))
    run_before = steps("m", typed=("#uln-20000002", "1000000042"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
