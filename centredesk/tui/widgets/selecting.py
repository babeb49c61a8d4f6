"""A browsable table whose rows can be selected and acted on: Registrations and Learners.

Space selects the row under the cursor; ``a`` every row on screen, ``A`` every row that
matches the search, ``b`` (Registrations) the row's whole batch; ``n`` selects none. The
count is on the line above the table, always. ``w``, ``u`` and ``x`` withdraw, un-withdraw
and cancel the selection (or, with nothing selected, the row under the cursor): the job
previews what it will do, the app asks, the job does it (:mod:`centredesk.tui.acting`).

A selection of rows is their keys; a whole batch is the batch and its centre, so the job
treats it as a batch (one charge for a cancellation, which only an admin may make).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pyarrow as pa  # type: ignore[import-untyped]
from textual.binding import Binding, BindingType

from centredesk.store import Store
from centredesk.store.records import Change, Selection
from centredesk.tui.acting import Chosen, notify_refusal, status_flow
from centredesk.tui.database import Database
from centredesk.tui.widgets.browser import Browser
from centredesk.tui.writing import ChangesStore

_PERMISSIONS = {
    "withdraw": "withdraw",
    "unwithdraw": "unwithdraw",
    "cancel": "cancel",
    "edit": "edit",
}


class SelectingBrowser(Browser, ChangesStore):
    """A :class:`Browser` with a selection; ``selected`` holds the keys chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_row", "Select"),
        Binding("a", "select_page", "Select page", show=False),
        Binding("A", "select_matching", "Select all matching", show=False),
        Binding("b", "select_batch", "Select batch", show=False),
        Binding("n", "select_none", "Select none", show=False),
        Binding("w", "act('withdraw')", "Withdraw", show=False),
        Binding("u", "act('unwithdraw')", "Un-withdraw", show=False),
        Binding("x", "act('cancel')", "Cancel", show=False),
        Binding("f2", "edit", "Edit learner", show=False),
    ]
    """The footer offers only the tab's main action beside selecting (an 80-column footer
    holds no more with search, help and quit); the rest are in the help and the palette."""

    def __init__(
        self,
        database: Database,
        view_name: str,
        *,
        scope: Mapping[str, object] | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(database, view_name, scope=scope, id=id)
        self.selected: set[int] = set()
        self.whole_batch: tuple[str, str] | None = None
        """(batch label, centre) when the selection is a whole batch."""
        self.table.marked = self.selected.__contains__
        self._counts = ""

    # -- what is selected ----------------------------------------------------------------

    def _status(self, text: str, *, problem: bool = False) -> None:
        self._counts = text
        super()._status(self._selection_text() + text, problem=problem)

    def _selection_text(self) -> str:
        """First on the line, so that a narrow terminal never cuts it off."""
        if not self.selected:
            return ""
        noun = "learner" if self.view.name == "learners" else "registration"
        count = f"{len(self.selected):,} {noun}{'' if len(self.selected) == 1 else 's'}"
        if self.whole_batch is not None:
            batch, centre = self.whole_batch
            return f"✓ selected: {count}, batch {batch} at centre {centre} · "
        return f"✓ selected: {count} · "

    def _changed(self) -> None:
        super()._status(self._selection_text() + self._counts)
        self.table.refresh()
        self.app.refresh_bindings()

    def _select(self, keys: list[int], *, batch: tuple[str, str] | None = None) -> None:
        if batch is not None:
            self.selected.clear()
        # Rows added by hand make the selection rows, no longer the batch as such.
        self.whole_batch = batch
        self.selected.update(keys)
        self._changed()

    def action_toggle_row(self) -> None:
        """Select the row under the cursor, or unselect it."""
        key = self.table.key_at(self.table.cursor_row)
        if key is None:
            return
        if key in self.selected:
            self.selected.discard(key)
            self.whole_batch = None
            self._changed()
        else:
            self._select([key])
        self.table.action_cursor_down()

    def action_select_page(self) -> None:
        """Select every row on screen."""
        self._select(self.table.keys_on_screen())

    def action_select_matching(self) -> None:
        """Select every row that matches the search (every row without one)."""
        keys = self.table.keys
        if isinstance(keys, pa.ChunkedArray):
            keys = keys.combine_chunks()
        self._select(keys.to_pylist())

    def action_select_batch(self) -> None:
        """Select the whole batch of the registration under the cursor, as a batch."""
        key = self.table.key_at(self.table.cursor_row)
        if key is None or self.view.name != "registrations":
            return

        def batch_of(store: Store) -> tuple[str, str, list[int]]:
            row = store.registrations.selected(Selection((int(key),)))
            batch, centre = str(row["batch_number"][0]), str(row["centre_number"][0])
            members = store.registrations.selected(Selection.of_batch(batch, centre))
            return batch, centre, members.get_column("registration_id").to_list()

        def chosen(answer: tuple[str, str, list[int]]) -> None:
            batch, centre, keys = answer
            self._select(keys, batch=(batch, centre))

        self.read_store(batch_of, chosen, name="batch", kind="batch",
                        failed=lambda error: notify_refusal(self, error))  # fmt: skip

    def action_select_none(self) -> None:
        """Clear the selection."""
        self.selected.clear()
        self.whole_batch = None
        self._changed()

    # -- acting on it --------------------------------------------------------------------

    def chosen(self) -> Chosen | None:
        """The selection, or the row under the cursor when nothing is selected."""
        if self.whole_batch is not None:
            return Chosen(self.view.name, batch=self.whole_batch[0], centre=self.whole_batch[1])
        if self.selected:
            return Chosen(self.view.name, tuple(sorted(self.selected)))
        key = self.table.key_at(self.table.cursor_row)
        return None if key is None else Chosen(self.view.name, (int(key),))

    def action_act(self, action: str) -> None:
        """Withdraw, un-withdraw or cancel the selection, after a preview and a question."""
        chosen = self.chosen()
        if chosen is not None:
            status_flow(self, action, chosen, self._done)

    def _done(self, change: Change) -> None:
        # The app reads every table again after a change; the selection has served.
        self.action_select_none()

    def action_edit(self) -> None:
        """Edit the learner of the row under the cursor."""
        cells = self.table.row_cells(self.table.cursor_row)
        if cells is None:
            return
        names = [column.name for column in self.table.columns]
        number = int(cells[names.index("learner_number")])
        from centredesk.tui.screens.edit_learner import EditLearnerScreen

        self.app.push_screen(
            EditLearnerScreen(self.database, number),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the user's role allows (the jobs check it again)."""
        identity = self.database.identity
        if action == "act":
            return identity.may(_PERMISSIONS[str(parameters[0])])
        if action == "edit":
            return identity.may("edit")
        if action in ("toggle_row", "select_page", "select_matching", "select_none"):
            return identity.may("withdraw")
        if action == "select_batch":
            return identity.may("withdraw") and self.view.name == "registrations"
        return super().check_action(action, parameters)


class RegistrationsBrowser(SelectingBrowser):
    """Registrations: withdrawing is what the footer offers."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("w", "act('withdraw')", "Withdraw")]


class LearnersBrowser(SelectingBrowser):
    """Learners: editing the learner is what the footer offers."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "edit", "Edit learner")]
