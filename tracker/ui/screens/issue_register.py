"""The issue register tab: requests for change, off-specifications and problems/concerns, with
the change budget that approved changes draw on, and every issue's lifecycle and decisions.

Enter opens the issue report (view, print, edit); ``a`` moves an issue on in its lifecycle and
``d`` records a decision, both refused with the reason when change control does not allow them.
The filter narrows by words, status, type and whether the issue awaits a decision (or the
board). Database work runs in workers through ``tracker.services.issue_register``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Select

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.services.issue_register import IssueFilter, IssueRegisterRow
from tracker.services.registers import RegisterSort
from tracker.ui.formatting import warning_text
from tracker.ui.screens.register_pane import RegisterPane
from tracker.ui.widgets.filter_input import FilterInput
from tracker.ui.widgets.register_table import RegisterColumn

COLUMNS = (
    RegisterColumn("identifier", "Issue", 7, sort_key="identifier"),
    RegisterColumn("type", "Type", 18, sort_key="type"),
    RegisterColumn("title", "Title", 23, sort_key="title"),
    RegisterColumn("priority", "Priority", 10, sort_key="priority"),
    RegisterColumn("severity", "Severity", 13, sort_key="severity"),
    RegisterColumn("status", "Status", 16, sort_key="status"),
    RegisterColumn("raised_by", "Raised by", 15, sort_key="raised_by"),
    RegisterColumn("date_raised", "Raised", 10, sort_key="date_raised"),
    RegisterColumn("owner", "Owner", 14, sort_key="owner"),
    RegisterColumn("decision", "Decision", 10, sort_key="decision"),
    RegisterColumn("decision_date", "Decided", 10, sort_key="decision_date"),
    RegisterColumn("authority", "Decides", 17, sort_key="authority"),
)
SORT_TITLES = {c.sort_key: c.title for c in COLUMNS if c.sort_key}
SORT_CYCLE = ("identifier", "severity", "priority", "status", "date_raised", "authority", "owner")
STATUS_OPTIONS = (
    ("Open", "open"),
    ("Raised", "raised"),
    ("Examined", "examined"),
    ("Options proposed", "options proposed"),
    ("Decided", "decided"),
    ("Implemented", "implemented"),
    ("Closed", "closed"),
    ("All statuses", "all"),
)
AWAITING_OPTIONS = (("Awaiting a decision", "decision"), ("For the board", "board"))


def issue_cells(app, row: IssueRegisterRow) -> list[Text | str]:
    """A register row as the table shows it: issues for the board are flagged in words."""
    if row.for_the_board:
        decides = warning_text(app, f"⚑ {row.required}")
    elif row.awaiting:
        decides = Text(row.required)
    else:
        decides = Text(row.required, style="dim")
    return [
        row.identifier,
        row.issue_type,
        row.title,
        row.priority,
        row.severity,
        row.status,
        row.raised_by,
        format_date(row.date_raised),
        row.owner,
        row.decision,
        format_date(row.decision_date),
        decides,
    ]


class IssueRegisterPane(RegisterPane):
    """The issue register: raise, report, move on, decide, link to risks, history, export."""

    PREFIX = "issue"
    NOUN = "issues"
    COLUMNS = COLUMNS
    EMPTY = "No issues match."
    SORT_TITLES = SORT_TITLES
    SORT_CYCLE = SORT_CYCLE
    DESCENDING_FIRST = frozenset({"severity", "priority", "date_raised", "authority"})
    EXPORT_WHAT = "issue register"
    EXPORT_TITLE = "Issue register"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Raise issue", id="issue_new"),
        Binding("e", "edit", "Edit issue", show=False, id="issue_edit"),
        Binding("a", "advance", "Move on", id="issue_advance"),
        Binding("d", "decide", "Decide", id="issue_decide"),
        Binding("R", "raise_risk", "Raise a risk", show=False, id="issue_raise_risk"),
        Binding("slash", "filter", "Filter", id="issue_filter"),
        Binding("x", "export", "Export", id="issue_export"),
        Binding("h", "history", "History", id="issue_history"),
        Binding("s", "sort_next", "Sort", id="issue_sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="issue_sort_reverse"),
        Binding("t", "focus_table", "Register", show=False, id="issue_table_focus"),
    ]

    def initial_filter(self) -> IssueFilter:
        return IssueFilter()

    def initial_sort(self) -> RegisterSort:
        return RegisterSort()

    def compose(self) -> ComposeResult:
        with Horizontal(id="issue-filters", classes="register-filters"):
            yield FilterInput(
                placeholder="/ filter: words in the title, description, raiser or owner",
                id="issue-search",
                classes="search",
            )
            yield Select(STATUS_OPTIONS, value="open", allow_blank=False, id="issue-status")
            yield Select([], prompt="Any type", id="issue-type")
            yield Select(AWAITING_OPTIONS, prompt="Decided or not", id="issue-awaiting")
        yield from self.compose_table()
        yield from self.compose_below()

    # ------------------------------------------------------------------ reading

    def load_context(self, db):
        from tracker.services.issue_register import issue_context

        return issue_context(db, self.key)

    def show_context(self, context) -> None:
        types = self.query_one("#issue-type", Select)
        current = types.value
        types.set_options([(name, name) for name in context.types])
        if current in context.types:
            types.value = current

    def compute_view(self, db, flt: IssueFilter, sort: RegisterSort):
        from tracker.services.issue_register import issue_view

        return issue_view(db, self.key, flt, sort)

    def fetch_rows(self, db, ids: list[int]) -> list[IssueRegisterRow]:
        from tracker.services.issue_register import issue_rows

        return issue_rows(db, self.key, ids)

    def cells(self, row: IssueRegisterRow) -> list:
        return issue_cells(self.app, row)

    def count_line(self, view) -> list[Text]:
        parts = super().count_line(view)
        if self.context is not None:
            budget = self.context.budget
            style = "bold" if budget.left_pence is not None and budget.left_pence < 0 else ""
            parts.append(Text(f" · {budget.describe()}", style=style))
        return parts

    def fetch_detail(self, db, row_id: int):
        from tracker.services.issue_register import issue_detail_by_id

        return issue_detail_by_id(db, self.key, row_id)

    def show_detail(self, d) -> Text:
        text = Text()
        text.append(f"{d.identifier} {d.title}\n", style="bold")
        for label, value in (
            ("Description", d.description),
            ("Recommendation", d.recommendation),
        ):
            if value:
                text.append(f"{label}: ", style="bold")
                text.append(" ".join(value.split()) + "\n")
        if d.decision:
            by = f" by {d.decision_by}" if d.decision_by else ""
            text.append("Decision: ", style="bold")
            text.append(
                f"{d.decision}{by} ({d.decided_by_authority}) on {format_date(d.decision_date)}"
                + (f": {' '.join(d.decision_rationale.split())}" if d.decision_rationale else "")
                + (f"; escalated to the {d.escalated_to}" if d.decision == "escalated" else "")
                + "\n"
            )
        for link in d.links:
            text.append("Risk: ", style="bold")
            text.append(f"{link.on_issue()}: {link.title}\n")
        facts = [d.issue_type, f"severity {d.severity}: for the {d.required} to decide"]
        if d.for_the_board:
            facts.append("in the board's queue for its next review")
        if d.cost_pence is not None:
            facts.append(f"cost of change {format_money(d.cost_pence)}")
        if d.next_statuses:
            facts.append("next: " + " or ".join(d.next_statuses))
        if d.closure_date:
            facts.append(f"closed {format_date(d.closure_date)}")
        text.append(" · ".join(facts), style="dim")
        return text

    # ------------------------------------------------------------------ filtering

    @on(Input.Changed, "#issue-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.set_filter(text=event.value)

    @on(Input.Submitted, "#issue-search")
    def search_submitted(self) -> None:
        self.table.focus()

    @on(Select.Changed, "#issue-status")
    def status_changed(self, event: Select.Changed) -> None:
        self.set_filter(status=str(event.value))

    @on(Select.Changed, "#issue-type")
    def type_changed(self, event: Select.Changed) -> None:
        self.set_filter(issue_type=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#issue-awaiting")
    def awaiting_changed(self, event: Select.Changed) -> None:
        self.set_filter(awaiting=None if event.value is Select.NULL else str(event.value))

    # ------------------------------------------------------------------ changes

    def new_form(self):
        from tracker.ui.screens.issue_form import IssueForm

        return IssueForm(self.key, None)

    def edit_form(self, identifier: str):
        from tracker.ui.screens.issue_form import IssueForm

        return IssueForm(self.key, identifier)

    def open_highlighted(self) -> None:
        """Enter: the issue report, to read, print, edit, move on or decide."""
        from tracker.ui.screens.issue_report import IssueReportScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(IssueReportScreen(self.key, identifier), self._report_closed)

    def _report_closed(self, saved) -> None:
        """The report said what it saved as it went: only show it in the register."""
        if saved is not None:
            self.after_save(saved)

    def action_advance(self) -> None:
        from tracker.ui.screens.issue_dialogs import AdvanceIssueScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(AdvanceIssueScreen(self.key, identifier), self.saved)

    def action_decide(self) -> None:
        from tracker.ui.screens.issue_dialogs import DecideIssueScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(DecideIssueScreen(self.key, identifier), self.saved)

    def action_raise_risk(self) -> None:
        from tracker.ui.screens.issue_dialogs import RaiseRiskScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(RaiseRiskScreen(self.key, identifier), self._risk_raised)

    def _risk_raised(self, made) -> None:
        if made is not None:
            self.app.notify(f"{self.key} {made.issue} raised risk {made.risk}")
            self.reload([made.issue_id])

    def saved(self, saved) -> None:
        if saved is None:
            return
        if getattr(saved, "status", ""):
            self.app.notify(
                f"{self.key} {saved.identifier} saved (version {saved.version}; {saved.status})"
            )
        self.after_save(saved)

    def after_save(self, saved) -> None:
        self.read_everything_again()

    def read_everything_again(self) -> None:
        """After a save or the Refresh key: the change budget and the board's queue may have
        moved too, so the context is read again with the rows."""
        self.table.forget_rows(None)
        self.detail_stale = True
        self.start()

    def history(self, db, identifier: str) -> list:
        from tracker.services.issue_register import issue_history

        return issue_history(db, self.key, identifier)

    def export_table(self, db, ids: list[int]):
        from tracker.services.issue_log import issue_register_table
        from tracker.services.registers import Selection

        return issue_register_table(db, self.key, Selection(ids=ids))
