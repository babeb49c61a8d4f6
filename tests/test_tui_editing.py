"""Editing a learner in the app: the form judges as the user types, with the import's own
messages; the store's rules and warnings on saving; ULNs by role; conflicts with a change
made elsewhere; a database held by another process."""

from __future__ import annotations

import asyncio
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from change_fixtures import SEAN, TODAY, ZOE
from holder import hold, release
from textual.widgets import Input
from tui_change_fixtures import (
    SIZE,
    app_on,
    enabled_keys,
    footer_keys,
    notices,
    press,
    store_as,
    text_of,
)
from tui_fixtures import settle

from centredesk.jobs.validating import validate_file
from centredesk.store import open_store
from centredesk.store.records import HistoryFilters
from centredesk.tui.screens.busy import BusyScreen
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.screens.conflict import ConflictScreen
from centredesk.tui.screens.edit_learner import JUDGE_AFTER, EditLearnerScreen
from centredesk.tui.widgets.judged_field import JudgedField


def import_message(folder: Path, database: Path, **cells: str) -> list[str]:
    """The messages an import gives a one-row upload of Zoë with ``cells`` changed."""
    row = {
        "Centre Number": "100001", "Product Code": "603/0862/X", "Forename": "Zoë",
        "Surname": "O'Brien", "Date of Birth": "03/04/2010", "ULN": "",
        "Registration Date": "21/11/2025", **cells,
    }  # fmt: skip
    upload = folder / "one.csv"
    upload.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    checked = validate_file(upload, database=database, today=TODAY).checked
    return checked.validated.issues.get_column("message").to_list()


def field(app: object, name: str) -> JudgedField:
    screen = app.screen  # type: ignore[attr-defined]
    found: JudgedField = screen.query_one(f"#field-{name}", JudgedField)
    return found


async def open_form(pilot: object, row_downs: int = 0) -> EditLearnerScreen:
    """From the Learners tab, the edit form of the learner ``row_downs`` rows down."""
    await press(pilot, "2", *(["down"] * row_downs), "f2")  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, EditLearnerScreen)
    return screen


async def type_into(pilot: object, name: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    box = app.screen.query_one(f"#input-{name}", Input)
    box.focus()
    box.value = ""
    await press(pilot, *text)  # type: ignore[arg-type]


def stored(path: Path, number: int) -> dict[str, object]:
    with open_store(path, read_only=True) as store:
        record = store.learners.get(number)
        assert record is not None
        return {**record.details, "version": record.version}


async def test_an_error_keeps_the_form_open_then_a_fix_saves(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    expected = import_message(tmp_path, path, **{"Date of Birth": "31/02/2010"})
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot)
        assert field(app, "forename").has_class("-clean")
        await type_into(pilot, "date_of_birth", "31/02/2010")
        dob = field(app, "date_of_birth")
        assert dob.has_class("-error")
        verdict = text_of(app, "#field-date_of_birth .field-verdict")
        # The message under the field is the import's, word for word.
        assert verdict == f"✗ {expected[0]}"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EditLearnerScreen)
        assert "Not saved" in text_of(app, "#edit-outcome")
        assert app.screen.query_one("#input-date_of_birth", Input).value == "31/02/2010"
        assert stored(path, ZOE)["date_of_birth"] == date(2010, 4, 3)
        await type_into(pilot, "date_of_birth", "03/05/2010")
        assert dob.has_class("-clean")
        assert text_of(app, "#field-date_of_birth .field-verdict") == "✓"
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EditLearnerScreen)
        assert any("date of birth 03/04/2010 → 03/05/2010" in notice for notice in notices(app))
    assert stored(path, ZOE)["date_of_birth"] == date(2010, 5, 3)


async def test_a_duplicate_is_refused_naming_the_learner_it_clashes_with(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot, row_downs=1)  # Sean: no ULN, on Health and Fitness as Zoë is
        await type_into(pilot, "forename", "Zoë")
        await type_into(pilot, "surname", "O'Brien")
        await type_into(pilot, "date_of_birth", "03/04/2010")
        # Every field is clean on its own: only the store knows Zoë.
        fields = [f for f in app.screen.query(JudgedField) if f.read_only is None]
        assert all(f.has_class("-clean") for f in fields)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EditLearnerScreen)
        shown = text_of(app, "#edit-outcome")
        assert "DUP_IN_STORE" not in shown  # the message, not the code
        assert f"already registered on 603/0862/X as learner {ZOE}" in shown
    assert stored(path, SEAN)["forename"] == "Sean"


