"""The help screen (F1 or ?): every key, and how the search bar reads what you type."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from centredesk.store.views import VIEWS
from centredesk.tui.search import field_list

HELP = f"""\
[b]Views[/b]
  1 Dashboard   2 Learners   3 Registrations   4 Bookings
  5 Results     6 Products   7 Imports

[b]Tables[/b]
  ↑ ↓ PgUp PgDn Home End   move through rows (the mouse wheel scrolls)
  ← →                      choose a column
  s                        sort by the chosen column; again to reverse
  Enter                    open the learner, or the import
  /                        search;  Esc leaves the search bar

[b]Search[/b]  fields: {field_list(VIEWS["learners"])}
  smi                      surname starts with "smi" (any case)
  surname:smi first:jo     several fields at once: all must match
  batch:1001 product:6030862X   dob:03/04/2010 (born, day first)
  dob:03/04  or  dob:3/4   born on 3 April, any year

[b]Anywhere[/b]
  Esc back    ctrl+p all actions    F1 or ? this help    ctrl+q quit
"""


class HelpScreen(ModalScreen[None]):
    """Keys and search syntax; any of Esc, F1, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-height: 22; border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as body:
            body.border_title = "Help"
            yield Static(HELP.rstrip("\n"), id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
