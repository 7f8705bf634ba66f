"""A record's history, for any register: every recorded change, oldest first, read from the
audit trail (which nothing in the app can edit or delete)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tracker.exports.table import local_time


class HistoryScreen(ModalScreen[None]):
    """The history of one record: who changed what, when, from what to what. Read only.
    ``load(db)`` returns its history lines (``tracker.services.history.HistoryLine``); it runs
    in a worker."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="history_close"),
        Binding("h", "dismiss", "Close", show=False, id="history_close_h"),
    ]

    def __init__(self, title: str, load: Callable[[Any], list]) -> None:
        super().__init__()
        self.heading = title
        self.load = load
        self.lines: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="history-dialog"):
            yield Static(self.heading, id="history-title")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-detail")
            yield Static(
                "The history comes from the audit trail: it cannot be edited or deleted.",
                classes="muted",
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.add_column("When (UK time)", width=19)
        table.add_column("Who", width=16)
        table.add_column("What", width=16)
        table.add_column("Field", width=22)
        table.add_column("Was", width=28)
        table.add_column("Now", width=28)
        table.focus()
        self._load()

    @work(thread=True, group="history")
    def _load(self) -> None:
        lines = self.load(self.app.backend.database())
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines) -> None:
        self.lines = lines
        table = self.query_one("#history-table", DataTable)
        for n, line in enumerate(lines):
            table.add_row(
                local_time(line.occurred_at),
                line.actor,
                line.action,
                line.field,
                _short(line.old),
                _short(line.new),
                key=str(n),
            )
        if not lines:
            table.add_row("", "", "No changes recorded", "", "", "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None or not self.lines:
            return
        line = self.lines[int(event.row_key.value)]
        self.query_one("#history-detail", Static).update(
            Text.assemble(
                (f"{line.field or line.action}", "bold"),
                "\nWas: ",
                line.old or "—",
                "\nNow: ",
                line.new or "—",
            )
        )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


def _short(value: str, width: int = 28) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
