"""Writing the fix-list workbook of a file being checked: where to, then progress."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from centredesk.errors import UserError
from centredesk.jobs.checked_file import CheckedFile
from centredesk.jobs.exporting import default_target
from centredesk.jobs.progress import Progress
from centredesk.jobs.remembered import Remembered
from centredesk.jobs.validating import write_report
from centredesk.tui.widgets.job_progress import JobProgress


class FixListScreen(ModalScreen[Path | None]):
    """Answers where the fix list went, or None when closed without writing one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "write", "Write"),
    ]
    DEFAULT_CSS = """
    FixListScreen { align: center middle; }
    FixListScreen > Vertical {
        width: 76; height: auto; border: round $primary; background: $surface; padding: 0 1;
    }
    FixListScreen Input { margin: 1 0 0 0; }
    FixListScreen #fix-list-message { height: auto; }
    FixListScreen #fix-list-message.-problem { color: $text-error; }
    """

    def __init__(self, checked: CheckedFile, remembered: Remembered) -> None:
        super().__init__(id="fix-list")
        self.checked = checked
        self.remembered = remembered
        folder = remembered.folder("export") or checked.path.parent
        stem = f"{Path(checked.sheet.file_name).stem}-fix-list"
        self.target = default_target(stem, {}, folder)
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Write the fix list"
            yield Static(
                "Every row as read, each problem cell marked with its rule, ready to correct "
                "and upload again. Enter or ctrl+s writes it."
            )
            yield Input(str(self.target), compact=True, id="fix-list-target")
            yield Checkbox("Replace the file if it exists", compact=True, id="fix-list-replace")
            yield Static("", id="fix-list-message")
            yield JobProgress(id="fix-list-job")

    def on_mount(self) -> None:
        self.query_one("#fix-list-target", Input).focus()

    @on(Input.Submitted, "#fix-list-target")
    def action_write(self) -> None:
        job = self.query_one("#fix-list-job", JobProgress)
        if job.running:
            return
        target = Path(self.query_one("#fix-list-target", Input).value.strip()).expanduser()
        replace = self.query_one("#fix-list-replace", Checkbox).value
        checked = self.checked

        def writing(progress: Progress) -> Path:
            return write_report(checked, target, force=replace, progress=progress)

        def failed(error: UserError) -> None:
            self._say(str(error), problem=True)

        self._say("")
        job.start(
            writing, self._written, failed, lambda: self._say("Cancelled: no file was written."),
            name="fix list",
        )  # fmt: skip

    def _written(self, path: Path) -> None:
        self.written = path
        self.remembered.use_folder("export", path.parent)
        self._say(f"Fix list written to {path}. Esc closes.")

    def _say(self, text: str, *, problem: bool = False) -> None:
        message = self.query_one("#fix-list-message", Static)
        message.update(escape(text))
        message.set_class(problem, "-problem")

    def action_close(self) -> None:
        if not self.query_one("#fix-list-job", JobProgress).cancel():
            self.dismiss(self.written)