async def test_a_warning_is_confirmed_before_saving(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot, row_downs=1)
        await type_into(pilot, "surname", "SMITH-JONES")
        assert field(app, "surname").has_class("-warning")
        assert "(a warning)" in text_of(app, "#field-surname .field-verdict")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        assert "NAME_CASE" in text_of(app, "#confirm-body")
        assert stored(path, SEAN)["surname"] == "Smith-Jones"
        await press(pilot, "y")
        assert not isinstance(app.screen, EditLearnerScreen | ConfirmScreen)
    assert stored(path, SEAN)["surname"] == "SMITH-JONES"


async def test_an_editor_sees_the_uln_read_only_with_the_reason(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ULNs" not in enabled_keys(app)
        await open_form(pilot, row_downs=1)
        uln = field(app, "uln")
        assert uln.input.disabled
        reason = text_of(app, "#field-uln .field-verdict")
        assert "needs the ULN admin role" in reason and "is an editor" in reason


async def test_a_uln_admin_sets_a_uln_and_other_details_in_one_save(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "uln-admin")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot, row_downs=1)  # Sean, no ULN yet
        assert not field(app, "uln").input.disabled
        await type_into(pilot, "uln", "1000000042")
        assert "check digit" in text_of(app, "#field-uln .field-verdict").casefold()
        await type_into(pilot, "uln", "1000000051")
        await type_into(pilot, "learner_reference", "B 22")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EditLearnerScreen)
    after = stored(path, SEAN)
    assert after["uln"] == "1000000051" and after["learner_reference"] == "B 22"
    with open_store(path, read_only=True) as store:
        actions = [c.action for c in store.history.changes(HistoryFilters(learner=SEAN))]
    assert actions[-2:] == ["edit", "set_uln"]


async def test_a_viewer_is_offered_no_editing_keys(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "viewer")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        assert {"Withdraw", "Select"}.isdisjoint(footer_keys(app))
        offered = enabled_keys(app)  # what the palette offers too
        assert {"Withdraw", "Cancel", "Edit learner", "Select", "Undo"}.isdisjoint(offered)
        assert {"Search", "Help", "Export"} <= offered
        await press(pilot, "f2", "space", "w", "ctrl+z")
        assert not isinstance(app.screen, EditLearnerScreen | ConfirmScreen)
        await press(pilot, "enter")
        assert {"Edit", "Cancel booking"}.isdisjoint(enabled_keys(app))
        await press(pilot, "e")
        assert not isinstance(app.screen, EditLearnerScreen)


async def test_a_stale_save_shows_both_versions_and_keeps_theirs_when_asked(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path, idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot)
        await type_into(pilot, "surname", "O'Brian")
        # Someone else changes Zoë from another terminal while the form is open.
        other = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "centredesk", "edit", "learner", str(ZOE),
            "--surname", "Obrien", "--reference", "Z9", "--yes", "--db", str(path),
            "--wait", "30", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(other.communicate(), timeout=60)
        assert other.returncode == 0, err.decode()
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictScreen)
        table = text_of(app, "#conflict-table")
        for seen in ("O'Brien", "Obrien", "O'Brian", "A1", "Z9"):
            assert seen in table
        assert "Nothing was saved" in text_of(app, "#conflict-title")
        await press(pilot, "t")
        assert isinstance(app.screen, EditLearnerScreen)
        assert app.screen.query_one("#input-surname", Input).value == "Obrien"
    assert stored(path, ZOE)["surname"] == "Obrien"


async def test_a_stale_save_kept_as_mine_saves_over_theirs_knowingly(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path, idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot)
        await type_into(pilot, "surname", "O'Brian")
        app.database.close()
        with open_store(path) as store:
            from centredesk.jobs.editing import edit_learner

            edit_learner(store, ZOE, {"learner_reference": "Z9"}, today=TODAY)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictScreen)
        await press(pilot, "m")
        assert not isinstance(app.screen, EditLearnerScreen | ConflictScreen)
    after = stored(path, ZOE)
    # Theirs stands where the user typed nothing; the user's change is saved over it.
    assert after["surname"] == "O'Brian" and after["learner_reference"] == "Z9"


