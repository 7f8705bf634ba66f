"""The board review: the screen the project manager puts on the wall at the monthly board. It
walks the agenda one item at a time (n next, p previous) with the board's attendance and quorum
beside it; Enter on a row does the item's board act, written at once through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.ui.formatting import date_cell, money_cell, number_cell, rag_cell, warning_text
from tracker.ui.widgets.tables import ReadingTable

ATTENDANCE_CYCLE = ("present", "apologies", "absent")


class ReviewTable(ReadingTable):
    """The agenda item's rows. Enter does the item's board act on the highlighted row."""

    HELP = (
        "The rows of this agenda item. Enter acts on the highlighted row: marks an action done "
        "(or open again), notes the highlight report, decides an issue, approves an exception "
        "plan, authorises the next stage or closure, or closes the meeting."
    )
    BINDINGS = [Binding("enter", "select_cursor", "Act on row", id="review_act")]


class SeatTable(ReadingTable):
    """The board and who else is there. t changes the highlighted person's attendance."""

    HELP = (
        "The board from the project's role assignments (Executive, Senior Users, Senior "
        "Suppliers, named deputies) and anyone else recorded. t cycles the highlighted person "
        "between present, apologies and absent. The board is quorate when the Executive or a "
        "named deputy is present; an inquorate board cannot decide."
    )
    BINDINGS = [Binding("t", "screen.attendance", "Attendance", id="review_attendance")]


