"""An Exception Report or End Stage Report as the board will read it (rendered Markdown), with
keys to finish a draft, issue it, and record the board's decision on it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.services.failures import user_message
from tracker.ui.screens.stage_forms import FormField, StageForm

EXCEPTION, END_STAGE = "exception", "end"
SECTION_LABELS = {
    "title": "Exception title",
    "deviation": "Which tolerance, by how much",
    "cause": "Cause",
    "consequences": "Consequences",
    "options": "Options",
    "recommendation": "Recommendation",
    "lessons": "Lessons",
    "manager_report": "Project manager's report",
    "business_case_review": "Review of the business case",
    "objectives_review": "Review of the objectives",
    "team_performance": "Team performance",
    "products_review": "Review of products",
    "issues_and_risks": "Issues and risks",
    "forecast": "Forecast",
}


class StageReportScreen(ModalScreen[bool]):
    """A stage report: E edits a draft, I issues it, A records the board's decision. Dismissed
    with whether anything was saved."""

    CSS_PATH = "stage_report.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="report_close"),
        Binding("e", "edit", "Edit the draft", id="report_edit"),
        Binding("i", "issue", "Issue to the board", id="report_issue"),
        Binding("a", "decide", "Record the board's decision", id="report_decide"),
    ]

    class Loaded(Message):
        def __init__(self, view: Any) -> None:
            super().__init__()
            self.view = view

    class Saved(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, key: str, kind: str, identifier: str) -> None:
        super().__init__()
        self.key = key
        self.kind = kind
        self.identifier = identifier
        self.view: Any = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="report-dialog"):
            yield Static("Loading…", id="report-status")
            with VerticalScroll(id="report-scroll"):
                yield Markdown("", id="report-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-scroll", VerticalScroll).focus()
        self.load()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="report")
    def load(self) -> None:
        from tracker.domain.clock import today

        db = self.app.backend.database()
        if self.kind == EXCEPTION:
            from tracker.services.exceptions import exception_report

            view = exception_report(db, self.key, self.identifier, today=today())
        else:
            from tracker.services.end_stage import end_stage_report

            view = end_stage_report(db, self.key, self.identifier, today=today())
        self.post_message(self.Loaded(view))

    async def on_stage_report_screen_loaded(self, message: Loaded) -> None:
        from tracker.reports.markdown import render_markdown

        self.view = view = message.view
        kind = "Exception report" if self.kind == EXCEPTION else "End stage report"
        where = view.stage or "the project"
        next_step = {
            "draft": "a draft: e to finish it, i to issue it to the board",
            "issued": f"issued on {format_date(view.issued_on)}: a records the board's decision",
            "approved": "approved by the board",
        }[view.status]
        self.query_one("#report-status", Static).update(
            Text.assemble((f"{kind} {view.identifier}", "bold"), f" · {where} · {next_step}")
        )
        await self.query_one("#report-body", Markdown).update(render_markdown(view.document))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.view.status if self.view is not None else None
        if action in ("edit", "issue"):
            return status == "draft"
        if action == "decide":
            return status == "issued" and (self.kind == END_STAGE or self.view.level == "stage")
        return True

    # ------------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_edit(self) -> None:
        view = self.view
        if self.kind == EXCEPTION:
            from tracker.services.exceptions import EDITABLE_FIELDS, parse_sections
        else:
            from tracker.services.end_stage import EDITABLE_FIELDS, parse_sections
        fields = [
            FormField(name, SECTION_LABELS[name], view.fields[name], multiline=name != "title")
            for name in EDITABLE_FIELDS
        ]
        form = StageForm(
            f"Finish {view.identifier}",
            fields,
            parse_sections,
            intro="Replace every [To complete] with the project manager's own words. F2 saves.",
        )
        self.app.push_screen(form, self._save_sections)

    def _save_sections(self, sections: dict[str, str] | None) -> None:
        if sections is not None:
            self.save("sections", sections)

    def action_issue(self) -> None:
        self.save("issue", None)

    def action_decide(self) -> None:
        from tracker.domain.clock import today

        view = self.view
        now = today()
        if self.kind == EXCEPTION:
            from tracker.services.exceptions import PLAN_FIELDS, parse_exception_plan

            defaults = {
                "decided on": format_date(now),
                "planned end": format_date(view.forecast_end),
                "planned cost": format_money(view.forecast_cost_pence),
                "rationale": "",
            }
            labels = ("Decided on", "New planned end", "New planned cost", "Rationale")

            def parse(raw):
                return parse_exception_plan(
                    raw, stage_start=view.planned_start, issued_on=view.issued_on, today=now
                )

            title = f"Board approves the exception plan in {view.identifier}"
            intro = (
                f"The exception plan replaces the {view.stage} stage plan; the original baseline "
                "is kept for comparison. Recorded as a board decision."
            )
            names = PLAN_FIELDS
        else:
            from tracker.services.end_stage import AUTHORISATION_FIELDS, parse_authorisation

            defaults = view.defaults
            labels = (
                "Decided on",
                f"{view.stage}: actual end",
                f"{view.stage}: actual cost",
                f"{view.next_stage or 'Next stage'}: planned start",
                f"{view.next_stage or 'Next stage'}: planned end",
                f"{view.next_stage or 'Next stage'}: planned cost",
                "Rationale",
            )

            def parse(raw):
                return parse_authorisation(
                    raw,
                    stage_start=None,
                    issued_on=view.issued_on,
                    has_next=bool(view.next_stage),
                    today=now,
                )

            title = f"Board authorises the next stage on {view.identifier}"
            intro = (
                f"Closes {view.stage} with its actual figures and authorises "
                f"{view.next_stage or 'no further stage'}. Recorded as a board decision."
            )
            names = AUTHORISATION_FIELDS
        fields = [
            FormField(name, label, defaults.get(name, ""), multiline=name == "rationale")
            for name, label in zip(names, labels, strict=True)
            if self.kind == EXCEPTION or view.next_stage or not name.startswith("next ")
        ]
        form = StageForm(title, fields, parse, intro=intro, save_label="Record decision")
        self.app.push_screen(form, self._save_decision)

    def _save_decision(self, decision: Any) -> None:
        if decision is not None:
            self.save("decide", decision)

    @work(thread=True, exclusive=True, group="report-save")
    def save(self, what: str, data: Any) -> None:
        from tracker.domain.clock import today

        db = self.app.backend.database()
        version = self.view.version
        try:
            if self.kind == EXCEPTION:
                from tracker.services import exceptions as reports

                update, issue, decide = (
                    reports.update_exception_report,
                    reports.issue_exception_report,
                    reports.approve_exception_plan,
                )
            else:
                from tracker.services import end_stage as reports

                update, issue, decide = (
                    reports.update_end_stage_report,
                    reports.issue_end_stage_report,
                    reports.authorise_next_stage,
                )
            if what == "sections":
                update(db, self.key, self.identifier, data, opened_version=version)
                text = f"{self.identifier} saved"
            elif what == "issue":
                issue(db, self.key, self.identifier, today=today(), opened_version=version)
                text = f"{self.identifier} issued to the board"
            else:
                result = decide(
                    db, self.key, self.identifier, data, today=today(), opened_version=version
                )
                text = f"The board's decision is recorded as {result.decision}"
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.post_message(self.Refused(message))
            return
        self.post_message(self.Saved(text))

    def on_stage_report_screen_saved(self, message: Saved) -> None:
        self.changed = True
        self.notify(message.text)
        self.load()

    def on_stage_report_screen_refused(self, message: Refused) -> None:
        self.notify(message.text, severity="error", timeout=8)
