"""The export form driven headless at 80x24: every export with its filters, cancel, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from export_fixtures import HEALTH, RIVERSIDE, SESSION, build_store
from textual.widgets import Checkbox, Input, Select, Static
from tui_transfer_fixtures import blocking, upload, wait_for

from centredesk.jobs.export_specs import SPECS
from centredesk.jobs.remembered import Remembered
from centredesk.tui.app import CentredeskApp
from centredesk.tui.screens import export_form
from centredesk.tui.screens.export_form import ExportForm

SIZE = (80, 24)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("export-form") / "store.duckdb")


async def open_form(pilot: Any, what: str) -> ExportForm:
    await pilot.press("e")
    form = pilot.app.screen
    assert isinstance(form, ExportForm)
    form.query_one("#export-what", Select).value = what
    await pilot.pause()
    await wait_for(pilot, lambda: bool(form.values) and form.what == what)
    await pilot.pause()
    return form


def message(form: ExportForm) -> str:
    return str(form.query_one("#export-message", Static).render())


async def write(pilot: Any, form: ExportForm, target: Path) -> str:
    form.query_one("#export-target", Input).value = str(target)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not form.query_one("#export-job").running)  # type: ignore[attr-defined]
    return message(form)


def about(path: Path) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    rows = [row for row in book["About"].iter_rows(values_only=True) if row[0] or row[1]]
    found: dict[str, Any] = {"sheets": book.sheetnames}
    for label, value in rows:
        if label in ("Rows", "Written"):
            found[label] = value
        elif value and "=" in str(value) and label in (None, "Filters"):
            name, _, shown = str(value).partition(" = ")
            found[name] = shown
    return found


# Each export with filters chosen in the form: (kind, {filter: value}, rows expected).
EXPORTS = [
    ("products", {"centre": RIVERSIDE}, 2),
    ("results", {"centre": RIVERSIDE, "batch": "1001"}, None),
    ("registrations", {"batch": "1001", "status": "active", "surname": "a"}, None),
    ("bookings", {"product": HEALTH, "status": "Active"}, None),
    ("register", {"product": HEALTH, "session": SESSION.strftime("%d/%m/%Y")}, None),
]


@pytest.mark.parametrize(("kind", "filters", "rows"), EXPORTS, ids=[e[0] for e in EXPORTS])
async def test_an_export_of_each_kind_with_its_filters(
    store_path: Path, tmp_path: Path, kind: str, filters: dict[str, str], rows: int | None
) -> None:
    app = CentredeskApp(store_path, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, kind)
        for name, value in filters.items():
            widget = form.query_one(f"#filter-{name}")
            if isinstance(widget, Select):
                options = [option for _, option in widget._options]  # noqa: SLF001
                assert value in options, f"{name}: {value} not offered"
                widget.value = value
            else:
                assert isinstance(widget, Input)
                widget.value = value
        await pilot.pause()
        suggested = Path(form.query_one("#export-target", Input).value)
        assert suggested.name.startswith(kind)
        target = tmp_path / f"{kind}.xlsx"
        said = await write(pilot, form, target)
    assert said.startswith("Wrote ") and str(target) in said
    written = about(target)
    assert SPECS[kind].sheet in written["sheets"]
    for name, value in filters.items():
        assert written[name].casefold() == value.casefold() or name == "session"
    if rows is not None:
        assert written["Rows"] == rows


async def test_a_template_and_a_fix_list_from_the_form(store_path: Path, tmp_path: Path) -> None:
    app = CentredeskApp(store_path, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "template")
        form.query_one("#template-kind", Select).value = "bookings"
        await pilot.pause()
        assert "bookings-template" in form.query_one("#export-target", Input).value
        said = await write(pilot, form, tmp_path / "template.xlsx")
        assert said.startswith("Wrote the bookings template")
        form.query_one("#export-what", Select).value = "fix-list"
        await pilot.pause()
        await pilot.pause()
        form.query_one("#fix-list-source", Input).value = str(upload(tmp_path / "uploads"))
        said = await write(pilot, form, tmp_path / "fixes.xlsx")
    assert said == f"Fix list written to {tmp_path / 'fixes.xlsx'}."
    assert "Issues" in openpyxl.load_workbook(tmp_path / "fixes.xlsx").sheetnames


async def test_the_table_as_searched_and_sorted(store_path: Path, tmp_path: Path) -> None:
    app = CentredeskApp(store_path, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        browser = app.query_one("#learners-browser")
        await wait_for(pilot, lambda: browser.loads > 0)  # type: ignore[attr-defined]
        await pilot.press("slash", *"surname:s", "enter")
        await wait_for(pilot, lambda: browser.loads > 1)  # type: ignore[attr-defined]
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ExportForm) and form.what == "table"
        assert "matching surname: s" in str(form.query_one("#export-about", Static).render())
        said = await write(pilot, form, tmp_path / "table.xlsx")
    assert said.startswith("Wrote ")
    sheet = openpyxl.load_workbook(tmp_path / "table.xlsx")["Learners"]
    surnames = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert surnames and all(name.lower().startswith("s") for name in surnames)


async def test_cancelling_an_export_leaves_no_file(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, started = blocking(export_form.export, "exporting")
    monkeypatch.setattr(export_form, "export", held)
    app = CentredeskApp(store_path, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "registrations")
        form.query_one("#export-target", Input).value = str(tmp_path / "cancelled.xlsx")
        await pilot.press("ctrl+s")
        await wait_for(pilot, started.is_set)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not form.query_one("#export-job").running)  # type: ignore[attr-defined]
        assert message(form) == "Cancelled: no file was written."
        assert app.screen is form
    assert list(tmp_path.iterdir()) == []


async def test_a_target_that_cannot_be_written_is_said_and_the_choices_stay(
    store_path: Path, tmp_path: Path
) -> None:
    app = CentredeskApp(store_path, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "registrations")
        form.query_one("#filter-batch", Select).value = "1002"
        form.query_one("#filter-dob", Input).value = "31/02/2010"
        said = await write(pilot, form, tmp_path / "out.xlsx")
        assert said == "--dob: '31/02/2010' is not a date: write it as DD/MM/YYYY"
        form.query_one("#filter-dob", Input).value = ""
        said = await write(pilot, form, tmp_path / "no such folder" / "out.xlsx")
        assert said.startswith("cannot write") and "does not exist" in said
        (tmp_path / "taken.xlsx").write_bytes(b"mine")
        said = await write(pilot, form, tmp_path / "taken.xlsx")
        assert "already exists" in said
        assert form.query_one("#filter-batch", Select).value == "1002"
        form.query_one("#export-replace", Checkbox).value = True
        said = await write(pilot, form, tmp_path / "taken.xlsx")
        assert said.startswith("Wrote ")
    assert about(tmp_path / "taken.xlsx")["batch"] == "1002"