async def test_a_held_database_waits_saying_who_holds_it_and_a_cancel_keeps_the_input(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot)
        await type_into(pilot, "learner_reference", "Z2")
        app.database.close()
        holder = hold(path)
        try:
            await pilot.press("ctrl+s")
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, BusyScreen) and "in use by" in text_of(app, "#busy-text"):
                    break
            assert isinstance(app.screen, BusyScreen)
            assert f"pid {holder.pid}" in text_of(app, "#busy-text")
            await press(pilot, "escape")
            assert isinstance(app.screen, EditLearnerScreen)
            assert app.screen.query_one("#input-learner_reference", Input).value == "Z2"
            assert "cancelled" in text_of(app, "#edit-outcome")
            # Saved once the holder has gone.
            await pilot.press("ctrl+s")
            await pilot.pause(0.3)
            release(holder)
            for _ in range(100):
                await settle(pilot)
                if not isinstance(app.screen, EditLearnerScreen | BusyScreen):
                    break
            assert not isinstance(app.screen, EditLearnerScreen | BusyScreen)
        finally:
            release(holder)
    assert stored(path, ZOE)["learner_reference"] == "Z2"


async def test_leaving_a_changed_form_asks_first(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_form(pilot)
        await type_into(pilot, "forename", "Zoe")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert app.screen.query_one("#input-forename", Input).value == "Zoe"
        await press(pilot, "escape", "y")
        assert not isinstance(app.screen, EditLearnerScreen)
    assert stored(path, ZOE)["forename"] == "Zoë"


async def test_a_pause_in_typing_judges_against_the_store_and_the_save_uses_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from centredesk.jobs import editing

    looks: list[int] = []
    near = editing._near

    def counted(*args: Any, **kwargs: Any) -> Any:
        looks.append(1)
        return near(*args, **kwargs)

    monkeypatch.setattr(editing, "_near", counted)
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        await type_into(pilot, "surname", "O'Brian")
        await pilot.pause(JUDGE_AFTER + 0.1)
        await settle(pilot)
        assert form.judgement is not None and form.judgement.new == {"surname": "O'Brian"}
        judged = len(looks)  # once per pause: a slow typist pauses more than once
        assert judged >= 1
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EditLearnerScreen)
        assert len(looks) == judged, "the save looked through the store's learners again"
    assert stored(path, ZOE)["surname"] == "O'Brian"


async def test_a_save_that_breaks_unexpectedly_stops_waiting_says_so_and_logs_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from centredesk.tui.screens import edit_learner

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(edit_learner, "save_learner", broken)
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        await type_into(pilot, "surname", "O'Brian")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is form and not form.saving
        shown = text_of(app, "#edit-outcome")
        assert shown.startswith("Not saved: ")
        assert "internal error (RuntimeError: disk on fire)" in shown
        assert "second line" not in shown
        assert any("internal error" in notice for notice in notices(app))
        # What the user typed is still there, to save again.
        assert form.query_one("#input-surname", Input).value == "O'Brian"
    assert any(
        record.exc_info and "disk on fire" in str(record.exc_info[1]) for record in caplog.records
    )
    assert stored(path, ZOE)["surname"] == "O'Brien"


async def test_a_save_is_confirmed_once_committed_without_waiting_for_the_close(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from centredesk.store.duckdb_store import DuckDBStore

    closing, go_on = threading.Event(), threading.Event()
    real_close = DuckDBStore.close

    def slow_close(store: DuckDBStore) -> None:
        if not store._session.read_only:
            closing.set()
            go_on.wait(20)
        real_close(store)

    monkeypatch.setattr(DuckDBStore, "close", slow_close)
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            form = await open_form(pilot)
            await type_into(pilot, "surname", "O'Brian")
            await pilot.press("ctrl+s")
            for _ in range(600):
                if any("Saved" in notice for notice in notices(app)):
                    break
                await asyncio.sleep(0.05)
            # Told while the store is still being closed behind the change.
            assert closing.is_set() and not go_on.is_set()
            assert any("surname O'Brien → O'Brian" in notice for notice in notices(app))
            assert app.screen is not form
            go_on.set()
            await settle(pilot)
    finally:
        go_on.set()
    assert stored(path, ZOE)["surname"] == "O'Brian"
