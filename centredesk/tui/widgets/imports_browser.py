"""The Imports tab: the imports, newest first, and rolling one back (admins, key ``r``)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from centredesk.tui.acting import rollback_flow
from centredesk.tui.database import Database
from centredesk.tui.widgets.browser import Browser
from centredesk.tui.writing import ChangesStore


class ImportsBrowser(Browser, ChangesStore):
    """A :class:`Browser` of the imports with a roll-back key for those who may use it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "rollback", "Roll back")]

    def __init__(self, database: Database) -> None:
        super().__init__(database, "imports")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rollback":
            return self.database.identity.may("rollback") and self.table.row_count > 0
        return super().check_action(action, parameters)

    def action_rollback(self) -> None:
        """Roll back the import under the cursor, after saying what that removes (or why
        it cannot be done)."""
        key = self.table.key_at(self.table.cursor_row)
        if key is not None:
            rollback_flow(self, int(key), lambda change: None)  # the app reads it again
