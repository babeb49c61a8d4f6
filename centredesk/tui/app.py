"""The full-screen app."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from centredesk.store import Store
from centredesk.store.queries import table_counts


class CentredeskApp(App[int]):
    """Browse the store. Receives the database path; opens it only while it reads."""

    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        yield Header()
        with Store.open(self.db_path, read_only=True) as store:
            counts = table_counts(store)
        lines = "\n".join(f"{name:<15} {count:>10,}" for name, count in counts.items())
        yield Static(lines, id="counts")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "centredesk"
        self.sub_title = self.db_path.name


def run(db_path: Path) -> int:
    """Run the app until the user quits; returns the exit status."""
    return CentredeskApp(db_path).run() or 0
