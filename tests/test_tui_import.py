"""The guided import driven headless at 80x24: every step, a remap, cancel and failures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from holder import hold, release
from textual.widgets import DataTable, Input, OptionList, Static
from tui_transfer_fixtures import blocking, catalogued, upload, wait_for

from centredesk.jobs.importing import import_file
from centredesk.jobs.remembered import Remembered
from centredesk.store import open_store
from centredesk.tui.app import CentredeskApp
from centredesk.tui.screens import import_wizard
from centredesk.tui.screens.field_choice import FieldChoiceScreen
from centredesk.tui.screens.fix_list import FixListScreen
from centredesk.tui.screens.import_wizard import ImportWizard
from centredesk.tui.screens.imports import ImportScreen
from centredesk.tui.screens.rule_rows import RuleRowsScreen

SIZE = (80, 24)


def text(app: CentredeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def choose_file(pilot, path: Path) -> ImportWizard:  # type: ignore[no-untyped-def]
    """Open the wizard, type the file's path, and wait for the sheet step."""
    await wait_for(pilot, lambda: pilot.app.may_import)
    await pilot.press("i")
    wizard = pilot.app.screen
    assert isinstance(wizard, ImportWizard)
    wizard.query_one("#picker-path", Input).value = str(path)
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.step != "file" or bool(text(pilot.app, "#picker-problem")))
    return wizard


async def to_columns_with_remap(pilot, wizard: ImportWizard) -> None:  # type: ignore[no-untyped-def]
    """Step 2 to step 3, then read "Learner ULN No" as the ULN."""
    await pilot.press("n")
    assert wizard.step == "columns"
    table = wizard.query_one("#columns-table", DataTable)
    table.move_cursor(row=table.get_row_index("Learner ULN No"))
    await pilot.press("c")
    choice = pilot.app.screen
    assert isinstance(choice, FieldChoiceScreen)
    options = choice.query_one(OptionList)
    options.highlighted = options.get_option_index("uln")
    await pilot.press("enter")
    await pilot.pause()


async def test_a_full_import_through_every_step_with_a_remapped_column(tmp_path: Path) -> None:
    db = catalogued(tmp_path)
    path = upload(tmp_path / "uploads")
    memory = Remembered(tmp_path / "state" / "remembered.json")
    app = CentredeskApp(db, remembered=memory)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, path)
        assert wizard.step == "sheet"
        assert "inferred from the headers Centre Number" in text(app, "#kind-reason")
        assert "2 rows below it" in text(app, "#sheet-reason")

        await to_columns_with_remap(pilot, wizard)
        reads = wizard.query_one("#columns-table", DataTable)
        assert reads.get_cell("Learner ULN No", "field") == "✎ ULN"
        assert reads.get_cell("Tutor", "field") == "not read"

        await pilot.press("n")
        await wait_for(pilot, lambda: wizard.step == "check")
        summary = text(app, "#check-summary")
        assert "2 rows read" in summary and "1 would load" in summary
        assert "1 would be rejected" in summary
        rules = wizard.query_one("#check-rules", DataTable)
        assert rules.get_row_at(0)[0] == "ULN_CHECKSUM"

        await pilot.press("enter")
        rows = app.screen
        assert isinstance(rows, RuleRowsScreen)
        await wait_for(pilot, lambda: rows.table.row_cells(0) is not None)
        assert rows.table.row_cells(0)[:3] == ("3", "Learner ULN No", "1000000042")
        await pilot.press("escape")

        await pilot.press("f")
        fixes = app.screen
        assert isinstance(fixes, FixListScreen)
        target = tmp_path / "fixes.xlsx"
        fixes.query_one("#fix-list-target", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: fixes.written is not None)
        assert target.is_file()
        await pilot.press("escape")

        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen))
        assert isinstance(app.screen, ImportScreen)
        import_id = app.screen.import_id
    with open_store(db, read_only=True) as store:
        registrations = store.tables.read("registrations")
        issues = store.tables.read("import_issues").filter(pl.col("import_id") == import_id)
    assert registrations.height == 1
    assert issues.select("row", "column_name", "code").rows() == [
        (3, "Learner ULN No", "ULN_CHECKSUM")
    ]
    remembered = Remembered(memory.path).columns("learners", wizard.upload.sheet.headers)
    assert remembered is not None and remembered.chosen == {"Learner ULN No": "uln"}
    assert Remembered(memory.path).folder("import") == path.parent


async def test_a_file_with_the_same_headers_gets_the_columns_chosen_before(
    tmp_path: Path,
) -> None:
    db = catalogued(tmp_path)
    path = upload(tmp_path / "uploads")
    memory = Remembered()
    app = CentredeskApp(db, remembered=memory)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, path)
        memory.keep_columns("learners", wizard.upload.sheet.headers, {"Learner ULN No": "uln"})
        await pilot.press("n")
        assert "Columns as chosen by hand on" in text(app, "#columns-note")
        reads = wizard.query_one("#columns-table", DataTable)
        assert reads.get_cell("Learner ULN No", "field") == "✎ ULN"
        await pilot.press("r")
        assert reads.get_cell("Learner ULN No", "field") == "not read"


