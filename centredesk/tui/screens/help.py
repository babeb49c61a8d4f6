"""The help screen (F1 or ?): every key, and how the search bar reads what you type."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from centredesk.store.views import VIEWS
from centredesk.tui.search import field_word

TAB_LABELS = {
    "learners": "Learners",
    "registrations": "Registrations",
    "bookings": "Bookings",
    "results": "Results",
    "products": "Products",
    "imports": "Imports",
}


def tab_fields(name: str) -> str:
    """A tab's search fields as typed, e.g. ``learner: surname: forename: born: …``."""
    return " ".join(f"{field_word(field)}:" for field in VIEWS[name].search_fields)


def _fields_of_every_tab() -> str:
    lines = []
    for name, label in TAB_LABELS.items():
        lines.extend(
            textwrap.wrap(
                tab_fields(name),
                width=WIDTH,
                initial_indent=f"  {label:<14} ",
                subsequent_indent=" " * 17,
            )
        )
    return "\n".join(lines)


WIDTH = 72
"""The help's lines fit the box it opens in on an 80-column terminal."""

HELP = f"""\
[b]Views[/b]  (from any screen)
  1 Dashboard   2 Learners   3 Registrations   4 Bookings
  5 Results     6 Products   7 Imports         8 History

[b]Tables[/b]
  ↑ ↓ PgUp PgDn Home End   move through rows (the mouse wheel scrolls)
  ← →                      choose a column
  s                        sort by the chosen column; again to reverse
  Enter                    open the learner, or the import
  /                        search as you type; Enter or Esc ends it
  Esc                      in the table: clear the search
  A value cut short ends in …; the line under the table shows the
  focused row's whole, with the columns a narrow terminal leaves out.

[b]Search[/b]
  smith freya              words find names, numbers, codes, titles,
                           in any order
  o'c   lukasz             accents, apostrophes and ł ø ß do not matter
  surname:smi born:03/04   a field narrows by one column; all must match
  born:3/4   session:30/10 dates day first; no year: any year
  A tab's fields are its column headers; some have other names too
  (dob: first: last: code: id:). The fields of each tab:
{_fields_of_every_tab()}

[b]Up to date[/b]
  The screen follows imports made elsewhere by itself, in a few seconds.
  ctrl+r                   read what is on screen again now

[b]Import and export[/b]   (from any tab)
  i                        import a file: file, sheet and kind, columns,
                           check, load
  e                        export a workbook, a template, a fix list,
                           or this table as searched and sorted
  In the import            n next   b back   Enter or c change a column
                           r columns as headed   f fix list   l load
  In the export            ctrl+s write the workbook
  Esc                      cancels a job that runs, else closes

[b]Changing records[/b]  (as your role allows: the header shows it)
  space  select the row    a  the rows on screen    A  all that match
  b      the row's batch   n  none        (Registrations and Learners)
  w u x  withdraw, un-withdraw, cancel the selection (or the row)
  F2     edit the row's learner;  e  on the learner's own screen
  x      on a booking in the learner's screen: cancel it
  ctrl+s save a form;  Esc leaves it, asking first if you typed
  ctrl+z undo your own last change;  z  a change in History
  m      Manage ULNs: learners without one (ULN admins)
  r      roll back an import (Imports tab, admins)
  f      fix a rejected row in place (from the import's issues)
  History search: user: learner: batch: action: date: from: to:

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
        width: 78; max-height: 21; border: round $primary; background: $surface; padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as body:
            body.border_title = "Help"
            body.border_subtitle = "↓ PgDn for more"
            yield Static(HELP.rstrip("\n"), id="help-text")
        yield Footer()

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
