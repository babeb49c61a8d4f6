"""Choosing an upload: a folder's spreadsheets with size and date, or a path typed in.

Only the files the reader takes are listed (xlsx, xlsm, xls, ods, csv, tsv, txt), with
the folders to move through; the folder is listed in a worker thread, so a slow network
share never freezes the screen. Typing a folder's path lists it; typing a file's path
chooses it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from centredesk.dates import UK_DATE_TIME
from centredesk.io.limits import TEXT_SUFFIXES, WORKBOOK_SUFFIXES

SPREADSHEETS = WORKBOOK_SUFFIXES | TEXT_SUFFIXES


@dataclass(frozen=True)
class Entry:
    """One line of the listing: a folder, or a spreadsheet with its size and date."""

    path: Path
    folder: bool
    size: int = 0
    modified: float = 0.0


def list_folder(folder: Path) -> list[Entry]:
    """The folder's subfolders then its spreadsheets, each by name (hidden ones left out)."""
    folders: list[Entry] = []
    files: list[Entry] = []
    with os.scandir(folder) as found:
        for item in found:
            if item.name.startswith("."):
                continue
            try:
                if item.is_dir():
                    folders.append(Entry(Path(item.path), True))
                elif item.is_file() and Path(item.name).suffix.lower() in SPREADSHEETS:
                    stat = item.stat()
                    files.append(Entry(Path(item.path), False, stat.st_size, stat.st_mtime))
            except OSError:
                continue  # vanished or unreadable meanwhile: not offered
    return sorted(folders, key=_name) + sorted(files, key=_name)


def _name(entry: Entry) -> str:
    return entry.path.name.casefold()


def size_text(size: int) -> str:
    """A file size as people read it: 812 B, 42 KB, 71.4 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024**2:.1f} MB"


class FilePicker(Vertical):
    """The folder being looked at, its spreadsheets, and a line for problems."""

    DEFAULT_CSS = """
    FilePicker { height: 1fr; }
    FilePicker > Input { height: 1; border: none; padding: 0 1; background: $boost; }
    FilePicker > Input:focus { border: none; background: $primary 20%; }
    FilePicker > DataTable { height: 1fr; }
    FilePicker > #picker-problem { height: auto; padding: 0 1; color: $text-error; }
    """

    class Chosen(Message):
        """A spreadsheet was chosen."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, folder: Path, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.folder = folder
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        yield Input(str(self.folder), placeholder="a folder or a file's path", id="picker-path")
        yield DataTable(id="picker-files", cursor_type="row", zebra_stripes=True)
        yield Static("", id="picker-problem")

    def on_mount(self) -> None:
        table = self.query_one("#picker-files", DataTable)
        table.add_column("Name", width=44, key="name")
        table.add_column("Size", width=9, key="size")
        table.add_column("Modified", width=16, key="modified")
        self.show(self.folder)

    def show(self, folder: Path) -> None:
        """List ``folder`` (in a worker)."""

        def listing() -> None:
            try:
                entries = list_folder(folder)
            except OSError as error:
                reason = error.strerror or str(error)
                self.app.call_from_thread(self.problem, f"cannot list {folder}: {reason}")
                return
            self.app.call_from_thread(self._listed, folder, entries)

        self.run_worker(listing, name="list folder", group="picker", thread=True,
                        exclusive=True, exit_on_error=False)  # fmt: skip

    def _listed(self, folder: Path, entries: list[Entry]) -> None:
        self.folder, self.entries = folder, entries
        self.query_one("#picker-path", Input).value = str(folder)
        self.problem("")
        table = self.query_one("#picker-files", DataTable)
        table.clear()
        if folder.parent != folder:
            table.add_row("↑ ..", "", "", key="..")
        for entry in entries:
            if entry.folder:
                table.add_row(f"▸ {escape(entry.path.name)}/", "", "", key=str(entry.path))
            else:
                when = datetime.fromtimestamp(entry.modified).strftime(UK_DATE_TIME)
                table.add_row(
                    f"  {escape(entry.path.name)}", size_text(entry.size), when,
                    key=str(entry.path),
                )  # fmt: skip
        if not entries:
            self.problem("No spreadsheets here (xlsx, xlsm, xls, ods, csv, tsv, txt).")

    def on_key(self, event: events.Key) -> None:
        # From the typed path, ↓ goes down into the list (the path field has no use for it).
        table = self.query_one("#picker-files", DataTable)
        if event.key == "down" and self.query_one("#picker-path", Input).has_focus:
            event.stop()
            table.focus()

    def problem(self, text: str) -> None:
        """Say what is wrong with what was typed or chosen (empty: nothing)."""
        self.query_one("#picker-problem", Static).update(escape(text))

    @on(DataTable.RowSelected, "#picker-files")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        self.open(self.folder.parent if key == ".." else Path(key))

    @on(Input.Submitted, "#picker-path")
    def _path_typed(self, event: Input.Submitted) -> None:
        event.stop()
        typed = Path(event.value.strip()).expanduser()
        if not event.value.strip():
            return
        if not typed.is_absolute():
            typed = self.folder / typed
        self.open(typed)

    def open(self, path: Path) -> None:
        """List a folder, or choose a file (any file: the reader says what it makes of it)."""
        if path.is_dir():
            self.show(path)
            self.query_one("#picker-files", DataTable).focus()
        elif path.exists():
            self.post_message(self.Chosen(path))
        else:
            self.problem(f"{path}: no such file or folder")