async def test_cancel_during_the_load_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = catalogued(tmp_path)
    with open_store(db, read_only=True) as store:
        before = store.tables.checksums()
    held, writing = blocking(import_wizard.load, "writing")
    monkeypatch.setattr(import_wizard, "load", held)
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, upload(tmp_path / "uploads"))
        await to_columns_with_remap(pilot, wizard)
        await pilot.press("n")
        await wait_for(pilot, lambda: wizard.step == "check")
        await pilot.press("l")
        await wait_for(pilot, writing.is_set)
        assert wizard.step == "load" and wizard.job.running
        await pilot.press("escape")
        await wait_for(pilot, lambda: not wizard.job.running)
        assert wizard.step == "check"
        assert text(app, "#wizard-problem") == "Load cancelled: nothing was written."
        assert app.screen is wizard
    with open_store(db, read_only=True) as store:
        assert store.tables.checksums() == before


async def test_an_unreadable_file_is_said_in_the_file_step(tmp_path: Path) -> None:
    db = catalogued(tmp_path)
    broken = tmp_path / "uploads" / "broken.xlsx"
    broken.parent.mkdir()
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" * 20)
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, broken)
        assert wizard.step == "file"
        problem = text(app, "#picker-problem")
        assert problem.startswith("broken.xlsx:") and "Traceback" not in problem
        assert wizard.query_one("#picker-path", Input).value == str(broken)


async def test_a_database_held_elsewhere_is_said_in_the_step_and_choices_stay(
    tmp_path: Path,
) -> None:
    db = catalogued(tmp_path)
    app = CentredeskApp(db, remembered=Remembered(), idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, upload(tmp_path / "uploads"))
        await to_columns_with_remap(pilot, wizard)
        app.database.close()
        holder = hold(db)
        try:
            await pilot.press("n")
            await wait_for(pilot, lambda: not wizard.job.running)
            assert wizard.step == "columns"
            problem = text(app, "#wizard-problem")
            assert "is in use by" in problem and str(db) in problem
            reads = wizard.query_one("#columns-table", DataTable)
            assert reads.get_cell("Learner ULN No", "field") == "✎ ULN"
        finally:
            release(holder)
        await pilot.press("n")
        await wait_for(pilot, lambda: wizard.step == "check")
        app.database.close()
        holder = hold(db)
        try:
            await pilot.press("l")
            await wait_for(pilot, lambda: not wizard.job.running and wizard.step != "load")
            assert "is in use by" in text(app, "#wizard-problem")
            assert wizard.step == "check"
        finally:
            release(holder)


async def test_import_is_offered_only_to_those_whose_role_allows_it(tmp_path: Path) -> None:
    db = catalogued(tmp_path)
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.may_import)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Import a file" in titles and "Export a workbook" in titles
    with open_store(db) as store:
        store.users.grant(store.acting_user, "viewer")
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.may_import
        assert app.check_action("import_file", ()) is False
        await pilot.press("i")
        assert not isinstance(app.screen, ImportWizard)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Import a file" not in titles and "Export a workbook" in titles


async def test_a_cancel_while_reading_ends_the_reading_process(tmp_path: Path) -> None:
    from test_import import learners_csv

    db = catalogued(tmp_path)
    big = learners_csv(tmp_path / "big.csv", 200_000)
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.may_import)
        await pilot.press("i")
        wizard = app.screen
        assert isinstance(wizard, ImportWizard)
        wizard.query_one("#picker-path", Input).value = str(big)
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.job.running)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not wizard.job.running)
        assert wizard.step == "file" and app.screen is wizard
        assert text(app, "#picker-problem") == "big.csv: reading was cancelled; nothing was read"


async def test_a_tab_key_does_not_leave_the_import_behind(tmp_path: Path) -> None:
    db = catalogued(tmp_path)
    path = upload(tmp_path / "uploads")
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, path)
        assert wizard.step == "sheet"
        await pilot.press("n")
        assert wizard.step == "columns"
        await pilot.press("2", "ctrl+r")
        assert app.screen is wizard and wizard.step == "columns"
        assert app.check_action("show_tab", ("learners",)) is False
        assert app.check_action("refresh", ()) is False
        await pilot.press("escape")
        assert app.screen is not wizard
        assert app.check_action("show_tab", ("learners",)) is True


async def test_down_from_the_typed_path_goes_into_the_list(tmp_path: Path) -> None:
    db = catalogued(tmp_path)
    path = upload(tmp_path / "uploads")
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.may_import)
        await pilot.press("i")
        wizard = app.screen
        assert isinstance(wizard, ImportWizard)
        wizard.query_one("#picker-path", Input).value = str(path.parent)
        await pilot.press("enter")
        files = wizard.query_one("#picker-files", DataTable)
        await wait_for(pilot, lambda: files.row_count > 1)
        wizard.query_one("#picker-path", Input).focus()
        await pilot.press("down")
        assert files.has_focus
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: wizard.step == "sheet")
        assert wizard.choices.path == path


async def test_loading_a_file_again_says_its_rows_are_there_and_loads_none(
    tmp_path: Path,
) -> None:
    db = catalogued(tmp_path)
    path = upload(tmp_path / "uploads")
    with open_store(db) as store:
        first = import_file(path, store, kind="learners", columns={"Learner ULN No": "uln"})
    assert first.loaded == 1
    app = CentredeskApp(db, remembered=Remembered())
    async with app.run_test(size=SIZE) as pilot:
        wizard = await choose_file(pilot, path)
        await to_columns_with_remap(pilot, wizard)
        await pilot.press("n")
        await wait_for(pilot, lambda: wizard.step == "check")
        summary = text(app, "#check-summary")
        assert "0 would load, 1 already in the store (not loaded again)" in summary
        assert "Already imported as import" in summary
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen))
        assert wizard.outcome is not None
        assert (wizard.outcome.loaded, wizard.outcome.already) == (0, 1)
    with open_store(db, read_only=True) as store:
        assert store.tables.read("registrations").height == 1
