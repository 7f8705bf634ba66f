"""The Logs tab: the project manager's daily log and the lessons log, each a register with
add, edit, filter, sort, history and export (``d`` and ``l`` switch between them)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, TabbedContent, TabPane

from tracker.domain.dates import format_date
from tracker.services.daily_log import DailyLogFilter, DailyLogRow
from tracker.services.lessons import LessonFilter, LessonRow
from tracker.services.registers import RegisterSort
from tracker.ui.formatting import warning_text
from tracker.ui.screens.register_pane import RegisterPane
from tracker.ui.widgets.filter_input import FilterInput
from tracker.ui.widgets.register_table import RegisterColumn

DAILY_COLUMNS = (
    RegisterColumn("date", "Date", 10, sort_key="date"),
    RegisterColumn("type", "Type", 8, sort_key="type"),
    RegisterColumn("description", "Problem, action, event or comment", 62, sort_key="description"),
    RegisterColumn("person", "Person responsible", 18, sort_key="person"),
    RegisterColumn("target_date", "Target", 12, sort_key="target_date"),
    RegisterColumn("result", "Result", 50, sort_key="result"),
)
LESSON_COLUMNS = (
    RegisterColumn("identifier", "Lesson", 8, sort_key="identifier"),
    RegisterColumn("type", "Type", 19, sort_key="type"),
    RegisterColumn("title", "Title", 58, sort_key="title"),
    RegisterColumn("priority", "Priority", 10, sort_key="priority"),
    RegisterColumn("date_logged", "Logged", 10, sort_key="date_logged"),
    RegisterColumn("logged_by", "Logged by", 18, sort_key="logged_by"),
    RegisterColumn("risk", "Risk", 6, sort_key="risk"),
    RegisterColumn("actioned", "Action", 12),
)


def _paragraphs(text: Text, fields: tuple[tuple[str, str], ...]) -> None:
    for label, value in fields:
        if value:
            text.append(f"{label}: ", style="bold")
            text.append(" ".join(value.split()) + "\n")


class DailyLogPane(RegisterPane):
    """The daily log: the project manager's diary of problems, actions, events and comments."""

    PREFIX = "daily"
    NOUN = "entries"
    COLUMNS = DAILY_COLUMNS
    EMPTY = "No entries match."
    SORT_TITLES = {c.sort_key: c.title for c in DAILY_COLUMNS if c.sort_key} | {
        "description": "Description"
    }
    SORT_CYCLE = ("date", "target_date", "person", "type")
    DESCENDING_FIRST = frozenset({"date", "target_date"})
    EXPORT_WHAT = "daily log"
    EXPORT_TITLE = "Daily log"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New entry", id="daily_new"),
        Binding("e", "edit", "Edit entry", show=False, id="daily_edit"),
        Binding("slash", "filter", "Filter", id="daily_filter"),
        Binding("x", "export", "Export", id="daily_export"),
        Binding("h", "history", "History", id="daily_history"),
        Binding("s", "sort_next", "Sort", id="daily_sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="daily_sort_reverse"),
    ]

    def initial_filter(self) -> DailyLogFilter:
        return DailyLogFilter()

    def initial_sort(self) -> RegisterSort:
        return RegisterSort("date", True)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="register-filters"):
            yield FilterInput(
                placeholder="/ filter: words in the entry, its result or the person",
                id="daily-search",
                classes="search",
            )
            yield Select(
                [(t.capitalize(), t) for t in ("problem", "action", "event", "comment")],
                prompt="Any type",
                id="daily-type",
            )
            yield Select(
                (("Awaiting a result", "open"), ("With a result", "closed")),
                prompt="Any result",
                id="daily-status",
            )
        yield from self.compose_table()
        yield from self.compose_below()

    def load_context(self, db):
        return self.key

    def compute_view(self, db, flt, sort):
        from tracker.services.daily_log import daily_log_view

        return daily_log_view(db, self.key, flt, sort)

    def fetch_rows(self, db, ids):
        from tracker.domain.clock import today
        from tracker.services.daily_log import daily_log_rows

        return daily_log_rows(db, self.key, ids, today())

    def cells(self, row: DailyLogRow) -> list:
        target = format_date(row.target_date)
        return [
            format_date(row.entry_date),
            row.entry_type,
            row.description,
            row.person,
            warning_text(self.app, f"⚑ {target}") if row.overdue else target,
            row.result,
        ]

    def fetch_detail(self, db, row_id: int):
        rows = self.fetch_rows(db, [row_id])
        return rows[0] if rows else None

    def show_detail(self, row: DailyLogRow) -> Text:
        text = Text()
        text.append(f"{format_date(row.entry_date)} {row.entry_type}\n", style="bold")
        _paragraphs(text, (("Entry", row.description), ("Result", row.result)))
        facts = [f"person responsible: {row.person or 'not recorded'}"]
        if row.target_date:
            facts.append(f"target {format_date(row.target_date)}")
        if row.overdue:
            facts.append("past its target date with no result")
        text.append(" · ".join(facts), style="dim")
        return text

    def highlighted_identifier(self) -> str | None:
        row_id = self.table.row_id
        return None if row_id is None else str(row_id)

    def history_title(self, identifier: str) -> str:
        cells = self.table._cells.get(int(identifier))
        when = f" of {cells[0]}" if cells else ""
        return f"History of the {self.key} daily log entry{when}"

    def history(self, db, identifier: str) -> list:
        from tracker.services.daily_log import entry_history

        return entry_history(db, self.key, int(identifier))

    @on(Input.Changed, "#daily-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.set_filter(text=event.value)

    @on(Input.Submitted, "#daily-search")
    def search_submitted(self) -> None:
        self.table.focus()

    @on(Select.Changed, "#daily-type")
    def type_changed(self, event: Select.Changed) -> None:
        self.set_filter(entry_type=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#daily-status")
    def status_changed(self, event: Select.Changed) -> None:
        self.set_filter(status="all" if event.value is Select.NULL else str(event.value))

    def new_form(self):
        from tracker.ui.screens.log_forms import DailyLogForm

        return DailyLogForm(self.key, None)

    def edit_form(self, identifier: str):
        from tracker.ui.screens.log_forms import DailyLogForm

        return DailyLogForm(self.key, int(identifier))

    def export_table(self, db, ids):
        from tracker.services.daily_log import daily_log_table
        from tracker.services.registers import Selection

        return daily_log_table(db, self.key, Selection(ids=ids))


class LessonsPane(RegisterPane):
    """The lessons log: what to repeat and what to avoid, and whether anything was done."""

    PREFIX = "lesson"
    NOUN = "lessons"
    COLUMNS = LESSON_COLUMNS
    EMPTY = "No lessons match."
    SORT_TITLES = {c.sort_key: c.title for c in LESSON_COLUMNS if c.sort_key}
    SORT_CYCLE = ("identifier", "priority", "date_logged", "type", "logged_by")
    DESCENDING_FIRST = frozenset({"priority", "date_logged"})
    EXPORT_WHAT = "lessons log"
    EXPORT_TITLE = "Lessons log"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Log a lesson", id="lesson_new"),
        Binding("e", "edit", "Edit lesson", show=False, id="lesson_edit"),
        Binding("slash", "filter", "Filter", id="lesson_filter"),
        Binding("x", "export", "Export", id="lesson_export"),
        Binding("h", "history", "History", id="lesson_history"),
        Binding("s", "sort_next", "Sort", id="lesson_sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="lesson_sort_reverse"),
    ]

    def initial_filter(self) -> LessonFilter:
        return LessonFilter()

    def initial_sort(self) -> RegisterSort:
        return RegisterSort()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="register-filters"):
            yield FilterInput(
                placeholder="/ filter: words in the lesson, its causes, recommendations or author",
                id="lesson-search",
                classes="search",
            )
            yield Select(
                [(t.capitalize(), t) for t in ("project", "corporate/programme", "both")],
                prompt="Any type",
                id="lesson-type",
            )
            yield Select(
                (("No action taken yet", "open"), ("Action taken", "closed")),
                prompt="Actioned or not",
                id="lesson-status",
            )
        yield from self.compose_table()
        yield from self.compose_below()

    def load_context(self, db):
        return self.key

    def compute_view(self, db, flt, sort):
        from tracker.services.lessons import lesson_view

        return lesson_view(db, self.key, flt, sort)

    def fetch_rows(self, db, ids):
        from tracker.services.lessons import lesson_rows

        return lesson_rows(db, self.key, ids)

    def cells(self, row: LessonRow) -> list:
        return [
            row.identifier,
            row.lesson_type,
            row.title,
            row.priority,
            format_date(row.date_logged),
            row.logged_by,
            row.risk,
            "taken" if row.actioned else Text("none yet", style="dim"),
        ]

    def fetch_detail(self, db, row_id: int):
        from tracker.services.lessons import lesson_detail_by_id

        return lesson_detail_by_id(db, self.key, row_id)

    def show_detail(self, d) -> Text:
        text = Text()
        text.append(f"{d.identifier} {d.title}\n", style="bold")
        _paragraphs(
            text,
            (
                ("Event", d.event),
                ("Effect", d.effect),
                ("Causes", d.causes),
                ("Early warning", d.early_warning_indicators),
                ("Recommendations", d.recommendations),
                ("Action taken", d.action_taken),
            ),
        )
        facts = [d.lesson_type, f"logged {format_date(d.date_logged)} by {d.logged_by or '—'}"]
        if d.risk:
            facts.append(f"foreseen as risk {d.risk} ({d.risk_title})")
        elif d.previously_identified_as_risk:
            facts.append("foreseen as a risk")
        if not d.action_taken:
            facts.append("no action taken yet: not yet learned")
        text.append(" · ".join(facts), style="dim")
        return text

    def history(self, db, identifier: str) -> list:
        from tracker.services.lessons import lesson_history

        return lesson_history(db, self.key, identifier)

    @on(Input.Changed, "#lesson-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.set_filter(text=event.value)

    @on(Input.Submitted, "#lesson-search")
    def search_submitted(self) -> None:
        self.table.focus()

    @on(Select.Changed, "#lesson-type")
    def type_changed(self, event: Select.Changed) -> None:
        self.set_filter(lesson_type=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#lesson-status")
    def status_changed(self, event: Select.Changed) -> None:
        self.set_filter(status="all" if event.value is Select.NULL else str(event.value))

    def new_form(self):
        from tracker.ui.screens.log_forms import LessonForm

        return LessonForm(self.key, None)

    def edit_form(self, identifier: str):
        from tracker.ui.screens.log_forms import LessonForm

        return LessonForm(self.key, identifier)

    def export_table(self, db, ids):
        from tracker.services.lessons import lessons_log_table
        from tracker.services.registers import Selection

        return lessons_log_table(db, self.key, Selection(ids=ids))


class LogsPane(Vertical):
    """The daily log and the lessons log, side by side as two tabs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "show_log('daily-log')", "Daily log", id="logs_daily"),
        Binding("l", "show_log('lessons-log')", "Lessons log", id="logs_lessons"),
    ]

    def __init__(self, key: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="daily-log", id="logs-tabs"):
            with TabPane("Daily log (d)", id="daily-log"):
                yield DailyLogPane(self.key, id="daily-log-register")
            with TabPane("Lessons log (l)", id="lessons-log"):
                yield LessonsPane(self.key, id="lessons-register")

    def action_show_log(self, log: str) -> None:
        self.query_one("#logs-tabs", TabbedContent).active = log
        self.call_after_refresh(self.focus_register)

    @property
    def active(self) -> RegisterPane:
        tab = self.query_one("#logs-tabs", TabbedContent).active
        return self.query_one(f"#{tab}", TabPane).query_one(RegisterPane)

    def focus_register(self) -> None:
        self.active.table.focus()

    def reload(self) -> None:
        for pane in self.query(RegisterPane):
            if pane.context is not None:
                pane.reload()

    @on(TabbedContent.TabActivated, "#logs-tabs")
    def log_shown(self, event: TabbedContent.TabActivated) -> None:
        """The inner tabs' own event: go no further (the project screen's tabs are the outer
        ones), and focus the log shown if the person is working in the Logs tab (focusing a
        widget in a hidden tab would bring that tab forward, e.g. while the project opens)."""
        event.stop()
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors_with_self:
            self.call_after_refresh(self.focus_register)
