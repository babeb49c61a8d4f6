"""Helpers for driving the app's changes: a store to change, the app on it, what it says."""

from __future__ import annotations

import io
from pathlib import Path

from change_fixtures import TODAY, as_role, copy
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static
from tui_fixtures import settle

from centredesk.store import open_store
from centredesk.tui.app import CentredeskApp

SIZE = (80, 24)


def store_as(template: Path, folder: Path, role: str) -> Path:
    """A copy of the change fixtures' store on which the test process's user has ``role``."""
    path = copy(template, folder / "changes.duckdb")
    with open_store(path) as store:
        as_role(store, role)
    return path


def app_on(path: Path, **options: object) -> CentredeskApp:
    """The app on ``path``, judging and charging as of the fixtures' day."""
    return CentredeskApp(path, today=TODAY, **options)  # type: ignore[arg-type]


async def press(pilot: Pilot[int], *keys: str) -> None:
    """Press keys one at a time, letting the app finish what each started."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def text_of(app: App[int], selector: str) -> str:
    """What a Static on the current screen shows, as plain text (a Rich table too)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        return str(app.screen.query_one(selector, Static).render())
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(content)
    return captured.get()


def notices(app: App[int]) -> list[str]:
    """The notifications the app has shown, oldest first, title and text together."""
    return [f"{notice.title}: {notice.message}" for notice in app._notifications]


def enabled_keys(app: App[int]) -> set[str]:
    """The descriptions of every key that works now, shown in the footer or not (the
    palette and the help offer the rest)."""
    return {
        binding.description
        for _node, binding, enabled, _tooltip in app.screen.active_bindings.values()
        if enabled
    }


def footer_keys(app: App[int]) -> set[str]:
    """The descriptions of the keys the footer offers now."""
    return {
        binding.description
        for _node, binding, enabled, _tooltip in app.screen.active_bindings.values()
        if enabled and binding.show
    }
