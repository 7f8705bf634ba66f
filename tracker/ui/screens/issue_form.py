"""The issue form: the issue register's fields and the issue report's (description, impact on
time, cost, quality, scope, benefits and risk, cost of change, options, recommendation), for a
new issue or an edit. Status and decisions are not here: they change only through the
lifecycle (``a`` moves an issue on, ``d`` records a decision)."""

from __future__ import annotations

from tracker.services.issues import ISSUE_FIELDS
from tracker.ui.screens.record_form import YES_NO, RecordForm

LAYOUT = (
    ("type", "priority", "severity", "date raised"),
    ("title",),
    ("description",),
    ("raised by", "author", "owner", "issue report"),
    ("impact time", "impact cost"),
    ("impact quality", "impact scope"),
    ("impact benefits", "impact risk"),
    ("cost of change",),
    ("options",),
    ("recommendation",),
    ("notes",),
)
HINTS = {
    "title": "a short name for the issue",
    "description": "the issue, its cause and its impact",
    "date raised": "day first, e.g. 07/12/2011 (default today)",
    "severity": "says who decides: the project manager, Change Authority or board",
    "author": "who wrote the issue report",
    "issue report": "yes when the issue is handled formally, with an issue report",
    "cost of change": "in pounds, e.g. £18,000: an approved change draws it from the change budget",
    "options": "one per line",
}
LABELS = {
    "impact time": "Impact on time",
    "impact cost": "Impact on cost",
    "impact quality": "Impact on quality",
    "impact scope": "Impact on scope",
    "impact benefits": "Impact on benefits",
    "impact risk": "Impact on risk",
    "author": "Issue report author",
}


class IssueForm(RecordForm):
    """Raise or edit an issue. F2 or the Save button saves; Escape leaves without saving."""

    FORM_ID = "issue-form"
    FIELDS = ISSUE_FIELDS
    LAYOUT = LAYOUT
    LONG_TEXT = frozenset(
        {
            "description",
            "impact time",
            "impact cost",
            "impact quality",
            "impact scope",
            "impact benefits",
            "impact risk",
            "options",
            "recommendation",
            "notes",
        }
    )
    CHOICES = frozenset(
        {"type", "priority", "severity", "raised by", "author", "owner", "issue report"}
    )
    REQUIRED = frozenset({"type", "title", "priority", "severity"})
    HINTS = HINTS
    LABELS = LABELS

    def heading(self) -> str:
        if self.identifier:
            return f"{self.key} {self.identifier}: edit issue (register and issue report)"
        return f"{self.key}: raise an issue"

    def load(self, db):
        from tracker.services.issue_changes import issue_for_editing, issue_form_choices

        choices = issue_form_choices(db, self.key)
        if self.identifier:
            values, version = issue_for_editing(db, self.key, self.identifier)
        else:
            values, version = {f: "" for f in ISSUE_FIELDS} | {"issue report": "no"}, None
        return choices, values, version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("type", [(t, t) for t in choices.types])
        self.set_options("priority", [(label, str(level)) for level, label in choices.priority])
        self.set_options("severity", [(label, str(level)) for level, label in choices.severity])
        for field in ("raised by", "author", "owner"):
            self.set_options(field, [(p, p) for p in choices.people])
        self.set_options("issue report", list(YES_NO))
        if self.identifier:
            decision = values.get("decision") or "no decision yet"
            self.set_intro(
                f"Status: {values.get('status')} ({decision}). The status and decisions change "
                "with a (move on) and d (decide) in the register, not here."
            )
        else:
            self.set_intro("A new issue starts its lifecycle as raised.")

    def first_field(self) -> str:
        return "#f-title" if self.identifier else "#f-type"

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.issue_changes import add_issue, change_issue

        if self.identifier:
            return change_issue(
                db,
                self.key,
                self.identifier,
                values,
                opened_version=version,
                today=today(),
                opened=self.opened,
            )
        return add_issue(db, self.key, values, today=today())
