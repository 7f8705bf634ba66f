"""The board review's dialogs: each asks for what one board act needs and hands the raw text to
the board review service, which validates it (naming every bad field) and writes nothing until
all is right."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.dates import format_date
from tracker.ui.screens.record_form import RecordForm


class BoardDialog(RecordForm):
    """A compact board dialog over one meeting. Subclasses say the fields and the service."""

    COMPACT = True
    SAVES_CHANGES = False
    REREAD_ON_CONFLICT = True
    TITLE_TEXT = ""

    def __init__(
        self,
        key: str,
        meeting_date: date,
        identifier: str | None = None,
        *,
        values: dict[str, str] | None = None,
        choices: Any = None,
        intro: str = "",
        version: int | None = None,
    ) -> None:
        super().__init__(key, identifier)
        self.meeting_date = meeting_date
        self.initial = values or {}
        self.offered = choices
        self.intro_text = intro
        self.opened_version = version

    def heading(self) -> str:
        target = f" {self.identifier}" if self.identifier else ""
        return f"{self.TITLE_TEXT}{target} · {self.key} board, {format_date(self.meeting_date)}"

    def load(self, db):
        return (self.offered or {}), dict(self.initial), self.opened_version

    def fill(self, choices, values: dict[str, str]) -> None:
        for field, options in (choices or {}).items():
            self.set_options(field, options)
        if self.intro_text:
            self.set_intro(self.intro_text)

    def today(self) -> date:
        from tracker.domain.clock import today

        return today()


class BoardIssueDecision(BoardDialog):
    """The board decides an issue: recorded on the issue register and in the decision log."""

    FORM_ID = "board-decide"
    TITLE_TEXT = "Board decision on"
    FIELDS = ("decision", "cost of change", "rationale")
    LAYOUT = (("decision", "cost of change"), ("rationale",))
    CHOICES = frozenset({"decision"})
    LONG_TEXT = frozenset({"rationale"})
    REQUIRED = frozenset({"decision", "rationale"})
    HINTS = {"cost of change": "an approval draws this on the change budget"}
    SAVE_LABEL = "Record the decision (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import decide_issue_at_board

        return decide_issue_at_board(
            db,
            self.key,
            self.meeting_date,
            self.identifier,
            values,
            today=self.today(),
            opened_version=version,
        )


class NoteHighlightReport(BoardDialog):
    """The board notes the highlight report, with any direction it gives."""

    FORM_ID = "board-note-report"
    TITLE_TEXT = "Note highlight report"
    FIELDS = ("direction",)
    LAYOUT = (("direction",),)
    LONG_TEXT = frozenset({"direction"})
    HINTS = {"direction": "optional: any direction the board gives the project manager"}
    SAVE_LABEL = "Note it (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import note_highlight_report

        return note_highlight_report(
            db,
            self.key,
            self.meeting_date,
            int(self.identifier or 0),
            values.get("direction", ""),
            today=self.today(),
        )


class ApproveExceptionPlan(BoardDialog):
    """The board approves the exception plan in an issued exception report."""

    FORM_ID = "board-exception-plan"
    TITLE_TEXT = "Approve the exception plan in"
    FIELDS = ("planned end", "planned cost", "rationale")
    LAYOUT = (("planned end", "planned cost"), ("rationale",))
    LONG_TEXT = frozenset({"rationale"})
    REQUIRED = frozenset({"planned end", "planned cost", "rationale"})
    HINTS = {"planned end": "the stage's new end, day first", "planned cost": "e.g. £1,230,000"}
    SAVE_LABEL = "Approve (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import approve_exception_plan_at_board

        return approve_exception_plan_at_board(
            db, self.key, self.meeting_date, self.identifier, values, today=self.today()
        )


class AuthoriseStage(BoardDialog):
    """On an issued End Stage Report: authorise the next stage, or closure after the last."""

    FORM_ID = "board-authorise"
    TITLE_TEXT = "Authorise on"
    FIELDS = (
        "actual end",
        "actual cost",
        "next planned start",
        "next planned end",
        "next planned cost",
        "rationale",
    )
    LAYOUT = (
        ("actual end", "actual cost"),
        ("next planned start", "next planned end", "next planned cost"),
        ("rationale",),
    )
    LONG_TEXT = frozenset({"rationale"})
    REQUIRED = frozenset({"actual end", "actual cost", "rationale"})
    HINTS = {"next planned start": "blank after the last stage: the board authorises closure"}
    SAVE_LABEL = "Authorise (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import authorise_at_stage_boundary

        return authorise_at_stage_boundary(
            db, self.key, self.meeting_date, self.identifier, values, today=self.today()
        )


class BoardDecisionForm(BoardDialog):
    """Any other decision of the board, typed by the board activity it belongs to."""

    FORM_ID = "board-decision"
    TITLE_TEXT = "Decision of the"
    FIELDS = ("activity", "summary", "rationale")
    LAYOUT = (("activity",), ("summary",), ("rationale",))
    CHOICES = frozenset({"activity"})
    LONG_TEXT = frozenset({"summary", "rationale"})
    REQUIRED = frozenset({"activity", "summary"})
    LABELS = {"summary": "Decision"}
    SAVE_LABEL = "Record the decision (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import add_decision

        return add_decision(db, self.key, self.meeting_date, values, today=self.today())


class BoardActionForm(BoardDialog):
    """An action from the meeting, with its owner and due date."""

    FORM_ID = "board-action"
    TITLE_TEXT = "Action from the"
    FIELDS = ("description", "owner", "due")
    LAYOUT = (("description",), ("owner", "due"))
    CHOICES = frozenset({"owner"})
    LONG_TEXT = frozenset({"description"})
    REQUIRED = frozenset({"description", "owner", "due"})
    LABELS = {"description": "Action"}
    HINTS = {"due": "day first, after the meeting"}
    SAVE_LABEL = "Record the action (F2)"

    def save(self, db, values, version):
        from tracker.services.board_review import add_action

        return add_action(db, self.key, self.meeting_date, values, today=self.today())


class ItemNotesForm(BoardDialog):
    """What the minutes record under this agenda item."""

    FORM_ID = "board-notes"
    TITLE_TEXT = "Minutes of item"
    FIELDS = ("notes",)
    LAYOUT = (("notes",),)
    LONG_TEXT = frozenset({"notes"})
    SAVE_LABEL = "Save the minutes (F2)"
    REREAD_ON_CONFLICT = False

    def save(self, db, values, version):
        from tracker.services.board_review import save_notes

        return save_notes(
            db,
            self.key,
            self.meeting_date,
            int(self.identifier or 0),
            values.get("notes", ""),
            today=self.today(),
            opened_version=version,
        )


class CloseMeetingForm(BoardDialog):
    """Close the meeting with the date of the next one (scheduled at once)."""

    FORM_ID = "board-close"
    TITLE_TEXT = "Close the meeting"
    FIELDS = ("next meeting",)
    LAYOUT = (("next meeting",),)
    REQUIRED = frozenset({"next meeting"})
    SAVE_LABEL = "Close the meeting (F2)"
    SUBMIT_ON_ENTER = True

    def save(self, db, values, version):
        from tracker.services.board_review import close_meeting

        return close_meeting(
            db, self.key, self.meeting_date, values.get("next meeting"), today=self.today()
        )
