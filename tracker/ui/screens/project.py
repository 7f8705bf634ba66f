"""A project: its overview and a tab for each register, plan and report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.ui.formatting import date_cell, money_cell, number_cell, rag_cell, warning_text
from tracker.ui.screens.issue_register import IssueRegisterPane
from tracker.ui.screens.logs import LogsPane
from tracker.ui.screens.risk_register import RiskRegisterPane
from tracker.ui.screens.stages import StagesView, load_stage_plan
from tracker.ui.widgets.tables import ReadingTable

TABS = (
    ("overview", "Overview"),
    ("risks", "Risks"),
    ("issues", "Issues"),
    ("stages", "Stages"),
    ("reports", "Reports"),
    ("board", "Board"),
    ("logs", "Logs"),
)


class ProjectScreen(Screen):
    """One project. Number keys switch tabs; Escape goes back to the portfolio."""

    CSS_PATH = ["project.tcss", "risk_register.tcss", "registers.tcss"]
    BINDINGS = [
        Binding("escape", "back", "Portfolio", id="back"),
        *(
            Binding(str(n), f"show_tab('{tab}')", label, show=False, id=f"tab_{tab}")
            for n, (tab, label) in enumerate(TABS, start=1)
        ),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("v", "board_review", "Board review", id="board_review"),
        Binding("g", "programme_board", "Programme board", show=False, id="programme_board"),
    ]

    class Loaded(Message):
        def __init__(self, tab: str, data: Any) -> None:
            super().__init__()
            self.tab = tab
            self.data = data

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.loaded: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="overview", id="tabs"):
            with TabPane("1 Overview", id="overview"), VerticalScroll():
                with Horizontal(id="overview-top"):
                    with Vertical(id="overview-facts"):
                        yield Static("Loading…", id="project-summary")
                        yield Static("Tolerance status", classes="section-title")
                        yield Static("", id="tolerance")
                    with Vertical(id="overview-board"):
                        yield Static("Project board", classes="section-title")
                        yield ReadingTable(id="board-members")
                yield Static("Stages", classes="section-title")
                yield ReadingTable(id="stage-summary")
                yield Static("Top risks", classes="section-title")
                yield ReadingTable(id="top-risks")
                yield Static("", id="objectives")
            with TabPane("2 Risks", id="risks"):
                yield RiskRegisterPane(self.key, id="risk-register")
            with TabPane("3 Issues", id="issues"):
                yield IssueRegisterPane(self.key, id="issue-register")
            with TabPane("4 Stages", id="stages"):
                yield StagesView(id="stages-view")
            with TabPane("5 Reports", id="reports"):
                from tracker.ui.screens.reports import ReportsPane

                yield ReportsPane(self.key, id="reports-pane")
            with TabPane("6 Board", id="board"), VerticalScroll():
                yield Static("Meetings", classes="section-title")
                yield ReadingTable(id="meeting-table")
                yield Static("Actions", classes="section-title")
                yield ReadingTable(id="action-table")
                yield Static("Decision log", classes="section-title")
                yield ReadingTable(id="decision-table")
            with TabPane("7 Logs", id="logs"):
                yield LogsPane(self.key, id="logs-panes")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.key
        self.load("overview")

    def action_back(self) -> None:
        self.app.show_portfolio()

    def action_board_review(self) -> None:
        """The board review of the next scheduled meeting."""
        from tracker.ui.screens.board_review import BoardReviewScreen

        self.app.push_screen(BoardReviewScreen(self.key))

    def action_programme_board(self) -> None:
        self._open_programme()

    @work(thread=True, group="project-programme")
    def _open_programme(self) -> None:
        from tracker.services.programme_board import programme_of

        programme = programme_of(self.app.backend.database(), self.key)
        if programme is None:
            self.app.call_from_thread(
                self.notify, f"{self.key} is not part of a programme", severity="warning"
            )
            return
        from tracker.ui.screens.programme_board import ProgrammeBoardScreen

        self.app.call_from_thread(self.app.push_screen, ProgrammeBoardScreen(programme))

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_refresh(self) -> None:
        self.loaded.clear()
        active = self.query_one("#tabs", TabbedContent).active or "overview"
        if active == "risks":
            self.query_one(RiskRegisterPane).sync(changed=None, full=True)
        elif active == "issues":
            self.query_one(IssueRegisterPane).read_everything_again()
        elif active == "logs":
            self.query_one(LogsPane).reload()
        else:
            self.load(active)

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab == "risks":
            self.query_one(RiskRegisterPane).query_one("#risk-table").focus()
        elif tab == "issues":
            self.query_one(IssueRegisterPane).table.focus()
        elif tab == "logs":
            self.query_one(LogsPane).focus_register()
        elif tab not in self.loaded:
            self.load(tab)

    @work(thread=True, group="project")
    def load(self, tab: str) -> None:
        from tracker.errors import NotFound

        loaders: dict[str, Callable[[Any], Any]] = {
            "overview": _overview,
            "stages": load_stage_plan,
            "reports": _reports,
            "board": _board,
        }
        try:
            data = loaders[tab](self.app.backend.database(), self.key)
        except NotFound as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(tab, data))

    def on_project_screen_failed(self, message: Failed) -> None:
        self.notify(message.message, severity="error")
        self.app.show_portfolio()

    def on_project_screen_loaded(self, message: Loaded) -> None:
        self.loaded.add(message.tab)
        {
            "overview": self._show_overview,
            "stages": self._show_stages,
            "reports": self._show_reports,
            "board": self._show_board,
        }[message.tab](message.data)

    # ------------------------------------------------------------------ overview

    def _show_overview(self, overview) -> None:
        self.sub_title = overview.name
        facts = RichTable.grid(padding=(0, 2))
        facts.add_column(style="bold")
        facts.add_column()
        facts.add_row("Project", f"{overview.key} · {overview.name}")
        facts.add_row("Organisation", overview.organisation or "—")
        facts.add_row(
            "Status", f"{overview.status} · current stage: {overview.current_stage or '—'}"
        )
        facts.add_row("Overall", rag_cell(self.app, overview.tolerance.overall_rag))
        facts.add_row(
            "Planned",
            f"{format_date(overview.planned_start)} to {format_date(overview.planned_end)}",
        )
        facts.add_row("Budget", format_money(overview.budget_pence) or "not set")
        facts.add_row("Method", overview.profile)
        self.query_one("#project-summary", Static).update(facts)
        sections = [
            Text.assemble((f"{title}\n", "bold"), body.strip())
            for title, body in (
                ("Objectives", overview.objectives),
                ("Business case", overview.business_case),
            )
            if body.strip()
        ]
        self.query_one("#objectives", Static).update(Group(*sections) if sections else "")
        self.query_one("#tolerance", Static).update(self._tolerance_text(overview.tolerance))

        board = self.query_one("#board-members", DataTable)
        board.clear(columns=True)
        board.add_column("Role")
        board.add_column("Name")
        board.add_column("Post", width=36)
        for member in overview.board:
            role = member.role.capitalize() + (" (deputy)" if member.deputy else "")
            board.add_row(role, member.name, member.job_title)

        self._fill_stages(self.query_one("#stage-summary", DataTable), overview.stages)

        risks = self.query_one("#top-risks", DataTable)
        risks.clear(columns=True)
        risks.add_column("Risk")
        risks.add_column("Title", width=52)
        risks.add_columns("Kind", "P", "I", "Score", "RAG", "Owner", "Proximity")
        for r in overview.top_risks:
            risks.add_row(
                r.identifier,
                r.title,
                r.kind,
                number_cell(r.probability),
                number_cell(r.impact),
                number_cell(r.score),
                rag_cell(self.app, r.rag),
                r.owner,
                date_cell(r.proximity),
            )
        if not overview.top_risks:
            risks.add_row("", "No open risks", "", "", "", "", "", "", "")

    def _tolerance_text(self, status) -> Text:
        text = Text()
        checks = [("Project time", status.time), ("Project cost", status.cost)]
        if status.current_stage:
            checks += [
                ("Stage time", status.current_stage.time),
                ("Stage cost", status.current_stage.cost),
            ]
        for label, check in checks:
            if check is None:
                continue
            text.append(f"{label:<14}")
            rating = rag_cell(self.app, check.rag)
            rating.pad_right(10 - len(rating.plain))
            text.append_text(rating)
            if check.aspect == "time":
                variance = f"{check.variance:+d} days"
            else:
                variance = ("+" if check.variance > 0 else "") + format_money(check.variance)
            used = (
                f" ({check.percent_used}% of tolerance)" if check.percent_used is not None else ""
            )
            text.append(f"{variance}{used}\n" if check.allowed is not None else f"{check.status}\n")
        if not text.plain:
            text.append("No tolerances set yet.", style="dim")
        return text

    def _fill_stages(self, table: DataTable, stages) -> None:
        table.clear(columns=True)
        table.add_column("#")
        table.add_column("Stage", width=32)
        table.add_columns(
            "Status",
            "Planned start",
            "Planned end",
            "Forecast end",
            "Actual end",
            "Planned cost",
            "Forecast cost",
            "Actual cost",
            "Done",
            "RAG",
        )
        for s in stages:
            table.add_row(
                number_cell(s.sequence),
                s.name,
                s.status,
                date_cell(s.planned_start),
                date_cell(s.planned_end),
                date_cell(s.forecast_end),
                date_cell(s.actual_end),
                money_cell(s.planned_cost_pence),
                money_cell(s.forecast_cost_pence),
                money_cell(s.actual_cost_pence),
                number_cell(s.percent_complete),
                rag_cell(self.app, s.rag),
            )

    def _show_stages(self, data) -> None:
        self.query_one("#stages-view", StagesView).show(data)

    # ------------------------------------------------------------------ registers

    def _show_reports(self, overview) -> None:
        self.query_one("#reports-pane").show(overview)

    def _show_board(self, data) -> None:
        meetings, actions, decisions = data
        table = self.query_one("#meeting-table", DataTable)
        table.clear(columns=True)
        table.add_columns(
            "Date", "Meeting", "Status", "Present", "Apologies", "Decisions", "Actions", "Next"
        )
        for m in meetings:
            table.add_row(
                date_cell(m.meeting_date),
                m.title or m.kind,
                m.status,
                number_cell(m.present),
                number_cell(m.apologies),
                number_cell(m.decisions),
                number_cell(m.actions),
                date_cell(m.next_meeting_date),
            )
        table = self.query_one("#action-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Action", "Description", "Owner", "Due", "Status")
        for a in actions:
            status = warning_text(self.app, "overdue") if a.overdue else a.status
            table.add_row(a.identifier, a.description, a.owner, date_cell(a.due_date), status)
        table = self.query_one("#decision-table", DataTable)
        table.clear(columns=True)
        table.add_column("Decision")
        table.add_column("Date")
        table.add_column("Board activity")
        table.add_column("Decision", width=60)
        table.add_columns("Prompted by", "Meeting", "Tolerances set")
        for d in decisions:
            table.add_row(
                d.identifier,
                date_cell(d.decision_date),
                d.activity,
                d.summary,
                d.prompted_by,
                d.meeting,
                d.tolerances,
            )


def _overview(db, key):
    from tracker.services.projects import project_overview

    return project_overview(db, key)


def _reports(db, key):
    from tracker.services.highlight import reports_overview

    return reports_overview(db, key)


def _board(db, key):
    from tracker.services.board import decision_log, list_actions, list_meetings

    return list_meetings(db, key), list_actions(db, key), decision_log(db, key)
