"""The guided import's steps, its progress bar and the export form at 80x24, compared with
reviewed snapshots (tests/snapshots)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select
from tui_fixtures import acting_as
from tui_transfer_fixtures import blocking, catalogued, upload, wait_for

from centredesk.jobs.remembered import Remembered
from centredesk.tui.app import CentredeskApp
from centredesk.tui.screens import import_wizard
from centredesk.tui.widgets import job_progress
from centredesk.tui.widgets.job_progress import JobProgress, JobProgressed

SIZE = (80, 24)
# A folder with the same path every run, so the file step looks the same every run.
UPLOADS = Path(tempfile.gettempdir()) / "centredesk-snapshots" / "uploads"


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


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return catalogued(tmp_path)


@pytest.fixture
def uploads() -> Path:
    shutil.rmtree(UPLOADS.parent, ignore_errors=True)
    path = upload(UPLOADS)
    (UPLOADS / "archive").mkdir()
    return path


class Clock:
    """A monotonic clock the test moves by hand, so rates and times left are the same."""

    now = 0.0

    def monotonic(self) -> float:
        return self.now


Step = Callable[[Pilot[Any]], Awaitable[None]]


async def to_sheet(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: pilot.app.may_import)  # type: ignore[attr-defined]
    await pilot.press("i")
    wizard = pilot.app.screen
    await wait_for(pilot, lambda: wizard.query_one("#picker-files", DataTable).row_count > 1)
    wizard.query_one("#picker-path", Input).value = str(UPLOADS / "autumn.xlsx")
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.step == "sheet")  # type: ignore[attr-defined]


async def to_columns(pilot: Pilot[Any]) -> None:
    await to_sheet(pilot)
    await pilot.press("n")
    table = pilot.app.screen.query_one("#columns-table", DataTable)
    table.move_cursor(row=table.get_row_index("Learner ULN No"))
    await pilot.press("c")
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index("uln")
    await pilot.press("enter")
    await pilot.pause()


async def to_check(pilot: Pilot[Any]) -> None:
    await to_columns(pilot)
    await pilot.press("n")
    wizard = pilot.app.screen
    await wait_for(pilot, lambda: wizard.step == "check")  # type: ignore[attr-defined]


async def to_file(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: pilot.app.may_import)  # type: ignore[attr-defined]
    await pilot.press("i")
    wizard = pilot.app.screen
    await wait_for(pilot, lambda: wizard.query_one("#picker-files", DataTable).row_count > 2)
    wizard.query_one("#picker-files", DataTable).focus()
    await pilot.press("down", "down")


STEPS: dict[str, Step] = {
    "file": to_file,
    "sheet": to_sheet,
    "columns": to_columns,
    "check": to_check,
}


@pytest.mark.parametrize("step", STEPS)
def test_import_step(step: str, store_path: Path, uploads: Path, snap_compare: Any) -> None:
    memory = Remembered()
    memory.use_folder("import", UPLOADS)
    app = CentredeskApp(store_path, remembered=memory)
    assert snap_compare(app, terminal_size=SIZE, run_before=STEPS[step])


def test_import_load_progress_bar(
    store_path: Path, uploads: Path, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(job_progress, "time", clock)
    held, writing = blocking(import_wizard.load, "writing", seconds=5)
    monkeypatch.setattr(import_wizard, "load", held)
    app = CentredeskApp(store_path, remembered=Remembered())

    async def run_before(pilot: Pilot[Any]) -> None:
        await to_check(pilot)
        await pilot.press("l")
        await wait_for(pilot, writing.is_set)
        job = pilot.app.screen.query_one(JobProgress)
        job.post_message(JobProgressed("writing", 0, 1_000_000))
        await pilot.pause()
        clock.now = 4.0
        job.post_message(JobProgressed("writing", 400_000, 1_000_000))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_export_form(store_path: Path, snap_compare: Any) -> None:
    memory = Remembered()
    memory.use_folder("export", Path(tempfile.gettempdir()))
    app = CentredeskApp(store_path, remembered=memory)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("e")
        form = pilot.app.screen
        form.query_one("#export-what", Select).value = "registrations"
        await wait_for(pilot, lambda: bool(form.values))  # type: ignore[attr-defined]
        await pilot.pause()
        form.query_one("#filter-centre", Select).value = "100001"
        form.query_one("#filter-surname", Input).value = "smi"
        await pilot.pause()
        # The default name carries today's date: a fixed one keeps the snapshot the same.
        form.query_one("#export-target", Input).value = "/tmp/registrations-100001.xlsx"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
