"""A table for a register too long to load into a widget.

The table knows only the ordered row ids of the current view and the rows it has been given.
It draws the rows on screen (Textual's line API), and asks its owner for the rows it lacks with
a ``RowsWanted`` message; the owner reads them from the database in a worker and hands them
back with ``set_rows``. A register of 100,000 risks costs it 100,000 integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE = 100  # rows asked for at a time
KEEP_PAGES = 40  # pages of rendered rows kept


@dataclass(frozen=True)
class RegisterColumn:
    key: str
    title: str
    width: int
    justify: str = "left"
    sort_key: str | None = None  # what the owner sorts by when the header is clicked


Cells = Sequence[Text | str]


class RegisterTable(ScrollView, can_focus=True):
    """A row-cursor table over a windowed register: up/down, page up/down, home/end, Enter
    opens the highlighted row; clicking a column header asks to sort by it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_row", "Open", id="open_row"),
        Binding("up", "cursor(-1)", "Up", show=False, id="cursor_up"),
        Binding("down", "cursor(1)", "Down", show=False, id="cursor_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("home", "jump(0)", "First row", show=False, id="first_row"),
        Binding("end", "jump(-1)", "Last row", show=False, id="last_row"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "register-table--header",
        "register-table--cursor",
        "register-table--even",
        "register-table--sorted",
        "register-table--loading",
    }
    DEFAULT_CSS = """
    RegisterTable { height: 1fr; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    # The table fills the height it is given, whatever its row count, so a new view needs only
    # its scrollbars updated and a repaint, not a layout of the whole screen (Textual declares a
    # virtual size to need one). A scrollbar appearing or going still lays the table out.
    virtual_size = Reactive(Size(0, 0), layout=False)

    class RowsWanted(Message):
        """The table needs the rows for ``ids`` (positions ``start`` onwards)."""

        def __init__(self, table: RegisterTable, start: int, ids: list[int]) -> None:
            super().__init__()
            self.table = table
            self.start = start
            self.ids = ids

        @property
        def control(self) -> RegisterTable:
            return self.table

    class Highlighted(Message):
        def __init__(self, table: RegisterTable, index: int, row_id: int | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row_id = row_id

        @property
        def control(self) -> RegisterTable:
            return self.table

    class Selected(Highlighted):
        pass

    class HeaderClicked(Message):
        def __init__(self, table: RegisterTable, column: RegisterColumn) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> RegisterTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[RegisterColumn],
        *,
        empty: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.empty = empty
        self.ids: Sequence[int] = ()
        self._cells: dict[int, Cells] = {}
        self._asked: set[int] = set()  # pages asked for and not yet given
        # Drawn lines by (row id, cursor, stripe, scroll, width, focus), each with the cells it
        # was drawn from: a new view that keeps a row's cells reuses its line.
        self._lines: dict[tuple, tuple[Cells | None, Strip]] = {}
        self.sorted_by: tuple[str, bool] | None = None  # (sort key, descending)
        self._highlighted: int | None = None  # the row id last announced as highlighted

    # ------------------------------------------------------------------ data

    def set_view(
        self, ids: Sequence[int], *, cursor: int | None = None, rows: dict | None = None
    ) -> None:
        """Show ``ids`` in this order (the sequence is kept, not copied), with the cursor at
        position ``cursor`` (default: where it was). ``rows`` may carry rendered cells."""
        self.ids = ids
        self._asked.clear()
        if rows:
            self._cells.update(rows)
        self.virtual_size = Size(self._width(), len(self.ids) + 1)
        self._scroll_update(self.virtual_size)
        target = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(target, len(self.ids) - 1))
        self.refresh()

    def set_rows(self, rows: dict[int, Cells]) -> None:
        """Rendered cells for some row ids (from a ``RowsWanted`` request or a fresh save)."""
        self._cells.update(rows)
        if len(self._cells) > PAGE * KEEP_PAGES:
            visible = set(self.ids[max(0, self.cursor - PAGE * 5) : self.cursor + PAGE * 5])
            self._cells = {k: v for k, v in self._cells.items() if k in visible or k in rows}
        self._asked.clear()
        self.refresh()

    def forget_rows(self, ids: Sequence[int] | None = None) -> None:
        """Drop rendered rows (all of them, or those given) so they are asked for again."""
        if ids is None:
            self._cells.clear()
        else:
            for row_id in ids:
                self._cells.pop(row_id, None)
        self._lines.clear()
        self.refresh()

    def show_sort(self, key: str | None, descending: bool = False) -> None:
        """Mark the column sorted by ``key`` in the header (▲ ascending, ▼ descending)."""
        self.sorted_by = (key, descending) if key else None
        self.refresh(Region(0, 0, self.size.width, 1))

    @property
    def row_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def wanted(self, around: int | None = None) -> list[int]:
        """The ids near the cursor (or ``around``) that have no rendered row yet."""
        middle = self.cursor if around is None else around
        start = max(0, middle - PAGE)
        return [i for i in self.ids[start : middle + PAGE * 2] if i not in self._cells]

    # ------------------------------------------------------------------ movement

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        if self.row_id != self._highlighted:
            self._highlighted = self.row_id
            self.post_message(self.Highlighted(self, new, self.row_id))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        rows = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        if self.ids:
            self.cursor = max(0, min(self.cursor + step, len(self.ids) - 1))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._visible_rows())

    def action_jump(self, where: int) -> None:
        if self.ids:
            self.cursor = len(self.ids) - 1 if where < 0 else 0

    def action_select_row(self) -> None:
        if self.row_id is not None:
            self.post_message(self.Selected(self, self.cursor, self.row_id))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None and column.sort_key:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.ids):
            self.cursor = index
            if event.chain > 1:
                self.action_select_row()

    def _column_at(self, x: int) -> RegisterColumn | None:
        first = self.columns[0].width + 1
        if x < first:
            return self.columns[0]
        position = first - round(self.scroll_x)
        for column in self.columns[1:]:
            position += column.width + 1
            if x < position:
                return column
        return None

    # ------------------------------------------------------------------ drawing

    def _width(self) -> int:
        return sum(c.width + 1 for c in self.columns)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        if y == 0:
            key = ("header", scroll_x, width, self.sorted_by)
            return self._line(key, None, None, scroll_x)
        index = scroll_y + y - 1
        if not self.ids:
            if y == 1:
                style = self.get_component_rich_style("register-table--loading")
                return Strip([Segment(f" {self.empty}".ljust(width), style)], width)
            return Strip.blank(width, self.rich_style)
        if index >= len(self.ids):
            return Strip.blank(width, self.rich_style)
        row_id = self.ids[index]
        cells = self._cells.get(row_id)
        if cells is None:
            self._ask(index)
            style = self.get_component_rich_style("register-table--loading")
            return Strip([Segment(" …".ljust(width), style)], width)
        key = (row_id, index == self.cursor, index % 2, scroll_x, width, self.has_focus)
        return self._line(key, cells, index, scroll_x)

    def _header_cells(self) -> list[Text]:
        cells = []
        for column in self.columns:
            title = column.title
            if self.sorted_by and column.sort_key == self.sorted_by[0]:
                title = f"{title} {'▼' if self.sorted_by[1] else '▲'}"
            cells.append(Text(title))
        return cells

    def _line(self, key: tuple, cells: Cells | None, index: int | None, scroll_x: int) -> Strip:
        """The line for a row's ``cells`` (the header's with None) as ``key`` describes it."""
        cached = self._lines.get(key)
        if cached is not None and cached[0] is cells:
            return cached[1]
        width = self.size.width
        if index is None:
            base = self.get_component_rich_style("register-table--header")
        elif index == self.cursor and self.has_focus:
            base = self.get_component_rich_style("register-table--cursor")
        elif index == self.cursor:
            base = self.get_component_rich_style("register-table--cursor") + Style(dim=True)
        elif index % 2:
            base = self.get_component_rich_style("register-table--even")
        else:
            base = self.rich_style
        if cells is None:
            cells = self._header_cells()
        fixed = Strip(self._cell(cells[0], self.columns[0], base))
        rest = [
            self._cell(c, col, base) for c, col in zip(cells[1:], self.columns[1:], strict=True)
        ]
        scrolled = Strip([s for strip in rest for s in strip])
        scrolled = scrolled.crop(scroll_x, scroll_x + max(0, width - fixed.cell_length))
        strip = Strip([*fixed, *scrolled]).adjust_cell_length(width, base)
        if len(self._lines) > 500:
            self._lines.clear()
        self._lines[key] = (None if index is None else cells, strip)
        return strip

    def _cell(self, value: Text | str, column: RegisterColumn, base: Style) -> list[Segment]:
        text = value.copy() if isinstance(value, Text) else Text(str(value))
        if "\n" in text.plain:
            text = Text(" ".join(text.plain.split()), style=text.style)
        text.truncate(column.width, overflow="ellipsis")
        plain_length = text.cell_len
        pad = column.width - plain_length
        if column.justify == "right":
            text = Text(" " * pad) + text
        else:
            text.append(" " * pad)
        text.append(" ")
        segments = list(text.render(self.app.console))
        return [Segment(s.text, base + s.style if s.style else base) for s in segments if s.text]

    def _ask(self, index: int) -> None:
        page = index // PAGE
        if page in self._asked:
            return
        self._asked.add(page)
        start = max(0, page * PAGE - PAGE)
        ids = [i for i in self.ids[start : (page + 2) * PAGE] if i not in self._cells]
        if ids:
            self.post_message(self.RowsWanted(self, start, ids))
