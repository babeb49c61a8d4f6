"""Acting on many in the app: selecting, withdrawing, cancelling with the charges shown,
undoing, rolling back an import, fixing a rejected row, typing ULNs, cancelling a booking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from change_fixtures import (
    AMY_HEALTH,
    BOOKING,
    LEARNERS_IMPORT,
    SEAN,
    SEAN_CRAFT,
    SEAN_HEALTH,
    ZOE_CRAFT,
    ZOE_HEALTH,
    big_batch,
)
from textual.widgets import DataTable, Input
from tui_change_fixtures import SIZE, app_on, footer_keys, notices, press, store_as, text_of
from tui_fixtures import settle

from centredesk.store import open_store
from centredesk.tui.screens.busy import BusyScreen
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.screens.fix_row import FixRowScreen
from centredesk.tui.screens.imports import ImportScreen, RejectedRowScreen
from centredesk.tui.screens.learner import LearnerScreen
from centredesk.tui.screens.ulns import UlnRow, UlnScreen


def statuses(path: Path) -> dict[int, str]:
    with open_store(path, read_only=True) as store:
        rows = store.tables.read("registrations").select("registration_id", "status").rows()
    return {int(key): str(status) for key, status in rows}


async def test_select_a_batch_and_withdraw_it(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "b")
        assert "selected: 4 registrations, batch 1001 at centre 100001" in text_of(
            app, "#registrations-status"
        )
        await press(pilot, "w")
        assert isinstance(app.screen, ConfirmScreen)
        body = text_of(app, "#confirm-body")
        assert "4 registrations of batch 1001 at centre 100001 will be withdrawn" in body
        await press(pilot, "y")
        assert "selected" not in text_of(app, "#registrations-status")
        assert any("withdrew 4 registrations of batch 1001" in n for n in notices(app))
    after = statuses(path)
    assert {after[key] for key in (ZOE_HEALTH, ZOE_CRAFT, SEAN_HEALTH, SEAN_CRAFT)} == {"withdrawn"}
    assert after[AMY_HEALTH] == "active"


async def test_selected_learners_are_acted_on_through_their_registrations(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "space")  # Zoë, then the cursor moves on
        assert "selected: 1 learner" in text_of(app, "#learners-status")
        await press(pilot, "w")
        assert "2 registrations will be withdrawn" in text_of(app, "#confirm-body")
        await press(pilot, "y")
    after = statuses(path)
    assert (after[ZOE_HEALTH], after[ZOE_CRAFT], after[SEAN_HEALTH]) == (
        "withdrawn", "withdrawn", "active"
    )  # fmt: skip


async def test_cancel_shows_count_charges_credits_and_why_then_cancels_for_good(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "space", "space")  # Zoë's two registrations
        assert "selected: 2 registrations" in text_of(app, "#registrations-status")
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmScreen)
        body = text_of(app, "#confirm-body")
        assert "2 registrations will be cancelled." in body
        assert "credit £45.00 (registered Fri 21/11/2025, 3 working days ago: fee credited)" in body
        assert "more than 5 working days, no credit" in body
        assert "Cancellation charge: £40.00 (2 × £20.00)." in body
        assert "Registration fees credited: £45.00" in body
        assert "Cancelling is final: a cancelled registration can never be reinstated." in body
        await press(pilot, "y")
    after = statuses(path)
    assert (after[ZOE_HEALTH], after[ZOE_CRAFT]) == ("cancelled", "cancelled")
    with open_store(path, read_only=True) as store:
        amounts = store.tables.read("charges").get_column("amount").cast(pl.Float64).sum()
    assert amounts == pytest.approx(40 - 45)


async def test_an_editor_is_told_a_whole_batch_needs_an_admin(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "b", "x")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("cancelling a whole batch needs the admin role" in n for n in notices(app))
    assert statuses(path)[ZOE_HEALTH] == "active"


async def test_ctrl_z_undoes_the_users_last_change_and_says_what(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "b", "w", "y")
        assert statuses(path)[ZOE_HEALTH] == "withdrawn"
        await press(pilot, "ctrl+z")
        assert any(
            n.startswith("Undone: Undid change") and "withdrew 4 registrations" in n
            for n in notices(app)
        )
    assert statuses(path)[ZOE_HEALTH] == "active"


async def test_the_history_tab_searches_and_undoes_or_says_why_not(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "down", "down", "down", "x", "y")  # cancel Amy's
        await press(pilot, "up", "w", "y")  # withdraw Sean's Health and Fitness
        await press(pilot, "8")
        assert "withdrew registration" in text_of(app, "#history-focused")  # newest first
        await press(pilot, "slash", *"action:cancel", "enter")
        assert "1 change" in text_of(app, "#history-status")
        await press(pilot, "z", "y")
        assert any("a cancellation is final" in n for n in notices(app))
        assert statuses(path)[AMY_HEALTH] == "cancelled"
        await press(pilot, "slash", *(["backspace"] * 13), *"batch:1001", "enter")
        assert "withdrew registration" in text_of(app, "#history-focused")
        await press(pilot, "z", "y")
    assert statuses(path)[SEAN_HEALTH] == "active"


async def test_an_admin_rolls_back_an_import_after_being_told_what_goes(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "admin")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "7", "down", "r")  # the learners, with a booking resting on them
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == "Import 3 cannot be rolled back"
        assert f"booking {BOOKING} (import 4) on registration" in text_of(app, "#confirm-body")
        await press(pilot, "escape", "up", "r")  # the bookings
        body = text_of(app, "#confirm-body")
        assert app.screen.title_text == "Roll back import 4?"
        assert "removes the 1 rows it loaded" in body
        await press(pilot, "y")
        assert any("rolled back import 4" in n for n in notices(app))
    with open_store(path, read_only=True) as store:
        summary = store.details.import_summary(4)
        assert summary is not None and summary.rolled_back_by is not None
        assert store.tables.counts()["bookings"] == 0


async def test_an_editor_is_not_offered_a_rollback(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "7")
        assert "Roll back" not in footer_keys(app)
        await press(pilot, "r")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_fix_a_rejected_row_in_place_and_the_import_counts_follow(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "7", "down", "enter")
        assert isinstance(app.screen, ImportScreen)
        assert "5 loaded, 1 rejected" in text_of(app, "#import-summary")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, RejectedRowScreen)
        await press(pilot, "f")
        assert isinstance(app.screen, FixRowScreen)
        uln = app.screen.query_one("#input-uln", Input)
        assert app.screen.query_one("#fix-field-5").has_class("-error")
        assert "check digit" in text_of(app, "#fix-field-5 .field-verdict")
        uln.focus()
        uln.value = ""
        await press(pilot, *"1000000051")
        assert app.screen.query_one("#fix-field-5").has_class("-clean")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ImportScreen)
        assert "6 loaded, 0 rejected" in text_of(app, "#import-summary")
    with open_store(path, read_only=True) as store:
        still = store.imports.open_rejected_rows([LEARNERS_IMPORT])
        assert still.height == 0


async def test_manage_ulns_row_by_row_red_then_green_then_saved(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "uln-admin")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, UlnScreen)
        assert "1 without a ULN" in text_of(app, "#uln-status")
        row = app.screen.query_one(f"#uln-row-{SEAN}", UlnRow)
        await press(pilot, *"1000000042")
        assert row.has_class("-error")
        await press(pilot, "backspace", "backspace", *"51")
        assert row.has_class("-clean")
        await press(pilot, "enter")
        assert row.has_class("-saved")
        assert "saved: change" in text_of(app, f"#uln-row-{SEAN} .uln-verdict")
        await press(pilot, "ctrl+r")
        assert "Every learner has a ULN." in text_of(app, "#uln-status")
    with open_store(path, read_only=True) as store:
        learner = store.learners.get(SEAN)
        assert learner is not None and learner.details["uln"] == "1000000051"


async def test_cancel_a_booking_from_the_learners_bookings(template: Path, tmp_path: Path) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "enter")
        assert isinstance(app.screen, LearnerScreen)
        assert "Cancel booking" not in footer_keys(app)  # offered on the bookings
        app.screen.query_one("#learner-bookings", DataTable).focus()
        await settle(pilot)
        assert "Cancel booking" in footer_keys(app)
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "A cancelled booking is final" in text_of(app, "#confirm-body")
        await press(pilot, "y")
        assert isinstance(app.screen, LearnerScreen)
        table = app.screen.query_one("#learner-bookings", DataTable)
        assert "Cancelled" in table.get_row_at(0)
    with open_store(path, read_only=True) as store:
        booking = store.bookings.get(BOOKING)
        assert booking is not None and booking["status"] == "Cancelled"


async def test_a_long_action_shows_its_progress_and_the_app_answers_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = big_batch(tmp_path / "big.duckdb", 20_000)
    shown: list[Any] = []
    original = BusyScreen.progress

    def progress(self: BusyScreen, stage: str, done: int, total: int) -> None:
        shown.append((stage, done, total))
        original(self, stage, done, total)

    monkeypatch.setattr(BusyScreen, "progress", progress)
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "b", "w")
        assert "20,000 registrations of batch 5001" in text_of(app, "#confirm-body")
        await pilot.press("y")
        # The key press is answered while the job runs in its worker.
        await pilot.press("8")
        await settle(pilot)
    assert shown[0] == ("withdrawing", 0, 20_000)
    assert set(statuses(path).values()) == {"withdrawn"}


async def test_select_the_rows_on_screen_all_that_match_and_none(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "a")
        assert "selected: 5 registrations" in text_of(app, "#registrations-status")
        await press(pilot, "n")
        assert "selected" not in text_of(app, "#registrations-status")
        await press(pilot, "slash", *"batch:1002", "enter", "A")
        assert text_of(app, "#registrations-status").startswith("✓ selected: 1 registration ·")
        await press(pilot, "u")  # nothing withdrawn among them: the preview says so
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("0 registrations will be un-withdrawn" in n for n in notices(app))


async def test_the_history_sorts_and_opens_the_learner_a_change_is_about(
    template: Path, tmp_path: Path
) -> None:
    path = store_as(template, tmp_path, "editor")
    app = app_on(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "down", "down", "w", "y")  # Sean's Health and Fitness
        await press(pilot, "8")
        # The role given to the user when the store was copied, then the withdrawal.
        assert "2 changes · newest first" in text_of(app, "#history-status")
        await press(pilot, "s")
        assert "oldest first" in text_of(app, "#history-status")
        await press(pilot, "enter")
        assert any("no one learner to open" in n for n in notices(app))
        await press(pilot, "end", "enter")
        assert isinstance(app.screen, LearnerScreen)
        assert app.screen.learner_number == SEAN
