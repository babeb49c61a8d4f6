"""The full-screen app: a dashboard and a paged, searchable table per kind of record.

The app is given the database's location, not an open store: it holds the file only while
it reads (see :mod:`centredesk.tui.database`), so an import in another terminal can run while
the app sits open. Every few seconds, and whenever a tab is shown, it checks cheaply whether
the data changed, and reads again what is on screen if it did: an import made elsewhere
shows up without a key press. When the file is held by another process the app says which
file and which process, and offers to retry or quit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane

from centredesk.errors import UserError
from centredesk.jobs.exporting import ViewColumn
from centredesk.jobs.remembered import Remembered
from centredesk.store import Location
from centredesk.tui.acting import undo_last_flow
from centredesk.tui.database import IDLE_SECONDS, Database, Identity
from centredesk.tui.reading import ReadsStore, StoreProblem
from centredesk.tui.screens.dashboard import DashboardView
from centredesk.tui.screens.export_form import ExportForm, TableShown
from centredesk.tui.screens.help import HelpScreen
from centredesk.tui.screens.history import HistoryView
from centredesk.tui.screens.import_wizard import ImportWizard
from centredesk.tui.screens.imports import ImportScreen, RejectedRowScreen
from centredesk.tui.screens.learner import LearnerScreen
from centredesk.tui.screens.problem import ProblemScreen
from centredesk.tui.screens.ulns import UlnScreen
from centredesk.tui.widgets.browser import Browser
from centredesk.tui.widgets.imports_browser import ImportsBrowser
from centredesk.tui.widgets.paged_table import PagedTable
from centredesk.tui.widgets.selecting import (
    LearnersBrowser,
    RegistrationsBrowser,
    SelectingBrowser,
)
from centredesk.tui.writing import StoreChanged

TABS = (
    ("dashboard", "Dashboard"),
    ("learners", "Learners"),
    ("registrations", "Registrations"),
    ("bookings", "Bookings"),
    ("results", "Results"),
    ("products", "Products"),
    ("imports", "Imports"),
    ("history", "History"),
)
PEOPLE = ("learners", "registrations", "bookings", "results")
SELECTING: dict[str, type[SelectingBrowser]] = {
    "learners": LearnersBrowser,
    "registrations": RegistrationsBrowser,
}
"""The tabs whose rows can be selected and acted on."""
DETAIL_SCREENS = (LearnerScreen, ImportScreen, RejectedRowScreen)
"""The screens that show what the store holds (read again when it changes)."""
EXIT_LOCKED = 2
"""Exit status when the user gives up on a database they cannot open (as the CLI's)."""
CHECK_SECONDS = 3.0
"""How often the app checks whether another process changed the data."""


class DataChecked(Message):
    """The store's data version, read by the periodic check (None: it could not be read)."""

    def __init__(self, version: tuple[int, ...] | None) -> None:
        super().__init__()
        self.version = version


class IdentityRead(Message):
    """The store said who the user is."""

    def __init__(self, identity: Identity) -> None:
        super().__init__()
        self.identity = identity


class CentredeskApp(App[int]):
    """Browse a centredesk database. Tests build one on a temporary file."""

    CSS_PATH = ["app.tcss", "transfer.tcss"]
    TITLE = "centredesk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1,question_mark", "help", "Help"),
        Binding("slash", "search", "Search"),
        Binding("i", "import_file", "Import", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
        Binding("ctrl+z", "undo_last", "Undo", show=False),
        Binding("m", "manage_ulns", "ULNs", show=False),
        *(
            Binding(str(number), f"show_tab('{tab}')", label, show=False)
            for number, (tab, label) in enumerate(TABS, start=1)
        ),
    ]

    def __init__(
        self,
        location: Location,
        *,
        idle_seconds: float = IDLE_SECONDS,
        check_seconds: float = CHECK_SECONDS,
        wait: float = 0,
        create_folder: bool = False,
        remembered: Remembered | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__()
        self.location = location
        self.database = Database(
            location,
            idle_seconds=idle_seconds,
            wait=wait,
            create_folder=create_folder,
            today=today,
        )
        self.check_seconds = check_seconds
        self.remembered = remembered or Remembered()
        self._problem_open = False
        self._checking = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="dashboard", id="tabs"):
            for tab, label in TABS:
                with TabPane(label, id=tab):
                    if tab == "dashboard":
                        yield DashboardView(self.database)
                    elif tab in SELECTING:
                        yield SELECTING[tab](self.database, tab)
                    elif tab == "imports":
                        yield ImportsBrowser(self.database)
                    elif tab == "history":
                        yield HistoryView(self.database)
                    else:
                        yield Browser(self.database, tab, selectable=tab != "products")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.location.name
        self.query_one(DashboardView).load()
        self.read_identity()
        self.set_interval(0.5, self.database.close_if_idle)
        self.set_interval(self.check_seconds, self.check_for_changes)

    # -- who is using the app ------------------------------------------------------------

    def read_identity(self) -> None:
        """Ask the store who the user is and their role, in a worker; the header shows it
        and the keys offered follow it."""

        def work() -> None:
            try:
                identity = self.database.read_identity()
            except UserError:
                return  # the tabs say what is wrong with the database
            self.post_message(IdentityRead(identity))

        self.run_worker(work, name="identity", group="identity", thread=True,
                        exit_on_error=False)  # fmt: skip

    @on(IdentityRead)
    def _identity_read(self, event: IdentityRead) -> None:
        identity = event.identity
        # In the title, so that every screen's header shows who is at work.
        self.title = f"centredesk · {identity.user} ({identity.role_name})"
        self.refresh_bindings()

    def on_unmount(self) -> None:
        self.database.close()

    # -- navigation ---------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        """Show one of the views (keys 1-8), from any screen."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        # Let go of the focus first: a focused widget that gets hidden hands it to a
        # neighbour in its own tab, and the tabs would follow it back there.
        tabs = self.query_one("#tabs", TabbedContent)
        self.screen.set_focus(None)
        if tabs.active == tab:
            browser = self._current_browser()
            if browser is not None:
                browser.table.focus()
        tabs.active = tab

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        browser = self._current_browser()
        self.check_for_changes()
        self.refresh_bindings()
        if browser is None:
            return
        if browser.loads == 0:
            browser.load()
        browser.table.focus()

    def _current_browser(self) -> Browser | HistoryView | None:
        try:
            tab = self.query_one("#tabs", TabbedContent).active
        except NoMatches:  # the app starting or closing
            return None
        if tab == "dashboard" or not tab:
            return None
        if tab == "history":
            return self.query_one(HistoryView)
        return self.query_one(f"#{tab}-browser", Browser)

    def action_search(self) -> None:
        """Put the cursor in the search bar of the current table."""
        browser = self._current_browser()
        if browser is not None:
            browser.focus_search()

    def action_help(self) -> None:
        """Show every key and the search syntax."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_refresh(self) -> None:
        """Read what is on screen again from the store."""
        reader = self._shown_reader()
        if reader is not None:
            reader.load()

    def _shown_reader(self) -> ReadsStore | None:
        """What reads the store for the screen in front: a detail screen, or the tab; None
        while the tabs are not there (the app starting or closing)."""
        if isinstance(self.screen, DETAIL_SCREENS):
            return self.screen
        try:
            return self._current_browser() or self.query_one(DashboardView)
        except NoMatches:
            return None

    @property
    def may_import(self) -> bool:
        """Whether the user's role lets them import: the import key is offered only then."""
        return self.database.identity.may("import")

    def action_import_file(self) -> None:
        """Import a file step by step: file, sheet and kind, columns, check, load."""
        if self.screen is self.screen_stack[0] and self.may_import:
            folder = self.remembered.folder("import") or Path.cwd()
            self.push_screen(ImportWizard(self.database, self.remembered, folder))

    def action_export(self) -> None:
        """Write a workbook: any export, a template, a fix list, or the table as shown."""
        if self.screen is self.screen_stack[0]:
            self.push_screen(ExportForm(self.database, self.remembered, self._table_shown()))

    def _table_shown(self) -> TableShown | None:
        browser = self._current_browser()
        if not isinstance(browser, Browser):
            return None  # the dashboard, or History (its changes are no export's table)
        label = dict(TABS)[browser.view.name]
        return TableShown(
            view=browser.view.name,
            label=label,
            columns=[ViewColumn(c.name, browser.shown[c.name].label) for c in browser.view.columns],
            search=dict(browser.search.fields),
            scope=dict(browser.scope),
            sort=browser.sort,
            descending=browser.descending,
            rows=browser.matched,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what works where the user is and what their role allows (the footer
        and palette show no more; the jobs check the role again)."""
        problem = any(isinstance(screen, ProblemScreen) for screen in self.screen_stack)
        # The import and the export are left with Esc, which cancels a job that runs first;
        # a tab key would leave one running unseen, and there is no table to read again.
        transfer = any(
            isinstance(screen, ImportWizard | ExportForm) for screen in self.screen_stack
        )
        identity = self.database.identity
        on_tabs = len(self.screen_stack) <= 1
        if action == "help":
            return not problem
        if action == "show_tab":
            return not problem and not transfer
        if action in ("import_file", "export"):
            # Offered from the tabs only (a dialog or detail screen has its own keys), and
            # importing only to those whose role allows it.
            return self.screen is self.screen_stack[0] and (
                action != "import_file" or self.may_import
            )
        if action == "refresh":
            # What it reads again is on screen: a tab or a detail screen, not a form.
            return (on_tabs or isinstance(self.screen, DETAIL_SCREENS)) and not transfer
        if action == "search":
            browser = self._current_browser()
            on_tab = len(self.screen_stack) == 1 and not isinstance(self.focused, Input)
            if not on_tab or browser is None:
                return False
            if isinstance(browser, HistoryView):
                return True
            if not browser.searchable:
                return False
            return bool(browser.total or browser.search.fields)  # nothing to search in
        if action == "undo_last":
            # Not from a form or a question: ctrl+z there must not undo a saved change.
            return identity.may("edit") and (on_tabs or isinstance(self.screen, LearnerScreen))
        if action == "manage_ulns":
            return identity.may("set_uln") and on_tabs
        return True

    # -- changes ------------------------------------------------------------------------

    def action_undo_last(self) -> None:
        """Undo your own latest change still standing; a notice says what was undone."""
        undo_last_flow(self.query_one(HistoryView), lambda _undoing: None)

    def action_manage_ulns(self) -> None:
        """Learners without a ULN (or with the placeholder): type theirs, row by row."""
        if not isinstance(self.screen, UlnScreen):
            self.push_screen(UlnScreen(self.database))

    @on(StoreChanged)
    def _store_changed(self, event: StoreChanged) -> None:
        """A change was saved here: read again whatever shows the store."""
        # Queried, not looked up one by one: the answer may arrive as the app closes, its
        # tabs gone.
        for dashboard in self.query(DashboardView):
            dashboard.load()
        for browser in self.query(Browser):
            if browser.loads:
                browser.load(keep_cursor=True)
        for history in self.query(HistoryView):
            if history.loads:
                history.load()
        for screen in self.screen_stack[1:]:
            if isinstance(screen, LearnerScreen | ImportScreen):
                screen.load()

    # -- following changes made elsewhere -----------------------------------------------

    def check_for_changes(self) -> None:
        """Ask the store, in a worker, whether the data changed since it was shown."""
        if self._checking or self._problem_open or not self.screen_stack:
            return
        reader = self._shown_reader()
        if reader is None or reader.version is None:
            return  # not read yet: the first answer will be current, no check needed
        self._checking = True

        def check() -> None:
            try:
                version: tuple[int, ...] | None = self.database.data_version()
            except UserError:
                version = None  # a writer holds the file: look again at the next check
            self.post_message(DataChecked(version))

        self.run_worker(check, name="data version", group="check", thread=True,
                        exit_on_error=False)  # fmt: skip

    @on(DataChecked)
    def _data_checked(self, event: DataChecked) -> None:
        self._checking = False
        if event.version is None or not self.screen_stack:
            return
        reader = self._shown_reader()
        if reader is None:
            return
        if reader.version is not None and reader.version != event.version:
            if isinstance(reader, Browser):
                reader.load(keep_cursor=True)
            else:
                reader.load()

    @on(PagedTable.Selected)
    def _row_selected(self, event: PagedTable.Selected) -> None:
        view = event.table.id.removesuffix("-table") if event.table.id else ""
        if view in PEOPLE:
            self.push_screen(LearnerScreen(self.database, int(event.cells["learner_number"])))
        elif view == "imports":
            self.push_screen(ImportScreen(self.database, int(event.key)))

    # -- the database held elsewhere ----------------------------------------------------

    @on(StoreProblem)
    def _store_problem(self, event: StoreProblem) -> None:
        self.show_problem(event.error, event.retry)

    @on(PagedTable.FetchFailed)
    def _page_problem(self, event: PagedTable.FetchFailed) -> None:
        self.show_problem(event.error, self.action_refresh)

    def show_problem(self, error: UserError, retry: Callable[[], None]) -> None:
        """Say what is wrong with the database; retry or quit as the user chooses."""
        if self._problem_open:
            return
        self._problem_open = True
        self.database.close()

        def chosen(again: bool | None) -> None:
            self._problem_open = False
            if again:
                retry()
            else:
                self.exit(EXIT_LOCKED, return_code=EXIT_LOCKED)

        self.push_screen(ProblemScreen(error), chosen)

    # -- command palette ----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.check_action("show_tab", ()):
            for number, (tab, label) in enumerate(TABS, start=1):
                yield SystemCommand(
                    f"Show {label}", f"Key {number}", lambda tab=tab: self.action_show_tab(tab)
                )
        if self.check_action("search", ()):
            yield SystemCommand("Search", "Search the current table (key /)", self.action_search)
        if self.check_action("undo_last", ()):
            yield SystemCommand(
                "Undo my last change", "Undo your latest change still standing (ctrl+z)",
                self.action_undo_last,
            )  # fmt: skip
        if self.check_action("manage_ulns", ()):
            yield SystemCommand(
                "Manage ULNs", "Learners without a ULN: type theirs (key m)",
                self.action_manage_ulns,
            )  # fmt: skip
        yield from self._focused_commands(screen)
        if self.check_action("refresh", ()):
            yield SystemCommand(
                "Refresh", "Read what is on screen again (ctrl+r)", self.action_refresh
            )
        if self.may_import:
            yield SystemCommand(
                "Import a file",
                "Choose, check and load a spreadsheet (key i)",
                self.action_import_file,
            )
        yield SystemCommand(
            "Export a workbook",
            "Any export, an upload template, a fix list, or this table as shown (key e)",
            self.action_export,
        )
        yield SystemCommand("Keys and search help", "F1 or ?", self.action_help)

    def _focused_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The keys of the focused widget and its parents that the user may use now, by
        name: selecting, withdrawing, cancelling, editing, rolling back, undoing."""
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not enabled or not binding.description or binding.action.startswith("app."):
                continue
            if binding.key in ("escape", "enter", "up", "down", "left", "right"):
                continue
            key = binding.key_display or binding.key

            def run_binding(action: str = binding.action, node: object = _node) -> None:
                self.call_later(self.run_action, action, node)

            yield SystemCommand(binding.description, f"Key {key}", run_binding)


def run(
    location: Location,
    *,
    wait: float = 0,
    create_folder: bool = False,
    remembered: Remembered | None = None,
) -> int:
    """Run the app until the user quits; returns the exit status."""
    app = CentredeskApp(location, wait=wait, create_folder=create_folder, remembered=remembered)
    return app.run() or 0