class BoardReviewScreen(Screen):
    """The monthly board review: the agenda one item at a time, decisions and actions recorded
    as the board takes them."""

    CSS_PATH = "board_review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="review_back"),
        Binding("n", "step(1)", "Next item", id="review_next"),
        Binding("p", "step(-1)", "Previous item", id="review_previous"),
        Binding("d", "decision", "Decision", id="review_decision"),
        Binding("a", "add_action", "Action", id="review_action"),
        Binding("e", "notes", "Minutes", id="review_notes"),
        Binding("b", "focus_board", "Board", show=False, id="review_board"),
        Binding("r", "reload", "Refresh", show=False, id="review_refresh"),
    ]

    class Loaded(Message):
        def __init__(self, review: Any) -> None:
            super().__init__()
            self.review = review

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, key: str, meeting_date: date | None = None) -> None:
        super().__init__()
        self.key = key
        self.meeting_date = meeting_date
        self.review: Any = None
        self.item = 0  # 1-based once loaded
        self.row_keys: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the board review…", id="review-progress")
        with Horizontal(id="review-main"):
            with VerticalScroll(id="review-body"):
                yield Static("", id="review-item-title")
                yield Static("", id="review-item-purpose")
                yield ReviewTable(id="review-table")
                yield Static("", id="review-detail")
                yield Static("", id="review-notes")
            with Vertical(id="review-board"):
                yield Static("Board", classes="section-title")
                yield Static("", id="review-quorum")
                yield SeatTable(id="review-seats")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.key} board review"
        self.load()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="board-review")
    def load(self) -> None:
        from tracker.errors import NotFound
        from tracker.services.board_review import board_review
        from tracker.services.failures import user_message

        try:
            review = board_review(self.app.backend.database(), self.key, self.meeting_date)
        except NotFound as exc:
            self.post_message(self.Failed(str(exc)))
            return
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.post_message(self.Failed(message))
            return
        self.post_message(self.Loaded(review))

    def on_board_review_screen_failed(self, message: Failed) -> None:
        self.notify(message.message, severity="error")
        self.query_one("#review-progress", Static).update(message.message)

    def on_board_review_screen_loaded(self, message: Loaded) -> None:
        first = self.review is None
        self.review = message.review
        self.meeting_date = self.review.meeting.meeting_date
        if first:
            self.item = max(1, self.review.meeting.review_item or 1)
        self.sub_title = self.review.meeting.label
        self.show()
        if first:
            self.query_one("#review-table", DataTable).focus()

    def action_reload(self) -> None:
        self.load()

    # ------------------------------------------------------------------ moving

    def action_step(self, delta: int) -> None:
        from tracker.services.board_review import ITEMS

        if self.review is None:
            return
        wanted = max(1, min(ITEMS, self.item + delta))
        if wanted == self.item:
            return
        self.item = wanted
        self.show()
        self.query_one("#review-table", DataTable).focus()
        self._remember(wanted)

    @work(thread=True, group="board-review-remember")
    def _remember(self, item: int) -> None:
        from tracker.domain.clock import today
        from tracker.services.board_review import remember_item

        db = self.app.backend.database()
        if db.read_only:
            return
        try:
            remember_item(db, self.key, self.meeting_date, item, today=today())
        except Exception:  # where the review got to is a convenience, never an error to show
            return

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_board(self) -> None:
        self.query_one("#review-seats", DataTable).focus()

    # ------------------------------------------------------------------ showing

    def show(self) -> None:
        from tracker.services.board_review import AGENDA, ITEMS

        review = self.review
        meeting = review.meeting
        agenda_item = AGENDA[self.item - 1]
        progress = Text()
        progress.append(f"Item {self.item} of {ITEMS}  ", style="bold")
        for n in range(1, ITEMS + 1):
            progress.append(
                "● " if n <= self.item else "○ ", style="bold" if n == self.item else ""
            )
        progress.append(f"  {meeting.label} · {meeting.status}")
        if not review.can_decide and meeting.status == "scheduled":
            progress.append(
                f"  (on {format_date(meeting.meeting_date)}: nothing is recorded before the day)",
                style="italic",
            )
        self.query_one("#review-progress", Static).update(progress)
        self.query_one("#review-item-title", Static).update(
            Text(f"{agenda_item.number}. {agenda_item.title}", style="bold")
        )
        self.query_one("#review-item-purpose", Static).update(agenda_item.purpose)
        table = self.query_one("#review-table", DataTable)
        table.clear(columns=True)
        self.row_keys = []
        detail = getattr(self, f"_item_{agenda_item.key.replace(' ', '_')}")(table)
        if table.row_count == 0:
            table.add_row(*(["Nothing for the board here."] + [""] * (len(table.columns) - 1)))
            self.row_keys.append(None)
        self.query_one("#review-detail", Static).update(detail or "")
        notes = meeting.notes.get(self.item, ("", 0))[0]
        self.query_one("#review-notes", Static).update(
            Text.assemble(("Minutes: ", "bold"), notes or ("none yet (e to write)", "dim"))
        )
        self._show_board()

    def _show_board(self) -> None:
        meeting = self.review.meeting
        quorum = meeting.quorum
        words = Text()
        if quorum.quorate:
            words.append("Quorate", style=f"bold {self.app.theme_variables.get('success', '')}")
        else:
            words.append_text(warning_text(self.app, "Not quorate"))
        words.append(f": {quorum.reason}.")
        if meeting.chair:
            words.append(f"\nChair: {meeting.chair}")
        self.query_one("#review-quorum", Static).update(words)
        seats = self.query_one("#review-seats", DataTable)
        cursor = seats.cursor_row
        seats.clear(columns=True)
        seats.add_columns("Name", "Role", "Attendance")
        for seat in meeting.seats:
            shown = "—" if seat.attendance == "not recorded" else seat.attendance
            seats.add_row(seat.name, seat.role, shown)
        if meeting.seats:
            seats.move_cursor(row=min(cursor, len(meeting.seats) - 1))

    def _row(self, table: DataTable, key: Any, *cells: Any) -> None:
        table.add_row(*cells)
        self.row_keys.append(key)

    def _item_last_meeting(self, table: DataTable):
        review = self.review
        table.add_columns("Action", "Meeting", "What", "Owner", "Due", "Status")
        actions = list(review.previous.actions if review.previous else []) + list(
            review.outstanding
        )
        for a in actions:
            status = warning_text(self.app, "overdue") if a.overdue else a.status
            self._row(
                table,
                ("action", a),
                a.identifier,
                date_cell(a.meeting_date),
                a.description,
                a.owner,
                date_cell(a.due_date),
                status,
            )
        if review.previous is None:
            return Text("No earlier meeting.", style="dim")
        return Text.assemble(
            (f"Minutes of {format_date(review.previous.meeting_date)}\n", "bold"),
            review.previous.minutes or "No minutes recorded.",
        )

    def _item_highlight_report(self, table: DataTable):
        report = self.review.highlight
        table.add_columns("Aspect", "RAG", "Comment")
        if report is None:
            return Text("No highlight report has been issued.", style="dim")
        for aspect, rag, comment in report.ratings:
            self._row(
                table, ("report", report), aspect.capitalize(), rag_cell(self.app, rag), comment
            )
        noted = f"Noted ({report.noted_by})." if report.noted_by else "Enter notes it."
        return Text.assemble(
            (f"Highlight report {report.number}, ", "bold"),
            (f"{format_date(report.period_start)} to {format_date(report.period_end)}. ", "bold"),
            f"{noted}\n",
            report.status_summary,
        )

    def _item_stages(self, table: DataTable):
        from tracker.services.stages import status_text

        plan = self.review.plan
        table.add_columns(
            "#", "Stage", "Status", "Planned end", "Forecast end", "Forecast cost", "Done", "RAG"
        )
        for s in plan.stages:
            self._row(
                table,
                None,
                number_cell(s.sequence),
                s.name,
                s.status,
                date_cell(s.planned_end),
                date_cell(s.forecast_end),
                money_cell(s.forecast_cost_pence),
                number_cell(s.percent_complete),
                rag_cell(self.app, s.rag),
            )
        lines = Text()
        lines.append("Project time: ", style="bold")
        lines.append(status_text(plan.time) + "\n")
        lines.append("Project cost: ", style="bold")
        lines.append(status_text(plan.cost) + "\n")
        current = next((s for s in plan.stages if s.name == plan.current_stage), None)
        if current:
            lines.append(f"{current.name} time: ", style="bold")
            lines.append(status_text(current.time) + "\n")
            lines.append(f"{current.name} cost: ", style="bold")
            lines.append(status_text(current.cost))
        return lines

    def _item_risks(self, table: DataTable):
        review = self.review
        table.add_columns("Risk", "Title", "Score", "RAG", "Why", "Owner", "Proximity")
        for r in review.risks:
            row = r.row
            self._row(
                table,
                None,
                row.identifier,
                row.title,
                number_cell(row.score),
                rag_cell(self.app, row.rag),
                ", ".join(r.reasons),
                row.owner,
                date_cell(row.proximity_date) or (row.proximity_band or ""),
            )
        baseline = review.risk_baseline or "no highlight report issued yet"
        return (
            f"Movement since {baseline}; the board's risk tolerance line is a score of "
            f"{review.tolerance_score}."
        )

    def _item_issues(self, table: DataTable):
        table.add_columns("Issue", "Title", "Type", "Severity", "Status", "Ready", "Cost")
        for q in self.review.issues:
            self._row(
                table,
                ("issue", q),
                q.identifier,
                q.title,
                q.issue_type,
                q.severity,
                q.status,
                "yes" if q.ready else "not yet",
                money_cell(q.cost_pence),
            )
        return self._issue_detail()

    def _issue_detail(self):
        key = self._highlighted()
        if not key or key[0] != "issue":
            return ""
        q = key[1]
        return Text.assemble(
            (f"{q.identifier} recommendation: ", "bold"),
            q.recommendation or "none recorded",
            f"\nFor the {q.required}. Enter records the board's decision.",
        )

    def _item_exceptions(self, table: DataTable):
        review = self.review
        table.add_columns("Report", "Where", "What", "Needs")
        for entry in review.plan.exceptions:
            self._row(
                table,
                None,
                entry.report or "—",
                entry.stage or "Project",
                entry.summary,
                entry.needs,
            )
        for stage, report in review.exception_reports:
            if any(e.report == report.identifier for e in review.plan.exceptions):
                continue
            self._row(
                table,
                ("exception", (stage, report)),
                report.identifier,
                stage.name,
                report.title,
                "the board's approval of the exception plan",
            )
        keyed = [k for k in self.row_keys if k]
        if not keyed:
            for n, entry in enumerate(review.plan.exceptions):
                for stage, report in review.exception_reports:
                    if entry.report == report.identifier:
                        self.row_keys[n] = ("exception", (stage, report))
        return "Enter on an issued exception report approves its exception plan."

    def _item_stage_boundary(self, table: DataTable):
        table.add_columns("Report", "Stage", "Next", "Issued")
        for stage, following, report in self.review.end_stage_reports:
            self._row(
                table,
                ("boundary", (stage, following, report)),
                report.identifier,
                stage.name,
                following.name if following else "closure of the project",
                date_cell(report.issued_on),
            )
        current = self.review.plan.current_stage or "—"
        return f"Current stage: {current}. Enter on an issued End Stage Report authorises."

    def _item_any_other_business(self, table: DataTable):
        meeting = self.review.meeting
        table.add_columns("Ref", "Board activity / owner", "Decision or action", "Due")
        for d in meeting.decisions:
            self._row(table, None, d.identifier, d.activity, d.summary, "")
        for a in meeting.actions:
            self._row(table, None, a.identifier, a.owner, a.description, date_cell(a.due_date))
        return "d records a decision, a an action with its owner and due date."

    def _item_next_meeting(self, table: DataTable):
        review = self.review
        meeting = review.meeting
        table.add_columns("Next meeting", "Rule", "Status")
        chosen = meeting.next_meeting_date or review.proposed_next
        self._row(
            table,
            ("close", chosen),
            format_date(chosen),
            f"{review.proposed_next_words} (editable)",
            "set" if meeting.status == "held" else "Enter closes the meeting with this date",
        )
        decisions, actions = len(meeting.decisions), len(meeting.actions)
        return f"This meeting: {decisions} decision(s), {actions} action(s)."

    # ------------------------------------------------------------------ acting

    def _highlighted(self):
        table = self.query_one("#review-table", DataTable)
        if not self.row_keys or table.cursor_row >= len(self.row_keys):
            return None
        return self.row_keys[table.cursor_row]

    @on(DataTable.RowHighlighted, "#review-table")
    def row_highlighted(self) -> None:
        if self.review is not None and self.item == 5:
            self.query_one("#review-detail", Static).update(self._issue_detail())

    @on(DataTable.RowSelected, "#review-table")
    def row_selected(self) -> None:
        from tracker.ui.screens import board_forms as forms

        key = self._highlighted()
        if not key or self.review is None:
            return
        kind, target = key
        when = self.meeting_date
        if kind == "action":
            status = "open" if target.status == "done" else "done"
            self._act("mark_action", target.identifier, status, opened_version=target.version)
        elif kind == "report":
            self._form(forms.NoteHighlightReport(self.key, when, str(target.number)))
        elif kind == "issue":
            choices = {
                "decision": [
                    ("Approve", "approved"),
                    ("Reject", "rejected"),
                    ("Defer", "deferred"),
                    ("Request more information", "request more information"),
                    ("Concession (off-specification)", "concession"),
                    ("Escalate to corporate", "escalated"),
                ]
            }
            cost = format_money(target.cost_pence) if target.cost_pence else ""
            self._form(
                forms.BoardIssueDecision(
                    self.key,
                    when,
                    target.identifier,
                    values={"cost of change": cost},
                    choices=choices,
                    intro=f"{target.title}\nRecommendation: {target.recommendation}",
                )
            )
        elif kind == "exception":
            stage, report = target
            self._form(
                forms.ApproveExceptionPlan(
                    self.key,
                    when,
                    report.identifier,
                    values={
                        "planned end": format_date(stage.forecast_end),
                        "planned cost": format_money(stage.forecast_cost_pence),
                    },
                    intro=report.title,
                )
            )
        elif kind == "boundary":
            stage, following, report = target
            values = {
                "actual end": format_date(stage.forecast_end),
                "actual cost": format_money(stage.forecast_cost_pence),
            }
            if following is not None:
                values |= {
                    "next planned start": format_date(following.planned_start),
                    "next planned end": format_date(following.planned_end),
                    "next planned cost": format_money(following.planned_cost_pence),
                }
            self._form(forms.AuthoriseStage(self.key, when, report.identifier, values=values))
        elif kind == "close":
            self._form(
                forms.CloseMeetingForm(self.key, when, values={"next meeting": format_date(target)})
            )

    def action_decision(self) -> None:
        from tracker.services.board_review import BOARD_ACTIVITIES
        from tracker.ui.screens.board_forms import BoardDecisionForm

        if self.review is None:
            return
        choices = {"activity": [(a.capitalize(), a) for a in BOARD_ACTIVITIES]}
        self._form(
            BoardDecisionForm(
                self.key,
                self.meeting_date,
                values={"activity": "give ad hoc direction"},
                choices=choices,
            )
        )

    def action_add_action(self) -> None:
        from tracker.ui.screens.board_forms import BoardActionForm

        if self.review is None:
            return
        names = sorted({s.name for s in self.review.meeting.seats} | self._people())
        self._form(
            BoardActionForm(self.key, self.meeting_date, choices={"owner": [(n, n) for n in names]})
        )

    def _people(self) -> set[str]:
        people = set()
        for a in list(self.review.outstanding) + list(
            self.review.previous.actions if self.review.previous else []
        ):
            if a.owner:
                people.add(a.owner)
        for q in self.review.issues:
            if q.owner:
                people.add(q.owner)
        return people

    def action_notes(self) -> None:
        from tracker.ui.screens.board_forms import ItemNotesForm

        if self.review is None:
            return
        text, version = self.review.meeting.notes.get(self.item, ("", None))
        self._form(
            ItemNotesForm(
                self.key, self.meeting_date, str(self.item), values={"notes": text}, version=version
            )
        )

    def action_attendance(self) -> None:
        if self.review is None or not self.review.meeting.seats:
            return
        seats = self.query_one("#review-seats", DataTable)
        seat = self.review.meeting.seats[seats.cursor_row]
        current = seat.attendance
        following = (
            ATTENDANCE_CYCLE[(ATTENDANCE_CYCLE.index(current) + 1) % len(ATTENDANCE_CYCLE)]
            if current in ATTENDANCE_CYCLE
            else "present"
        )
        self._act("record_attendance", {seat.name: following})

    def _form(self, form) -> None:
        def done(result) -> None:
            if result is not None:
                self.notify(f"Recorded: {result}" if isinstance(result, str) else "Recorded")
                self.load()

        self.app.push_screen(form, done)

    @work(thread=True, group="board-review-act")
    def _act(self, name: str, *args: Any, **kwargs: Any) -> None:
        from tracker.domain.clock import today
        from tracker.services import board_review
        from tracker.services.failures import user_message

        try:
            getattr(board_review, name)(
                self.app.backend.database(),
                self.key,
                self.meeting_date,
                *args,
                today=today(),
                **kwargs,
            )
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        self.app.call_from_thread(self.load)
