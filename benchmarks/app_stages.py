"""The app on a store of N learners, driven headless at 80×24 with Textual's Pilot.

Ours is the time of the action itself; the naive column holds a key press with no binding
in the same app, the floor every key press pays in the test harness. Page down is judged
by its extra time over that floor; saving an edit by its whole time, key to notice.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from benchmarks.inputs import Inputs
from benchmarks.stages import StageFunction, Timing, Variants
from centredesk.store import Location

Where = Callable[[Inputs], Location]
"""Which store of the inputs the app opens."""

VIEW = "learners"
PRESSES = 7
NO_OP_KEY = "f12"


async def _workers_done(app: Any) -> None:
    """Wait for every worker; a read a newer one replaced (as the app does when a saved
    change arrives while the store is still being closed) ends cancelled, as it should."""
    from textual.worker import WorkerCancelled

    for worker in list(app.workers):
        with suppress(WorkerCancelled):
            await worker.wait()


async def _until(pilot: Any, condition: Callable[[], bool], timeout: float = 600) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not finish loading")
        await pilot.pause(0.002)
    await _workers_done(pilot.app)
    await pilot.pause()


def _run(inputs: Inputs, scenario: Callable[[Any, Any], Awaitable[float]], where: Where) -> Timing:
    from centredesk.tui.app import CentredeskApp

    async def main() -> float:
        started = time.perf_counter()
        app = CentredeskApp(where(inputs))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("2")
            browser = app.query_one(f"#{VIEW}-browser")
            await _until(pilot, lambda: browser.loads >= 1)
            ready = time.perf_counter() - started
            return ready if scenario is None else await scenario(pilot, browser)

    return Timing(asyncio.run(main()), inputs.rows)


async def _presses(pilot: Any, key: str) -> float:
    times = []
    for _ in range(PRESSES):
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def _no_op(pilot: Any, browser: Any) -> float:
    browser.table.focus()
    return await _presses(pilot, NO_OP_KEY)


async def _page_down(pilot: Any, browser: Any) -> float:
    browser.table.focus()
    return await _presses(pilot, "pagedown")


async def _search(pilot: Any, browser: Any) -> float:
    search = pilot.app.query_one(f"#{VIEW}-search")
    loads = browser.loads
    start = time.perf_counter()
    search.value = "smi"
    await _until(pilot, lambda: browser.loads > loads)
    return time.perf_counter() - start


async def _sort(pilot: Any, browser: Any) -> float:
    browser.table.focus()
    browser.table.cursor_column = 2  # surname, not the key the view is already sorted by
    loads = browser.loads
    start = time.perf_counter()
    await pilot.press("s")
    await _until(pilot, lambda: browser.loads > loads)
    return time.perf_counter() - start


KEY_GAP = 0.05
"""Seconds between two key presses while an import runs: a person typing, not a flood."""


async def _answer(app: Any) -> float:
    """Seconds from a key with no binding reaching the app until the app and every widget on
    screen have handled it and everything queued before it.

    ``Pilot.press`` is not used here: after each key it waits for the whole process to go
    idle (up to a second), which never happens while a worker thread checks or loads, so it
    would time the harness rather than the app.
    """
    from textual import events

    start = time.perf_counter()
    key = events.Key(NO_OP_KEY, None)
    key.set_sender(app)
    app.post_message(key)
    for _ in range(3):  # the app hands the key to the screen, the screen to the focus
        nodes = [app, *app.screen.walk_children(with_self=True)]
        handled = [asyncio.get_running_loop().create_future() for _ in nodes]
        for node, future in zip(nodes, handled, strict=True):
            if not node.call_later(future.set_result, None):
                future.set_result(None)
        await asyncio.gather(*handled)
    return time.perf_counter() - start


def _percentile_95(times: list[float]) -> float:
    if len(times) < 20:  # a small file: too few presses for a percentile
        return max(times, default=0.0)
    return statistics.quantiles(times, n=20)[-1]


def _import_keys(inputs: Inputs) -> Timing:
    """Key presses answered while the upload is read, checked and loaded in the app.

    The app imports the upload into a copy of the catalogue store through the guided
    import, and a key with no binding is pressed every 50 ms throughout; the figure is the
    95th percentile of the time each took to be handled (:func:`_answer`).
    """
    from textual.widgets import Input

    from centredesk.jobs.remembered import Remembered
    from centredesk.tui.app import CentredeskApp
    from centredesk.tui.screens.imports import ImportScreen

    with tempfile.TemporaryDirectory(prefix="centredesk-bench-") as folder:
        store = Path(folder) / "store.duckdb"
        shutil.copy(inputs.catalogue, store)

        async def main() -> float:
            app = CentredeskApp(store, remembered=Remembered())
            presses: list[float] = []
            async with app.run_test(size=(80, 24)) as pilot:

                async def press_while(busy: Callable[[], bool]) -> None:
                    while busy():
                        presses.append(await _answer(app))
                        await asyncio.sleep(KEY_GAP)

                while not app.may_import:  # the role is read in a worker at start
                    await pilot.pause(0.01)
                await pilot.press("i")
                wizard: Any = app.screen
                wizard.query_one("#picker-path", Input).value = str(inputs.learners)
                await pilot.press("enter")
                await press_while(lambda: wizard.step == "file")
                await pilot.press("n")
                await _answer(app)
                wizard.action_next()  # the check starts; keys are timed while it runs
                await press_while(lambda: wizard.step != "check")
                wizard.action_load()
                await press_while(lambda: not isinstance(app.screen, ImportScreen))
                if wizard.outcome is None:
                    raise RuntimeError("the import did not finish")
                await pilot.pause()  # let the import's view finish mounting before closing
            return _percentile_95(presses)

        return Timing(asyncio.run(main()), inputs.rows)


def _idle_keys(inputs: Inputs) -> Timing:
    """The same key, timed the same way, in the same app with nothing running."""
    from centredesk.tui.app import CentredeskApp

    async def main() -> float:
        app = CentredeskApp(inputs.catalogue)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(1)
            await _workers_done(app)
            presses = []
            for _ in range(40):
                presses.append(await _answer(app))
                await asyncio.sleep(KEY_GAP)
            return _percentile_95(presses)

    return Timing(asyncio.run(main()), inputs.rows)


SAVES = 5
_SURNAMES = [f"Okafor-{letter}" for letter in "ABCDEFGHIJ"]


async def _save_edit(pilot: Any, browser: Any) -> float:
    """From the edit form of a learner, the surname changed: ctrl+s until the form has closed
    on the saved change, its notice up. The job runs as it does for a user: the store opened
    for writing, the judgement checked current, the change written with its history entry.
    As a user does, the form is given the pause after typing in which it judges the details
    against the store (the save then uses that judgement). The key is sent as a terminal
    sends it, without the harness's wait for the app to go idle (the tables read again after
    the save, in workers, unmeasured)."""
    from textual import events

    from centredesk.tui.screens.edit_learner import EditLearnerScreen

    times = []
    for attempt in range(SAVES):
        browser.table.focus()
        await pilot.press("f2")
        form = pilot.app.screen
        assert isinstance(form, EditLearnerScreen)
        await _until(pilot, lambda form=form: bool(form.fields))
        # A new surname each time (a name is what the store's rules look up others by), never
        # the one a previous run left.
        stored = form.fields["surname"].original
        surname = next(name for name in _SURNAMES[attempt:] if name != stored)
        form.query_one("#input-surname").value = surname
        await _until(
            pilot,
            lambda form=form, surname=surname: (
                form.judgement is not None and form.judgement.new.get("surname") == surname
            ),
        )
        start = time.perf_counter()
        key = events.Key("ctrl+s", None)
        key.set_sender(pilot.app)
        pilot.app._driver.send_message(key)
        # The notice is a message the app handles after the form has gone (``notify`` posts
        # it), so the time runs until both: the form closed and "Saved" among the notices.
        notices = pilot.app._notifications
        deadline = start + 60
        while pilot.app.screen is form or not any(n.title == "Saved" for n in notices):
            if time.perf_counter() > deadline:
                titles = [(n.title, n.message) for n in notices]
                raise RuntimeError(f"no saved notice: on {pilot.app.screen!r}, notices {titles}")
            await asyncio.sleep(0.0005)
        times.append(time.perf_counter() - start)
        pilot.app.clear_notifications()  # the next save must show its own
        await _workers_done(pilot.app)
        await pilot.pause()
    return statistics.median(times)


def _stage(
    scenario: Callable[[Any, Any], Awaitable[float]] | None, where: Where = lambda i: i.store
) -> StageFunction:
    def stage(inputs: Inputs) -> Timing:
        return _run(inputs, scenario, where)  # type: ignore[arg-type]

    return stage


def _on_postgres(inputs: Inputs) -> Location:
    from benchmarks.postgres import store_of

    return store_of(inputs)


_NAIVE = _stage(_no_op)
_PG_NAIVE = _stage(_no_op, _on_postgres)
APP_STAGES: dict[str, Variants] = {
    "app_first_screen": Variants(_stage(None), _NAIVE),
    "app_page_down": Variants(_stage(_page_down), _NAIVE),
    "app_search": Variants(_stage(_search), _NAIVE),
    "app_sort": Variants(_stage(_sort), _NAIVE),
    "app_import_keys": Variants(_import_keys, _idle_keys),
    "app_save_edit": Variants(_stage(_save_edit), _NAIVE),
    "pg_app_first_screen": Variants(_stage(None, _on_postgres), _PG_NAIVE),
    "pg_app_page_down": Variants(_stage(_page_down, _on_postgres), _PG_NAIVE),
    "pg_app_search": Variants(_stage(_search, _on_postgres), _PG_NAIVE),
    "pg_app_sort": Variants(_stage(_sort, _on_postgres), _PG_NAIVE),
}
