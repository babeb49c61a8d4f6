"""The first tab: what the store holds at a glance.

Counts per table, registrations by status, the latest imports and the open issues by rule.
The figures are read in a worker (a few GROUP BYs, ~10 ms at 1,000,000 rows) and drawn as
plain text blocks that fit an 80-column terminal.
"""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from centredesk.dates import uk_date
from centredesk.store.records import Dashboard
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore


class DashboardView(Grid, ReadsStore):
    """Four panels of figures; ``loads`` counts finished loads."""

    DEFAULT_CSS = """
    DashboardView { grid-size: 2 2; grid-columns: 1fr 1fr; grid-rows: auto 1fr; height: 1fr; }
    DashboardView > Static { border: round $primary 50%; padding: 0 1; height: 100%; }
    """

    def __init__(self, database: Database) -> None:
        super().__init__(id="dashboard-view")
        self.database = database
        self.loads = 0

    def compose(self) -> ComposeResult:
        for panel, title in (
            ("counts", "Records"),
            ("statuses", "Registrations by status"),
            ("imports", "Latest imports"),
            ("issues", "Open issues by rule"),
        ):
            widget = Static("…", id=f"dashboard-{panel}")
            widget.border_title = title
            yield widget

    def load(self) -> None:
        """Read the figures again."""
        self.read_store(lambda store: store.details.dashboard(), self._show, name="dashboard")

    def _show(self, figures: Dashboard) -> None:
        self.query_one("#dashboard-counts", Static).update(
            "\n".join(
                f"{name.capitalize():<14}{count:>12,}" for name, count in figures.counts.items()
            )
        )
        self.query_one("#dashboard-statuses", Static).update(
            "\n".join(
                f"{status.capitalize():<14}{count:>12,}"
                for status, count in figures.registrations_by_status.items()
            )
        )
        # Two lines per import, each within the 34 cells a panel has at 80 columns: when
        # and which file, then what it loaded, with the full UK date and time.
        imports = []
        for item in figures.latest_imports:
            name = item.file_name if len(item.file_name) <= 17 else item.file_name[:16] + "…"
            rejected = f"{item.rows_rejected:,} rejected"
            if item.rows_rejected:
                rejected = f"[$text-error]{rejected}[/]"
            imports.append(f"{uk_date(item.finished_at)} [b]{escape(name)}[/b]")
            imports.append(f"  {item.rows_accepted:,} loaded, {rejected}")
        self.query_one("#dashboard-imports", Static).update(
            "\n".join(imports) if figures.latest_imports else "No imports yet."
        )
        issues = [f"{'Rule':<18} {'Level':<7} {'Issues':>6}"] + [
            f"{code[:18]:<18} {severity:<7} {issues:>6,}"
            for code, severity, issues, _rows in figures.open_issues.rows()
        ]
        self.query_one("#dashboard-issues", Static).update(
            "\n".join(issues) if figures.open_issues.height else "No open issues."
        )
        self.loads += 1
