"""The first tab: what the store holds at a glance.

Counts per table, registrations by status, the latest imports and the open issues by rule.
The figures are read in a worker (a few GROUP BYs, ~10 ms at 1,000,000 rows) and drawn as
plain text blocks that fit an 80-column terminal and use the room of a wider one. An empty
store says instead how to fill it.
"""

from __future__ import annotations

import polars as pl
from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from centredesk.dates import uk_date
from centredesk.store.records import Dashboard
from centredesk.tui.database import Database
from centredesk.tui.reading import ReadsStore

NOTHING_YET = (
    "Nothing imported yet. Load the product catalogue and approvals first, then "
    "registrations: [b]i[/b] imports a file here, step by step, or from a terminal:\n\n"
    "  [b]centredesk import products.xlsx[/b]\n"
    "  [b]centredesk import approvals.xlsx[/b]\n"
    "  [b]centredesk import learners.xlsx[/b]\n\n"
    "This screen follows by itself. [b]e[/b] writes an upload template to fill in; "
    "[b]centredesk demo[/b] shows the app on sample data."
)
"""What an empty store's dashboard says: how to fill it."""


class DashboardView(Grid, ReadsStore):
    """Four panels of figures; ``loads`` counts finished loads."""

    DEFAULT_CSS = """
    DashboardView { grid-size: 2 2; grid-columns: 1fr 1fr; grid-rows: auto 1fr; height: 1fr; }
    DashboardView > Static { border: round $primary 50%; padding: 0 1; height: 100%; }
    DashboardView.-empty { grid-size: 1 1; grid-columns: 1fr; grid-rows: 1fr; }
    DashboardView.-empty > .dashboard--figures { display: none; }
    DashboardView > #dashboard-empty { display: none; }
    DashboardView.-empty > #dashboard-empty { display: block; }
    """

    def __init__(self, database: Database) -> None:
        super().__init__(id="dashboard-view")
        self.database = database
        self.loads = 0
        self.figures: Dashboard | None = None

    def compose(self) -> ComposeResult:
        for panel, title in (
            ("counts", "Records"),
            ("statuses", "Registrations by status"),
            ("imports", "Latest imports"),
            ("issues", "Open issues by rule"),
        ):
            widget = Static("…", id=f"dashboard-{panel}", classes="dashboard--figures")
            widget.border_title = title
            yield widget
        empty = Static(NOTHING_YET, id="dashboard-empty")
        empty.border_title = "An empty database"
        yield empty

    def load(self) -> None:
        """Read the figures again."""
        self.read_store(lambda store: store.details.dashboard(), self._show, name="dashboard")

    def _show(self, figures: Dashboard) -> None:
        self.figures = figures
        self.set_class(not figures.latest_imports and not any(figures.counts.values()), "-empty")
        self._draw()
        self.loads += 1

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        figures = self.figures
        if figures is None:
            return
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
        imports_panel = self.query_one("#dashboard-imports", Static)
        # Two lines per import: when and which file (as much of its name as the panel
        # holds), then what it loaded.
        room = max(imports_panel.content_region.width, 34)
        imports = []
        for item in figures.latest_imports:
            when = uk_date(item.finished_at)
            name = shorten(item.file_name, room - len(when) - 1)
            rejected = f"{item.rows_rejected:,} rejected"
            if item.rows_rejected:
                rejected = f"[$text-error]{rejected}[/]"
            imports.append(f"{when} [b]{escape(name)}[/b]")
            imports.append(f"  {item.rows_accepted:,} loaded, {rejected}")
        imports_panel.update("\n".join(imports) if figures.latest_imports else "No imports yet.")
        issues_panel = self.query_one("#dashboard-issues", Static)
        issues_panel.update(open_issues_text(figures, max(issues_panel.content_region.width, 34)))


def open_issues_text(figures: Dashboard, room: int) -> str:
    """The open issues by rule in ``room`` cells: errors, then warnings, codes whole."""
    if not figures.open_issues.height:
        return "No open issues: every rejected row has been loaded since."
    counts = figures.open_issues.get_column("issues")
    number = max(len("Issues"), *(len(f"{n:,}") for n in counts))
    code_width = room - number - 2
    lines: list[str] = []
    for severity, heading in (("error", "Errors"), ("warning", "Warnings")):
        rows = figures.open_issues.filter(pl.col("severity") == severity)
        if not rows.height:
            continue
        title = f"[b]{heading}[/b]"
        lines.append(title + " " * (room - len(heading) - number) + ("Issues" if not lines else ""))
        lines.extend(
            f" {shorten(code, code_width):<{code_width}} {issues:>{number},}"
            for code, _severity, issues, _rows in rows.rows()
        )
    return "\n".join(lines)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
