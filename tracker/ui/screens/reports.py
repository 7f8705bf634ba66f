"""The Reports tab: highlight reports, the reporting calendar, and the draft the project manager
writes with a live preview of the report exactly as it will print.

Everything the report says about the registers is generated; the project manager writes only
the narrative (status summary, work completed and planned, corrective actions) and rates the
descriptive aspects, with a comment on every rating that is not green. Saving is versioned;
issuing freezes the report. Database work and file writing run in thread workers that post
messages back; the preview is rebuilt in the UI thread from data loaded once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import (
    DataTable,
    Input,
    Label,
    Markdown,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from tracker.domain.dates import format_date
from tracker.domain.highlight import BASIS_WORDS, WORKED_OUT, rating_label
from tracker.ui.formatting import date_cell, number_cell, rag_cell, warning_text
from tracker.ui.widgets.tables import OpenableTable

if TYPE_CHECKING:
    from tracker.reports.document import Document
    from tracker.services.highlight import DraftView, ReportsOverview

SECTIONS = (
    ("status summary", "Summary", "status-summary"),
    ("work completed", "Work done", "work-completed"),
    ("work planned", "Planned", "work-planned"),
    ("corrective actions", "Corrective", "corrective-actions"),
)
PREVIEW_DELAY = 0.3  # seconds of quiet typing before the preview is rebuilt
# The preview follows the section being written: each editor tab's heading in the report.
ANCHORS = {
    "section-status-summary": "1-status-summary",
    "section-work-completed": "work-completed",
    "section-work-planned": "work-planned",
    "section-corrective-actions": "corrective-actions-taken",
    "section-ratings": "2-rag-status",
}


class RatingsTable(OpenableTable):
    """The RAG grid of the draft: Enter rates the highlighted row."""

    BINDINGS = [Binding("enter", "select_cursor", "Rate", show=True, id="rate_row")]


class DraftEditor(Vertical):
    """Where the project manager writes the report: Escape leaves the editor for the list."""

    BINDINGS = [Binding("escape", "leave", "Leave editor", id="leave_editor")]
    HELP = (
        "Write the status summary, work done, work planned and corrective actions in Markdown "
        "(- for bullets, **bold**); the preview on the right is the report as it will print. "
        "On the Ratings tab, Enter rates a row; time and cost are worked out from the "
        "tolerances, so they take only a comment. F2 saves; leaving the editor saves too."
    )

    def action_leave(self) -> None:
        self.screen.query_one("#highlight-report-list").focus()


class ReportsPane(Vertical):
    """Highlight reports: the list and calendar, the draft's narrative and a live preview."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    HELP = (
        "Highlight reports go to the board monthly. n starts the next report (or opens the "
        "draft); Enter opens the highlighted report; i issues the draft, freezing it exactly as "
        "previewed with a snapshot of the risk register; c corrects an issued report with one "
        "that supersedes it (both are kept); e exports the report on show as PDF, HTML, "
        "Markdown or text. `tracker report highlight --issued N` reprints a frozen report."
    )
    BINDINGS = [
        Binding("n", "new_draft", "New report", id="report_new"),
        Binding("i", "issue", "Issue", id="report_issue"),
        Binding("c", "correct", "Correct", id="report_correct"),
        Binding("e", "export", "Export", id="report_export"),
        Binding("f2", "save", "Save draft", id="report_save"),
    ]

    class Loaded(Message):
        def __init__(self, overview: ReportsOverview, focus_editor: bool = False) -> None:
            super().__init__()
            self.overview = overview
            self.focus_editor = focus_editor

    class Viewed(Message):
        def __init__(self, number: int, document: Document, markdown: str, note: str) -> None:
            super().__init__()
            self.number = number
            self.document = document
            self.markdown = markdown
            self.note = note

    class Done(Message):
        """A write or an export finished; ``reload`` asks for the list again."""

        def __init__(self, message: str, reload: bool = True, focus_editor: bool = False):
            super().__init__()
            self.message = message
            self.reload = reload
            self.focus_editor = focus_editor

    class Refused(Message):
        def __init__(self, message: str, problems: list[str] | None = None) -> None:
            super().__init__()
            self.message = message
            self.problems = problems or []

    class Conflicted(Message):
        def __init__(self, conflict: Any) -> None:
            super().__init__()
            self.conflict = conflict

    def __init__(self, key: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.overview: ReportsOverview | None = None
        self.draft: DraftView | None = None
        self.raw: dict[str, str] = {}
        self.opened: dict[str, str] = {}
        self.version: int | None = None
        self.dirty = False
        self.viewing: tuple[str, int] | None = None
        self.frozen: Document | None = None
        self._timer: Timer | None = None
        self._filling = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="reports-top"):
            yield OpenableTable(id="highlight-report-list")
            yield Static("", id="report-calendar")
        with Horizontal(id="reports-main"):
            with DraftEditor(id="draft-editor"):
                yield Static("", id="draft-title")
                with Horizontal(id="period-row"):
                    yield Label("Period end", id="period-label")
                    yield Input(placeholder="dd/mm/yyyy", id="period-end")
                with TabbedContent(id="draft-sections"):
                    for _, label, slug in SECTIONS:
                        with TabPane(label, id=f"section-{slug}"):
                            yield TextArea(id=f"edit-{slug}", soft_wrap=True, tab_behavior="focus")
                    with TabPane("Ratings", id="section-ratings"):
                        yield RatingsTable(id="ratings-table")
                yield Static("", id="draft-problems")
            with Vertical(id="report-preview-side"):
                yield Static("", id="preview-title")
                with VerticalScroll(id="report-preview-pane"):
                    yield Markdown("", id="report-preview")

    def on_mount(self) -> None:
        table = self.query_one("#highlight-report-list", DataTable)
        table.add_columns("No.", "Period", "Date", "Status", "Overall")
        ratings = self.query_one("#ratings-table", DataTable)
        ratings.add_columns("Row", "Last", "This period", "Basis", "Comment")
        self.query_one("#draft-editor").disabled = True

    def on_show(self) -> None:
        """Opening the tab puts the cursor in the list, so its keys are at hand."""
        self.call_after_refresh(self._focus_list)

    def _focus_list(self) -> None:
        focused = self.app.focused
        if focused is None or self not in focused.ancestors:
            self.query_one("#highlight-report-list").focus()

    # ------------------------------------------------------------------ showing data

    def show(self, overview: ReportsOverview, focus_editor: bool = False) -> None:
        """Show the list, the calendar and the draft (if there is one)."""
        self.overview = overview
        self._fill_list(overview)
        self._fill_calendar(overview)
        draft = overview.draft
        keep_edits = (
            self.dirty
            and draft is not None
            and self.draft is not None
            and draft.number == self.draft.number
        )
        self.draft = draft
        editor = self.query_one("#draft-editor")
        if draft is None:
            self.raw, self.opened, self.version, self.dirty = {}, {}, None, False
            focused = self.app.focused
            if focused is not None and editor in focused.ancestors_with_self:
                self.query_one("#highlight-report-list").focus()
            editor.disabled = True
            self._set_editor_values({})
            self._fill_ratings()
            self.query_one("#draft-title", Static).update(self._no_draft_text(overview))
            latest = next((r for r in overview.reports if r.status != "draft"), None)
            if latest is not None:
                self.view_report(latest.number)
            else:
                self._show_markdown("", "No highlight reports yet.")
            return
        if not keep_edits:
            self.raw = dict(draft.raw)
            self.opened = dict(draft.raw)
            self.version = draft.version
            self.dirty = False
            self._set_editor_values(self.raw)
        editor.disabled = False
        self.viewing = ("draft", draft.number)
        self._update_title()
        self._fill_ratings()
        self._schedule_preview(0)
        if focus_editor:
            self.query_one("#edit-status-summary", TextArea).focus()

    def _no_draft_text(self, overview: ReportsOverview) -> Text:
        text = Text("No draft. ", style="bold")
        text.append(
            "Press n to start the next highlight report; the registers fill it in, you "
            "write the narrative."
        )
        return text

    def _fill_list(self, overview: ReportsOverview) -> None:
        table = self.query_one("#highlight-report-list", DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in overview.reports:
            if r.status == "draft":
                status = Text("Draft", style="bold")
                if r.supersedes:
                    status.append(f" (corrects {r.supersedes})")
            elif r.status == "superseded":
                status = Text(f"Superseded by {r.superseded_by}", style="dim")
            else:
                status = Text("Issued" + (f" (corrects {r.supersedes})" if r.supersedes else ""))
            table.add_row(
                number_cell(r.number),
                f"{format_date(r.period_start)} to {format_date(r.period_end)}",
                date_cell(r.report_date),
                status,
                rag_cell(self.app, r.overall_rag),
                key=str(r.number),
            )
        if overview.reports:
            table.move_cursor(row=min(max(cursor, 0), len(overview.reports) - 1))

    def _fill_calendar(self, overview: ReportsOverview) -> None:
        calendar = overview.calendar
        widget = self.query_one("#report-calendar", Static)
        if calendar is None:
            widget.update(Text("No reporting schedule is set for highlight reports.", style="dim"))
            return
        text = Text("Reporting calendar", style="bold")
        text.append(f"\n{calendar.frequency.capitalize()} to {calendar.audience or 'the board'}")
        if calendar.next_due is None:
            text.append("\nNo further reports due.")
        elif calendar.overdue:
            text.append("\n")
            text.append_text(
                warning_text(self.app, f"Next report due {format_date(calendar.next_due)}: overdue")
            )
        else:
            text.append(f"\nNext report due {format_date(calendar.next_due)}")
        for due in calendar.due[-6:]:
            if due.answered_by is not None:
                text.append(f"\n{format_date(due.due)}  report {due.answered_by}")
            elif due.overdue:
                text.append(f"\n{format_date(due.due)}  ")
                text.append_text(warning_text(self.app, "missed"))
            else:
                text.append(f"\n{format_date(due.due)}  due")
        widget.update(text)

    def _set_editor_values(self, raw: dict[str, str]) -> None:
        self._filling = True
        try:
            for name, _, slug in SECTIONS:
                area = self.query_one(f"#edit-{slug}", TextArea)
                if area.text != raw.get(name, ""):
                    area.load_text(raw.get(name, ""))
            self.query_one("#period-end", Input).value = raw.get("period end", "")
        finally:
            self._filling = False

    def _update_title(self) -> None:
        draft = self.draft
        if draft is None:
            return
        text = Text(f"Highlight report {draft.number}", style="bold")
        if draft.supersedes:
            text.append(f" (corrects report {draft.supersedes})")
        text.append(f" · draft · from {format_date(draft.period_start)}")
        text.append(" · ")
        if self.dirty:
            text.append_text(warning_text(self.app, "unsaved changes"))
        else:
            text.append(f"saved (version {self.version})", style="dim")
        self.query_one("#draft-title", Static).update(text)

    def _grid(self):
        from tracker.reports.highlight import grid, narrative_from_raw

        if self.draft is None:
            return []
        return grid(self.draft.data, narrative_from_raw(self.raw))

    def _fill_ratings(self) -> None:
        table = self.query_one("#ratings-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for rating in self._grid():
            table.add_row(
                rating.label,
                rag_cell(self.app, rating.last) if rating.last else Text("—", style="dim"),
                rag_cell(self.app, rating.rag),
                BASIS_WORDS[rating.basis],
                rating.comment,
                key=f"{rating.level} {rating.aspect}",
            )
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))

    # ------------------------------------------------------------------ the live preview

    def _document(self) -> Document | None:
        from tracker.reports.highlight import build_highlight_report, narrative_from_raw

        if self.viewing and self.viewing[0] == "draft" and self.draft is not None:
            return build_highlight_report(self.draft.data, narrative_from_raw(self.raw))
        return self.frozen

    def _schedule_preview(self, delay: float = PREVIEW_DELAY) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(max(delay, 0.01), self._render_preview)

    async def _render_preview(self) -> None:
        from tracker.reports.markdown import render_markdown

        self._timer = None
        document = self._document()
        if document is None or self.viewing is None or self.viewing[0] != "draft":
            return
        note = "Live preview of the draft, exactly as it will be issued"
        if self.dirty:
            note += " (a new period end shows once saved)"
        section = self.query_one("#draft-sections", TabbedContent).active
        await self._show_markdown(render_markdown(document), note, ANCHORS.get(section, ""))

    async def _show_markdown(self, markdown: str, note: str, anchor: str = "") -> None:
        self.query_one("#preview-title", Static).update(Text(note, style="italic"))
        preview = self.query_one("#report-preview", Markdown)
        await preview.update(markdown)
        if anchor:
            preview.goto_anchor(anchor)

    @on(TextArea.Changed)
    def text_changed(self, event: TextArea.Changed) -> None:
        if self._filling or self.draft is None:
            return
        for name, _, slug in SECTIONS:
            if event.text_area.id == f"edit-{slug}":
                self.raw[name] = event.text_area.text
        self._edited()

    @on(Input.Changed, "#period-end")
    def period_changed(self, event: Input.Changed) -> None:
        if self._filling or self.draft is None:
            return
        self.raw["period end"] = event.value
        self._edited()

    def _edited(self) -> None:
        self.dirty = self.raw != self.opened
        self._update_title()
        self._schedule_preview()

    @on(TabbedContent.TabActivated, "#draft-sections")
    def section_shown(self, event: TabbedContent.TabActivated) -> None:
        event.stop()  # the project screen's own tabs must not see the editor's
        if self.draft is not None and self.viewing and self.viewing[0] == "draft":
            self._schedule_preview(0)

    @on(DataTable.RowSelected, "#ratings-table")
    def rate(self, event: DataTable.RowSelected) -> None:
        from tracker.ui.screens.report_dialogs import RatingScreen

        if self.draft is None or event.row_key is None:
            return
        name = str(event.row_key.value)
        level, aspect = name.split(" ", 1)
        rating = next(r for r in self._grid() if (r.level, r.aspect) == (level, aspect))
        worked_out = None
        if aspect == "overall":
            worked_out = rating.rag or "not started"
        elif aspect in WORKED_OUT:
            worked_out = self.draft.data.worked_out.get((level, aspect))

        def rated(result) -> None:
            if result is None:
                return
            if aspect != "overall":
                self.raw[name] = result.rag if worked_out is None else self.raw.get(name, "")
            self.raw[f"{name} comment"] = result.comment
            self._edited()
            self._fill_ratings()

        self.app.push_screen(
            RatingScreen(
                rating_label(level, aspect),
                self.raw.get(name, ""),
                self.raw.get(f"{name} comment", ""),
                worked_out if aspect == "overall" or worked_out is not None else None,
            ),
            rated,
        )

    @on(DataTable.RowSelected, "#highlight-report-list")
    def open_report(self, event: DataTable.RowSelected) -> None:
        if event.row_key is None:
            return
        number = int(str(event.row_key.value))
        if self.draft is not None and number == self.draft.number:
            self.viewing = ("draft", number)
            self._schedule_preview(0)
            self.query_one("#edit-status-summary", TextArea).focus()
        else:
            self.view_report(number)

    def on_descendant_blur(self, event) -> None:
        """Leaving the editor saves what was typed, so nothing is lost on the way out."""
        self.call_after_refresh(self._save_if_left)

    def _save_if_left(self) -> None:
        editor = self.query_one("#draft-editor")
        focused = self.app.focused
        inside = focused is not None and editor in focused.ancestors_with_self
        modal = self.app.screen is not self.screen
        if self.dirty and not inside and not modal and self.draft is not None:
            self.action_save()

    # ------------------------------------------------------------------ actions

    def _highlighted_number(self) -> int | None:
        table = self.query_one("#highlight-report-list", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return int(str(key.value)) if key and key.value else None

    def action_new_draft(self) -> None:
        if self.draft is not None:
            self.viewing = ("draft", self.draft.number)
            self._schedule_preview(0)
            self.query_one("#edit-status-summary", TextArea).focus()
            return
        self._write("start")

    def action_save(self) -> None:
        if self.draft is None:
            self.notify("There is no draft to save: press n to start one.", severity="warning")
            return
        self._write(
            "save",
            number=self.draft.number,
            raw=dict(self.raw),
            opened=dict(self.opened),
            version=self.version,
        )

    def action_issue(self) -> None:
        from tracker.ui.screens.report_dialogs import ConfirmIssueScreen

        if self.draft is None:
            self.notify("There is no draft to issue: press n to start one.", severity="warning")
            return
        draft = self.draft
        period = f"{format_date(draft.period_start)} to {self.raw.get('period end', '')}"
        raw, opened, version = dict(self.raw), dict(self.opened), self.version

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._write("issue", number=draft.number, raw=raw, opened=opened, version=version)

        self.app.push_screen(ConfirmIssueScreen(draft.number, period), confirmed)

    def action_correct(self) -> None:
        number = self._highlighted_number()
        if self.viewing and self.viewing[0] == "issued" and number is None:
            number = self.viewing[1]
        report = next(
            (r for r in (self.overview.reports if self.overview else ()) if r.number == number),
            None,
        )
        if report is None or report.status != "issued":
            self.notify("Highlight an issued report to correct it.", severity="warning")
            return
        self._write("correct", number=report.number)

    def action_export(self) -> None:
        from tracker.reports.style import file_stem
        from tracker.ui.screens.report_dialogs import ExportScreen

        document = self._document()
        if document is None:
            self.notify("There is no report on show to export.", severity="warning")
            return
        stem = file_stem(document.title, self.key)

        def chosen(request) -> None:
            if request is not None:
                self.export(document, request.fmt, request.path)

        self.app.push_screen(ExportScreen(document.title, stem, Path.cwd()), chosen)

    # ------------------------------------------------------------------ workers

    def reload(self, focus_editor: bool = False) -> None:
        self._load(focus_editor)

    @work(thread=True, exclusive=True, group="reports-load")
    def _load(self, focus_editor: bool = False) -> None:
        from tracker.services.highlight import reports_overview

        try:
            overview = reports_overview(self.app.backend.database(), self.key)
        except Exception as exc:  # the database went away: say so, keep the screen
            self.post_message(self.Refused(_one_line(exc)))
            return
        self.post_message(self.Loaded(overview, focus_editor))

    @work(thread=True, exclusive=True, group="reports-view")
    def view_report(self, number: int) -> None:
        from tracker.reports.markdown import render_markdown
        from tracker.services.highlight import report_document

        try:
            copy = report_document(self.app.backend.database(), self.key, number)
        except Exception as exc:
            self.post_message(self.Refused(_one_line(exc)))
            return
        note = f"Highlight report {number} as issued to the board (frozen copy)"
        if not copy.frozen:
            note = f"Highlight report {number}, rebuilt from what was recorded when it was issued"
        if copy.superseded_by:
            note += f"; superseded by report {copy.superseded_by}"
        self.post_message(self.Viewed(number, copy.document, render_markdown(copy.document), note))

    def on_reports_pane_viewed(self, message: Viewed) -> None:
        self.viewing = ("issued", message.number)
        self.frozen = message.document
        self.run_worker(
            self._show_markdown(message.markdown, message.note), group="preview", exclusive=True
        )

    @work(thread=True, group="reports-write")
    def _write(self, what: str, **kwargs) -> None:
        from db.engine import DatabaseError
        from tracker.domain.validation import ValidationError
        from tracker.errors import TrackerError
        from tracker.services import highlight
        from tracker.services.records import EditConflict

        db = self.app.backend.database()
        number = kwargs.get("number")
        try:
            if what == "start":
                number = highlight.start_draft(db, self.key)
                message = self.Done(f"Started highlight report {number}", focus_editor=True)
            elif what == "save":
                version = highlight.save_draft(
                    db,
                    self.key,
                    number,
                    kwargs["raw"],
                    opened_version=kwargs["version"],
                    opened=kwargs["opened"],
                )
                message = self.Done(f"Saved highlight report {number} (version {version})")
            elif what == "issue":
                issued = highlight.issue_report(
                    db, self.key, number, kwargs["raw"], opened_version=kwargs["version"]
                )
                extra = f"; it supersedes report {issued.superseded}" if issued.superseded else ""
                message = self.Done(
                    f"Issued highlight report {issued.number}: frozen, with a snapshot of "
                    f"{issued.risks_recorded} risks{extra}"
                )
            else:
                new = highlight.correct_report(db, self.key, number)
                message = self.Done(
                    f"Started highlight report {new} to correct report {number}",
                    focus_editor=True,
                )
        except EditConflict as exc:
            self.post_message(self.Conflicted(exc))
            return
        except ValidationError as exc:
            problems = [str(e) for e in exc.errors]
            verb = {"save": "Not saved", "issue": "Not issued"}.get(what, "Refused")
            self.post_message(self.Refused(f"{verb}: {len(problems)} to put right", problems))
            return
        except (TrackerError, DatabaseError) as exc:
            self.post_message(self.Refused(_one_line(exc)))
            return
        except Exception as exc:  # e.g. the database refused a role without rights: say so
            self.post_message(self.Refused(f"Not done: {_one_line(exc)}"))
            return
        self.post_message(message)

    @work(thread=True, group="reports-export")
    def export(self, document: Document, fmt: str, path: Path) -> None:
        from tracker.reports.render import write_report

        try:
            size = write_report(document, fmt, path)
        except OSError as exc:
            self.post_message(self.Refused(f"Could not write {path}: {exc.strerror or exc}"))
            return
        except Exception as exc:
            self.post_message(self.Refused(f"Could not export: {_one_line(exc)}"))
            return
        self.post_message(
            self.Done(f"Exported {document.title} to {path} ({size:,} bytes)", reload=False)
        )

    # ------------------------------------------------------------------ results

    def on_reports_pane_loaded(self, message: Loaded) -> None:
        self.show(message.overview, message.focus_editor)

    def on_reports_pane_done(self, message: Done) -> None:
        self.notify(message.message)
        if message.reload:
            self.dirty = False
            self.query_one("#draft-problems", Static).update("")
            self.reload(message.focus_editor)

    def on_reports_pane_refused(self, message: Refused) -> None:
        self.notify(message.message, severity="error")
        if message.problems:
            text = Text("To put right before issuing:", style="bold")
            for problem in message.problems:
                text.append(f"\n• {problem}")
            self.query_one("#draft-problems", Static).update(text)

    def on_reports_pane_conflicted(self, message: Conflicted) -> None:
        from tracker.ui.screens.conflict import DISCARD, REAPPLY, ConflictScreen

        conflict = message.conflict

        def chosen(choice: str | None) -> None:
            if choice == REAPPLY:
                self._reapply(conflict.reapplied())
            elif choice == DISCARD:
                self.dirty = False
                self.reload()

        self.app.push_screen(ConflictScreen(conflict), chosen)

    @work(thread=True, group="reports-write")
    def _reapply(self, mine: dict[str, Any]) -> None:
        """Lay my changed fields over the draft as it is now, and save that."""
        from tracker.errors import TrackerError
        from tracker.services.highlight import reports_overview, save_draft

        db = self.app.backend.database()
        try:
            fresh = reports_overview(db, self.key).draft
            if fresh is None:
                raise TrackerError("the draft was issued meanwhile; nothing of yours was saved")
            raw = {**fresh.raw, **{k: str(v) for k, v in mine.items()}}
            version = save_draft(db, self.key, fresh.number, raw, opened_version=fresh.version)
        except Exception as exc:
            self.post_message(self.Refused(_one_line(exc)))
            return
        self.post_message(self.Done(f"Saved your changes over the newer draft (version {version})"))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
