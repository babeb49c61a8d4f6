"""The app on plain terminals: theme variables only, and usable with NO_COLOR."""

from __future__ import annotations

import inspect
import pkgutil
import re
from importlib import import_module
from pathlib import Path

import pytest
from textual.widgets import Label
from tui_fixtures import settle, small_store

import centredesk.tui
from centredesk.tui.app import CentredeskApp
from centredesk.tui.screens.imports import RejectedRowScreen

# A literal colour in a style: #rgb / #rrggbb, rgb()/hsl(), or a named colour as a value.
LITERAL_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(|"
    r":\s*(?:red|green|blue|yellow|white|black|magenta|cyan|grey|gray|orange|purple)\b"
)


def styles() -> dict[str, str]:
    """app.tcss and every DEFAULT_CSS / CSS written in the tui package, by where it lives."""
    found = {"app.tcss": (Path(centredesk.tui.__file__).parent / "app.tcss").read_text()}
    for info in pkgutil.walk_packages(centredesk.tui.__path__, prefix="centredesk.tui."):
        module = import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == info.name:
                for attribute in ("DEFAULT_CSS", "CSS"):
                    css = value.__dict__.get(attribute)
                    if isinstance(css, str) and css.strip():
                        found[f"{info.name}.{name}.{attribute}"] = css
    return found


def test_styles_use_theme_variables_not_literal_colours() -> None:
    found = styles()
    assert len(found) > 3, "the scan found the app's styles"
    offenders = {where: LITERAL_COLOUR.findall(css) for where, css in found.items()}
    assert {where: hits for where, hits in offenders.items() if hits} == {}
    assert "$" in found["app.tcss"], "app.tcss styles through theme variables"


def test_the_scan_would_catch_a_literal_colour() -> None:
    assert LITERAL_COLOUR.search("Static { background: #1e90ff; }")
    assert LITERAL_COLOUR.search("Label { color: red; }")
    assert not LITERAL_COLOUR.search("Label { color: $text-error; background: $error 25%; }")


async def test_with_no_color_the_offending_cell_is_still_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = CentredeskApp(small_store(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("end", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RejectedRowScreen)
        headers = [str(label.render()) for label in app.screen.query(".cell-header").results(Label)]
        marked = [header.removeprefix("► ") for header in headers if header.startswith("► ")]
        assert marked == ["Surname", "ULN"]
        assert len(headers) > len(marked)
