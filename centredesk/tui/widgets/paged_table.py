"""A table that shows any number of rows by fetching only the pages on screen.

The table holds the ordered keys of its rows (one column, from the store) and fetches the
cells of 100-row pages in worker threads, ahead of need: the pages within a screenful of
what is shown, keeping a few cached. Drawing never waits for the store: a row whose page is
not here yet is drawn as a placeholder and filled in when the page arrives, so a slow disk
or a database held by another process never freezes a key press. Rendering is line by line
on :class:`~textual.scroll_view.ScrollView`, so a 1,000,000-row table costs no more to draw
than a 20-row one. (textual-fastdatatable was measured too: it
wants every cell in memory up front to measure column widths, 0.5-1 s before first paint
at 1,000,000 rows against ~40 ms here.) Column widths come from the rows fetched so far
instead: each column grows to its widest value seen, and :func:`layout` fits them to the
terminal (see :class:`TableColumn`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pyarrow as pa  # type: ignore[import-untyped]
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from centredesk.errors import UserError

PAGE_ROWS = 100
CACHED_PAGES = 16


@dataclass(frozen=True)
class TableColumn:
    """A column as the table draws it.

    A column is as wide as its widest value so far (or its header). When the terminal is
    too narrow for that, the columns with ``cut`` (free text: names, titles) give way,
    sharing what the others leave in proportion to their ``weight`` but never narrower
    than ``cut``; if even that does not fit, the columns with ``drop`` leave the table,
    lowest first (their values show in the line under it).
    """

    name: str
    label: str
    cut: int = 0
    weight: int = 1
    drop: int = 0


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis at the end."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + ("…" if width else "")


def layout(columns: Sequence[TableColumn], needs: Sequence[int], room: int) -> list[int]:
    """Each column's width in ``room`` cells (a space after each column included); 0 for a
    column left out. See :class:`TableColumn` for who gives way first."""

    def least(i: int) -> int:
        return min(columns[i].cut, needs[i]) if columns[i].cut else needs[i]

    shown = list(range(len(columns)))
    droppable = sorted((column.drop, i) for i, column in enumerate(columns) if column.drop)
    while sum(least(i) + 1 for i in shown) > room and droppable:
        shown.remove(droppable.pop(0)[1])
    widths = [0] * len(columns)
    flexible = [i for i in shown if columns[i].cut]
    for i in shown:
        widths[i] = needs[i]
    left = room - sum(needs[i] + 1 for i in shown if not columns[i].cut) - len(flexible)
    if sum(needs[i] for i in flexible) <= left:
        return widths
    # Those needing less than their share get what they need; the rest share the remainder.
    pending = list(flexible)
    while pending:
        weight = sum(columns[i].weight for i in pending)
        served = [i for i in pending if needs[i] * weight <= left * columns[i].weight]
        if not served:
            break
        for i in served:
            left -= needs[i]
            pending.remove(i)
    weight = sum(columns[i].weight for i in pending)
    for i in pending:
        widths[i] = max(least(i), left * columns[i].weight // max(weight, 1))
    if pending:  # cells lost to rounding go to the heaviest column
        heaviest = max(pending, key=lambda i: columns[i].weight)
        widths[heaviest] += max(left - sum(widths[i] for i in pending), 0)
    return widths


FetchRows = Callable[[list[Any]], Sequence[tuple[str, ...]]]
"""Given keys, the cells of those rows (as text, in the table's column order). Called from a
worker thread, never on the event loop."""


class PagedTable(ScrollView, can_focus=True):
    """Rows paged in from the store on demand, with a row cursor and a column cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", show=True),
        Binding("s", "sort", "Sort", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("left", "cursor_left", show=False),
        Binding("right", "cursor_right", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home", "first_row", show=False),
        Binding("end", "last_row", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--sorted",
        "paged-table--cursor",
        "paged-table--cursor-cell",
        "paged-table--odd",
        "paged-table--empty",
        "paged-table--marked",
    }
    DEFAULT_CSS = """
    PagedTable { background: $surface; height: 1fr; scrollbar-size-vertical: 1; }
    PagedTable > .paged-table--header { text-style: bold; background: $panel; }
    PagedTable > .paged-table--sorted { text-style: bold underline; background: $panel; }
    PagedTable > .paged-table--odd { background: $boost; }
    PagedTable > .paged-table--empty { color: $text-muted; text-style: italic; }
    PagedTable > .paged-table--marked { background: $accent 30%; text-style: bold; }
    PagedTable > .paged-table--cursor { background: $primary 30%; }
    PagedTable:focus > .paged-table--cursor { background: $primary 50%; }
    PagedTable:focus > .paged-table--cursor-cell { background: $primary; color: $text; }
    """

    cursor_row: reactive[int] = reactive(0)
    cursor_column: reactive[int] = reactive(0)

    class Selected(Message):
        """Enter (or a second click) on a row."""

        def __init__(self, table: PagedTable, key: Any, cells: dict[str, str]) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.cells = cells

        @property
        def control(self) -> PagedTable:
            return self.table

    class SortRequested(Message):
        """The user asked to sort by a column."""

        def __init__(self, table: PagedTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    class CursorMoved(Message):
        """The focused row, its values or the column widths changed: what is cut may too."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    class PageFetched(Message, bubble=False):
        """A page's cells arrived from a worker."""

        def __init__(self, generation: int, page: int, rows: Sequence[tuple[str, ...]]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    class FetchFailed(Message):
        """A page could not be read (the database is held by another process, say)."""

        def __init__(self, table: PagedTable, error: UserError) -> None:
            super().__init__()
            self.table = table
            self.error = error

    def __init__(
        self,
        columns: Sequence[TableColumn],
        fetch: FetchRows,
        *,
        selectable: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self._fetch = fetch
        self.selectable = selectable
        """Whether Enter opens a row (offered in the footer only then)."""
        self.empty_text = ""
        """What the table says when it has no rows."""
        self._keys: Any = pa.array([], pa.int64())
        self._pages: OrderedDict[int, Sequence[tuple[str, ...]]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        """Counts :meth:`show` calls: a page fetched for older keys is dropped."""
        self.page_fetches = 0
        """How many pages arrived from the store since the table was made."""
        self.sort_column: str | None = None
        self.sort_descending = False
        self.marked: Callable[[Any], bool] | None = None
        """Whether the row with a key is marked (selected): drawn with a ✓ before it."""
        self._widest = [0] * len(self.columns)
        """The widest value of each column seen so far."""
        self.widths: list[int] = []
        self._offsets: list[int] = []
        self._line_width = 0
        self._relayout(tell=False)

    def _relayout(self, *, tell: bool = True) -> None:
        """Work out the column widths again (new values seen, a new sort, a resize)."""
        labels = [
            cell_len(column.label) + (1 if column.name == self.sort_column else 0)  # the arrow
            for column in self.columns
        ]
        # A column of free text is as wide as its values; its header may be cut to fit them
        # (Assessment over codes of three letters) unless there is room to spare.
        needs = [
            max(widest, min(label, column.cut) if column.cut else label)
            for widest, label, column in zip(self._widest, labels, self.columns, strict=True)
        ]
        # The width the rows have: the vertical scrollbar takes its share once they overflow
        # (worked out here, as the bar only appears after the layout that needs it).
        overflows = len(self._keys) + 1 > self.size.height
        bar = self.styles.scrollbar_size_vertical if overflows else 0
        room = max(self.size.width - bar - 1, 1)
        widths = layout(self.columns, needs, room)
        spare = room - sum(width + 1 for width in widths if width)
        for position, label in enumerate(labels):
            if 0 < widths[position] < label and spare > 0:
                grown = min(label - widths[position], spare)
                widths[position] += grown
                spare -= grown
        if widths == self.widths:
            return
        self.widths = widths
        self._offsets = []
        position = 1
        for width in widths:
            self._offsets.append(position)
            position += width + 1 if width else 0
        self._line_width = position
        if self.is_mounted and not widths[self.cursor_column]:
            self.cursor_column = self._nearest_shown(self.cursor_column, -1)
        self.virtual_size = Size(self._line_width, len(self._keys) + 1)
        if tell:
            self.refresh()
            self.post_message(self.CursorMoved(self))

    def _measure(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Widen the columns to the values of newly arrived rows (they never narrow while
        the table is shown, so paging does not make the columns jump back and forth)."""
        for position, column in enumerate(zip(*rows, strict=False)):
            widest = max(map(cell_len, column), default=0)
            if widest > self._widest[position]:
                self._widest[position] = widest

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def cut_cells(self, index: int) -> list[tuple[str, str]]:
        """The header and whole value of each cell of row ``index`` that is cut short on
        screen or left out of it (a left-out column's empty values are not worth a word)."""
        cells = self.row_cells(index)
        if cells is None:
            return []
        return [
            (column.label, text)
            for column, width, text in zip(self.columns, self.widths, cells, strict=True)
            if cell_len(text) > width
        ]

    def _nearest_shown(self, position: int, step: int) -> int:
        """The column at ``position`` or the next shown one in direction ``step``."""
        shown = [i for i, width in enumerate(self.widths) if width]
        if not shown:
            return 0
        ahead = [i for i in shown if (i - position) * step >= 0]
        return (min(ahead, key=lambda i: abs(i - position)) if ahead else
                min(shown, key=lambda i: abs(i - position)))  # fmt: skip

    # -- data ---------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def show(self, keys: Any, *, keep_cursor: bool = False) -> None:
        """Show the rows with ``keys`` (an Arrow array, the store's keys read as they are
        listed, or a list), in that order.

        The keys stay where they are: a million of them are never turned into Python
        objects, only the hundred of the page being fetched.
        """
        self._keys = keys if hasattr(keys, "slice") else pa.array(keys)
        self._pages.clear()
        self._pending.clear()
        self._generation += 1
        self.virtual_size = Size(self._line_width, len(self._keys) + 1)
        self._relayout()
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = min(self.cursor_row, max(len(self._keys) - 1, 0))
        self.refresh()
        self.refresh_bindings()  # Enter opens a row only when there is one
        self._want_pages()

    def _want_pages(self) -> None:
        """Fetch, in workers, the pages within a screenful of the rows on screen."""
        if not len(self._keys):
            return
        top = int(self.scroll_y)
        first = max(top - self._visible_rows, 0) // PAGE_ROWS
        last = min(top + 2 * self._visible_rows, len(self._keys) - 1) // PAGE_ROWS
        for number in range(first, last + 1):
            if number not in self._pages and number not in self._pending:
                self._request(number)

    def _request(self, number: int) -> None:
        self._pending.add(number)
        keys = self._keys.slice(number * PAGE_ROWS, PAGE_ROWS)
        generation = self._generation

        def fetch() -> None:
            try:
                # Listed here, in the worker: a server store reads keys as they are listed.
                rows = self._fetch(keys.to_pylist())
            except UserError as error:
                # The page stays asked for: the app offers a retry, which shows the rows
                # afresh and asks again.
                self.post_message(self.FetchFailed(self, error))
                return
            self.post_message(self.PageFetched(generation, number, rows))

        self.run_worker(fetch, name=f"page {number}", group="pages", thread=True,
                        exit_on_error=False)  # fmt: skip

    def on_paged_table_page_fetched(self, message: PageFetched) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._pending.discard(message.page)
        self.page_fetches += 1
        self._pages[message.page] = message.rows
        if len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self._measure(message.rows)
        self._relayout()
        self.refresh()
        if self.cursor_row // PAGE_ROWS == message.page:
            self.post_message(self.CursorMoved(self))

    @property
    def pending_pages(self) -> int:
        """Pages asked for and not here yet."""
        return len(self._pending)

    @property
    def keys(self) -> Any:
        """The keys of every row, in order (an Arrow array)."""
        return self._keys

    def key_at(self, index: int) -> Any:
        """The key of row ``index``; None past the end."""
        if not 0 <= index < len(self._keys):
            return None
        # By slice, which an Arrow array and a server's keys read in blocks both answer.
        return self._keys.slice(index, 1).to_pylist()[0]

    def keys_on_screen(self) -> list[Any]:
        """The keys of the rows the table shows now."""
        top = int(self.scroll_y)
        return self._keys.slice(top, self._visible_rows).to_pylist()  # type: ignore[no-any-return]

    def row_cells(self, index: int) -> tuple[str, ...] | None:
        """The cells of row ``index`` if its page is here; None until it is fetched."""
        if not 0 <= index < len(self._keys):
            return None
        rows = self._pages.get(index // PAGE_ROWS)
        if rows is None or index % PAGE_ROWS >= len(rows):
            return None
        return rows[index % PAGE_ROWS]

    # -- drawing ------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(self.size.height - 1, 1)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            # Drawing only asks for pages (in workers); it never waits for one.
            self._want_pages()
            strip = self._header_strip()
        else:
            index = scroll_y + y - 1
            if index < len(self._keys):
                strip = self._row_strip(index)
            elif not len(self._keys) and index < len(empty := self.empty_text.splitlines()):
                style = self.rich_style + self.get_component_rich_style("paged-table--empty")
                strip = Strip([Segment(f" {empty[index]}", style)])
            else:
                # A blank line with a real style: a None style breaks the NO_COLOR filter.
                strip = Strip.blank(0, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + self.size.width, self.rich_style)

    def _header_strip(self) -> Strip:
        base = self.get_component_rich_style("paged-table--header")
        sorted_style = self.get_component_rich_style("paged-table--sorted")
        segments = [Segment(" ", base)]
        for column, width in zip(self.columns, self.widths, strict=True):
            if not width:
                continue
            label = column.label
            style = base
            if column.name == self.sort_column:
                label = f"{label}{'↓' if self.sort_descending else '↑'}"
                style = sorted_style
            segments.append(Segment(fit(label, width), style))
            segments.append(Segment(" ", base))
        return Strip(segments, self._line_width)

    def _row_strip(self, index: int) -> Strip:
        cells = self.row_cells(index)
        style = self.rich_style
        if index % 2:
            style = style + self.get_component_rich_style("paged-table--odd")
        mark = " "
        if self.marked is not None and self.marked(self.key_at(index)):
            # A mark as well as a colour, so a selection shows without colour too.
            mark = "✓"
            style = style + self.get_component_rich_style("paged-table--marked")
        cursor_cell: Style | None = None
        if index == self.cursor_row:
            style = style + self.get_component_rich_style("paged-table--cursor")
            if self.has_focus:  # the chosen column stands out only where keys go
                cursor_cell = style + self.get_component_rich_style("paged-table--cursor-cell")
        segments = [Segment(mark, style)]
        for position, width in enumerate(self.widths):
            if not width:
                continue
            text = "…" if cells is None else cells[position]
            cell_style = cursor_cell if cursor_cell and position == self.cursor_column else style
            segments.append(Segment(fit(text, width), cell_style))
            segments.append(Segment(" ", style))
        return Strip(segments, self._line_width)

    # -- cursor -------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self))

    def watch_cursor_column(self, old: int, new: int) -> None:
        self.refresh()
        start = self._offsets[new] - 1
        end = start + self.widths[new] + 2
        if start < self.scroll_x:
            self.scroll_to(x=start, animate=False, immediate=True)
        elif end > self.scroll_x + self.size.width:
            self.scroll_to(x=end - self.size.width, animate=False, immediate=True)

    def _scroll_cursor_into_view(self) -> None:
        top = self.scroll_y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._visible_rows:
            self.scroll_to(
                y=self.cursor_row - self._visible_rows + 1, animate=False, immediate=True
            )

    def _move(self, rows: int) -> None:
        if self._keys:
            self.cursor_row = max(0, min(len(self._keys) - 1, self.cursor_row + rows))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self.scroll_to(y=max(self.scroll_y - self._visible_rows, 0), animate=False, immediate=True)
        self._move(-self._visible_rows)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self._visible_rows, animate=False, immediate=True)
        self._move(self._visible_rows)

    def action_first_row(self) -> None:
        self._move(-len(self._keys))

    def action_last_row(self) -> None:
        self._move(len(self._keys))

    def action_cursor_left(self) -> None:
        self.cursor_column = self._nearest_shown(max(self.cursor_column - 1, 0), -1)

    def action_cursor_right(self) -> None:
        last = len(self.columns) - 1
        self.cursor_column = self._nearest_shown(min(self.cursor_column + 1, last), 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select":
            return self.selectable and bool(len(self._keys))
        if action == "sort":
            return bool(len(self._keys))
        return True

    def action_select(self) -> None:
        cells = self.row_cells(self.cursor_row)
        if cells is None:
            return
        named = {column.name: cell for column, cell in zip(self.columns, cells, strict=True)}
        (key,) = self._keys.slice(self.cursor_row, 1).to_pylist()
        self.post_message(self.Selected(self, key, named))

    def action_sort(self) -> None:
        self.post_message(self.SortRequested(self, self.columns[self.cursor_column].name))

    def _column_at(self, x: int) -> int | None:
        for position, offset in enumerate(self._offsets):
            if self.widths[position] and offset <= x < offset + self.widths[position] + 1:
                return position
        return None

    def on_click(self, event: events.Click) -> None:
        column = self._column_at(int(event.x + self.scroll_x))
        if event.y == 0:
            if column is not None:
                self.cursor_column = column
                self.action_sort()
            return
        index = int(self.scroll_y + event.y - 1)
        if index >= len(self._keys):
            return
        if column is not None:
            self.cursor_column = column
        if index == self.cursor_row and self.selectable:
            self.action_select()
        self.cursor_row = index
