"""The forms of the two logs: a lesson (PRINCE2 A.14) and an entry in the project manager's
daily log (A.7)."""

from __future__ import annotations

from tracker.services.daily_log import DAILY_LOG_FIELDS
from tracker.services.lessons import LESSON_FIELDS
from tracker.ui.screens.record_form import YES_NO, RecordForm


class LessonForm(RecordForm):
    """Log or edit a lesson. F2 or the Save button saves; Escape leaves without saving."""

    FORM_ID = "lesson-form"
    FIELDS = LESSON_FIELDS
    LAYOUT = (
        ("type", "priority", "date logged", "logged by"),
        ("title",),
        ("event",),
        ("effect",),
        ("causes",),
        ("early warning indicators",),
        ("recommendations",),
        ("risk", "previously identified as risk"),
        ("action taken",),
    )
    LONG_TEXT = frozenset(
        {"event", "effect", "causes", "early warning indicators", "recommendations", "action taken"}
    )
    CHOICES = frozenset({"type", "priority", "logged by", "risk", "previously identified as risk"})
    REQUIRED = frozenset({"type", "title"})
    LABELS = {"causes": "Causes or trigger", "risk": "The risk it was"}
    HINTS = {
        "title": "a short name for the lesson",
        "event": "what happened",
        "effect": "its effect, positive or negative",
        "recommendations": "what to do next time",
        "date logged": "day first (default today)",
        "risk": "if it was in the risk register",
        "action taken": "a lesson is not learned until something is done",
    }

    def heading(self) -> str:
        return f"{self.key} {self.identifier}: edit lesson" if self.identifier else "Log a lesson"

    def load(self, db):
        from tracker.services.lessons import lesson_for_editing, lesson_form_choices

        choices = lesson_form_choices(db, self.key)
        if self.identifier:
            values, version = lesson_for_editing(db, self.key, self.identifier)
        else:
            values = {f: "" for f in LESSON_FIELDS} | {
                "type": "project",
                "previously identified as risk": "no",
            }
            version = None
        return choices, values, version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("type", [(t.capitalize(), t) for t in choices.types])
        self.set_options("priority", [(label, str(level)) for level, label in choices.priority])
        self.set_options("logged by", [(p, p) for p in choices.people])
        self.set_options("risk", [(label, r) for r, label in choices.risks])
        self.set_options("previously identified as risk", list(YES_NO))

    def first_field(self) -> str:
        return "#f-title"

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.lessons import add_lesson, change_lesson

        if self.identifier:
            return change_lesson(
                db,
                self.key,
                self.identifier,
                values,
                opened_version=version,
                today=today(),
                opened=self.opened,
            )
        return add_lesson(db, self.key, values, today=today())


class DailyLogForm(RecordForm):
    """Write or edit a daily log entry. F2 or the Save button saves; Escape leaves."""

    FORM_ID = "daily-form"
    FIELDS = DAILY_LOG_FIELDS
    LAYOUT = (
        ("date", "type", "person responsible", "target date"),
        ("description",),
        ("result",),
    )
    LONG_TEXT = frozenset({"description", "result"})
    CHOICES = frozenset({"type", "person responsible"})
    REQUIRED = frozenset({"type", "description"})
    LABELS = {"type": "Problem, action, event or comment"}
    HINTS = {
        "date": "day first (default today)",
        "target date": "when it should be done",
        "result": "what came of it",
    }
    COMPACT = True

    def __init__(self, key: str, entry_id: int | None) -> None:
        super().__init__(key, str(entry_id) if entry_id is not None else None)
        self.entry_id = entry_id

    def heading(self) -> str:
        return f"{self.key}: edit daily log entry" if self.entry_id else f"{self.key}: daily log"

    def load(self, db):
        from tracker.services.daily_log import daily_log_form_choices, entry_for_editing

        choices = daily_log_form_choices(db, self.key)
        if self.entry_id is not None:
            values, version = entry_for_editing(db, self.key, self.entry_id)
        else:
            values, version = {f: "" for f in DAILY_LOG_FIELDS} | {"type": "comment"}, None
        return choices, values, version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("type", [(t.capitalize(), t) for t in choices.types])
        self.set_options("person responsible", [(p, p) for p in choices.people])

    def first_field(self) -> str:
        return "#f-result" if self.entry_id is not None else "#f-description"

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.daily_log import add_entry, change_entry

        if self.entry_id is not None:
            return change_entry(
                db,
                self.key,
                self.entry_id,
                values,
                opened_version=version,
                today=today(),
                opened=self.opened,
            )
        return add_entry(db, self.key, values, today=today())
