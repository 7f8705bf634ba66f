"""The home screen: every project with its stage, RAG and what is due."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.ui.formatting import date_cell, number_cell, rag_cell, warning_text
from tracker.ui.widgets.tables import OpenableTable

if TYPE_CHECKING:
    from tracker.services.projects import PortfolioRow

COLUMNS = (
    ("Key", "key"),
    ("Project", "name"),
    ("Current stage", "stage"),
    ("RAG", "rag"),
    ("Exception", "exception"),
    ("Risks", "risks"),
    ("Issues", "issues"),
    ("Next board", "board"),
    ("Actions", "actions"),
    ("Report due", "highlight"),
)

WIDTHS = {"name": 30, "stage": 22, "exception": 11}


class PortfolioScreen(Screen):
    """The portfolio: press Enter on a project to open it."""

    CSS_PATH = "portfolio.tcss"
    TITLE = "Portfolio"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("g", "programme_board", "Programme board", id="portfolio_programme"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[PortfolioRow], today, location: str) -> None:
            super().__init__()
            self.rows = rows
            self.today = today
            self.location = location

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, PortfolioRow] = {}
        self.suspended = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening the database…", id="summary")
        yield OpenableTable(id="portfolio")
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#portfolio", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key, width=WIDTHS.get(key))
        table.loading = True
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def on_screen_suspend(self) -> None:
        self.suspended = True

    def on_screen_resume(self) -> None:
        """Back from a project: show what changed there (a forecast may have gone red)."""
        if self.suspended:
            self.suspended = False
            self.load()

    @work(thread=True, exclusive=True, group="portfolio")
    def load(self) -> None:
        from db.engine import DatabaseError
        from tracker.domain.clock import BadToday, today
        from tracker.services.projects import list_portfolio

        try:
            db = self.app.backend.database()
            now = today()
            rows = list_portfolio(db, now)
        except (DatabaseError, BadToday) as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(rows, now, self.app.backend.location))

    def on_portfolio_screen_failed(self, message: Failed) -> None:
        self.app.database_failed(message.message)

    def on_portfolio_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#portfolio", DataTable)
        cursor = table.cursor_row
        table.clear()
        self.rows = {row.key: row for row in message.rows}
        for row in message.rows:
            due = date_cell(row.next_highlight_due)
            table.add_row(
                row.key,
                row.name,
                row.current_stage or "—",
                rag_cell(self.app, row.overall_rag),
                warning_text(self.app, "⚑ exception") if row.exceptions else "",
                number_cell(row.open_risks),
                number_cell(row.open_issues),
                date_cell(row.next_board),
                warning_text(self.app, f"{row.overdue_actions} overdue")
                if row.overdue_actions
                else "",
                warning_text(self.app, f"{due} overdue") if row.highlight_overdue else due,
                key=row.key,
            )
        table.loading = False
        if message.rows:
            table.move_cursor(row=min(cursor, len(message.rows) - 1))
        table.focus()
        self.refresh_bindings()
        self.sub_title = message.location
        self._summarise(message)

    def _summarise(self, message: Loaded) -> None:
        rows = message.rows
        summary = self.query_one("#summary", Static)
        if not rows:
            summary.update(
                "No projects yet. Load the worked example with `tracker demo`, "
                "or create one with `tracker projects add KEY --name NAME`."
            )
            summary.add_class("empty-state")
            return
        summary.remove_class("empty-state")
        exceptions = sum(1 for r in rows if r.exceptions)
        overdue = sum(1 for r in rows if r.highlight_overdue)
        late_actions = sum(r.overdue_actions for r in rows)
        parts = [f"{len(rows)} projects", f"today {date_cell(message.today)}"]
        text = Text(" · ".join(parts))
        if exceptions:
            text.append(" · ")
            text.append_text(warning_text(self.app, f"{exceptions} in exception"))
        if overdue:
            text.append(" · ")
            text.append_text(warning_text(self.app, f"{overdue} highlight reports overdue"))
        if late_actions:
            text.append(" · ")
            text.append_text(warning_text(self.app, f"{late_actions} board actions overdue"))
        summary.update(text)

    @on(DataTable.RowHighlighted, "#portfolio")
    def show_detail(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows.get(event.row_key.value) if event.row_key else None
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update("")
            return
        text = Text.assemble((f"{row.key} ", "bold"), row.name)
        if row.organisation:
            text.append(f" · {row.organisation}")
        if row.programme:
            text.append(f" · programme {row.programme}")
        text.append(f" · {row.status}")
        if row.exceptions:
            text.append("\n")
            text.append_text(
                warning_text(self.app, "Beyond tolerance: " + ", ".join(row.exceptions))
            )
        detail.update(text)

    def action_programme_board(self) -> None:
        """The programme board of the highlighted project's programme."""
        table = self.query_one("#portfolio", DataTable)
        if not self.rows or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = self.rows.get(key)
        if row is None or not row.programme:
            self.notify(f"{key} is not part of a programme", severity="warning")
            return
        from tracker.ui.screens.programme_board import ProgrammeBoardScreen

        self.app.push_screen(ProgrammeBoardScreen(row.programme))

    @on(DataTable.RowSelected, "#portfolio")
    def open_project(self, event: DataTable.RowSelected) -> None:
        if event.row_key and event.row_key.value:
            self.app.open_project(event.row_key.value)
