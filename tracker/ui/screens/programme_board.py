"""The programme board: one meeting reviewing several projects, each with its RAG, stage,
tolerance status, exceptions and the decisions it needs, the project that needs the board most
first. Enter opens the project; v opens its board review."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain.dates import format_date
from tracker.ui.formatting import date_cell, number_cell, rag_cell, warning_text
from tracker.ui.widgets.tables import OpenableTable


class ProgrammeBoardScreen(Screen):
    """The programme board's view of its projects, ordered by what needs the board most."""

    CSS_PATH = "board_review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="programme_back"),
        Binding("v", "review", "Board review", id="programme_review"),
        Binding("r", "reload", "Refresh", id="programme_refresh"),
    ]

    class Loaded(Message):
        def __init__(self, board: Any) -> None:
            super().__init__()
            self.board = board

    def __init__(self, programme: str) -> None:
        super().__init__()
        self.programme = programme
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the programme board…", id="programme-summary")
        yield OpenableTable(id="programme-table")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.programme} programme board"
        self.load()

    @work(thread=True, exclusive=True, group="programme-board")
    def load(self) -> None:
        from tracker.services.failures import user_message
        from tracker.services.programme_board import programme_board

        try:
            board = programme_board(self.app.backend.database(), self.programme)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        self.post_message(self.Loaded(board))

    def on_programme_board_screen_loaded(self, message: Loaded) -> None:
        board = message.board
        self.sub_title = board.board_name or board.name
        summary = Text()
        summary.append(f"{board.name}", style="bold")
        summary.append(f" · next meeting: {format_date(board.next_meeting) or 'not scheduled'}")
        summary.append(f" · {len(board.projects)} projects, most in need of the board first")
        self.query_one("#programme-summary", Static).update(summary)
        table = self.query_one("#programme-table", DataTable)
        table.clear(columns=True)
        table.add_column("Project")
        table.add_column("Name", width=30)
        table.add_column("RAG")
        table.add_column("Current stage", width=24)
        table.add_column("Time", width=26)
        table.add_column("Cost", width=26)
        table.add_column("Decisions")
        table.add_column("Needs the board", width=40)
        table.add_column("Next board")
        self.keys = []
        for p in board.projects:
            needs = warning_text(self.app, p.needs) if p.exceptions else p.needs
            table.add_row(
                p.key,
                p.name,
                rag_cell(self.app, p.rag),
                p.stage or "—",
                p.time,
                p.cost,
                number_cell(p.decisions_needed),
                needs,
                date_cell(p.next_board),
            )
            self.keys.append(p.key)
        table.focus()

    def _selected(self) -> str | None:
        table = self.query_one("#programme-table", DataTable)
        return self.keys[table.cursor_row] if self.keys else None

    @on(DataTable.RowSelected, "#programme-table")
    def open_project(self) -> None:
        key = self._selected()
        if key:
            self.app.open_project(key)

    def action_review(self) -> None:
        from tracker.ui.screens.board_review import BoardReviewScreen

        key = self._selected()
        if key:
            self.app.push_screen(BoardReviewScreen(key))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
