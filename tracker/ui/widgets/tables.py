"""Tables whose Enter key is shown in the Footer with what it does."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class OpenableTable(DataTable):
    """A row-cursor table where Enter opens the highlighted row."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", show=True, id="open_row")]

    def __init__(self, **kwargs):
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)


class ReadingTable(DataTable):
    """A row-cursor table for reading."""

    def __init__(self, **kwargs):
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
