"""An issue report (PRINCE2 A.13) on screen: the same ``Document`` that is printed, shown as
Markdown. From here the issue is edited, moved on, decided, linked to a new risk, or printed to
a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

PRINT_FORMATS = (("Markdown document (md)", "md"),)


class IssueReportScreen(ModalScreen[Any]):
    """The issue report. e edits it, a moves it on, d decides it, p prints it, Escape closes."""

    CSS_PATH = "registers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="report_close"),
        Binding("e", "edit", "Edit", id="report_edit"),
        Binding("a", "advance", "Move on", id="report_advance"),
        Binding("d", "decide", "Decide", id="report_decide"),
        Binding("R", "raise_risk", "Raise a risk", id="report_raise_risk"),
        Binding("p", "print", "Print", id="report_print"),
        Binding("h", "history", "History", show=False, id="report_history"),
    ]

    def __init__(self, key: str, identifier: str) -> None:
        super().__init__()
        self.key = key
        self.identifier = identifier
        self.markdown: str | None = None
        self.last_saved: Any = None  # what this screen's forms saved, for the register

    def compose(self) -> ComposeResult:
        with Vertical(id="issue-report-dialog"):
            yield Static(f"Issue report {self.key} {self.identifier}", id="issue-report-title")
            with VerticalScroll(id="issue-report-scroll"):
                yield Markdown("Loading…", id="issue-report-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#issue-report-scroll").focus()
        self._load()

    @work(thread=True, exclusive=True, group="issue-report")
    def _load(self) -> None:
        from tracker.reports.markdown import render_markdown
        from tracker.services.issue_log import issue_report_document

        document = issue_report_document(self.app.backend.database(), self.key, self.identifier)
        self.app.call_from_thread(self._show, render_markdown(document))

    def _show(self, text: str) -> None:
        self.markdown = text
        self.query_one("#issue-report-body", Markdown).update(text)

    def _changed(self, saved) -> None:
        if saved is not None:
            self.last_saved = saved
            self.notify(f"{self.key} {saved.identifier} saved (version {saved.version})")
            self._load()

    def action_edit(self) -> None:
        from tracker.ui.screens.issue_form import IssueForm

        self.app.push_screen(IssueForm(self.key, self.identifier), self._changed)

    def action_advance(self) -> None:
        from tracker.ui.screens.issue_dialogs import AdvanceIssueScreen

        self.app.push_screen(AdvanceIssueScreen(self.key, self.identifier), self._changed)

    def action_decide(self) -> None:
        from tracker.ui.screens.issue_dialogs import DecideIssueScreen

        self.app.push_screen(DecideIssueScreen(self.key, self.identifier), self._changed)

    def action_raise_risk(self) -> None:
        from tracker.ui.screens.issue_dialogs import RaiseRiskScreen

        def raised(made) -> None:
            if made is not None:
                self.last_saved = made
                self.notify(f"{self.key} {made.issue} raised risk {made.risk}")
                self._load()

        self.app.push_screen(RaiseRiskScreen(self.key, self.identifier), raised)

    def action_history(self) -> None:
        from functools import partial

        from tracker.services.issue_register import issue_history
        from tracker.ui.screens.history import HistoryScreen

        self.app.push_screen(
            HistoryScreen(
                f"History of {self.key} {self.identifier}",
                partial(issue_history, key=self.key, identifier=self.identifier),
            )
        )

    def action_print(self) -> None:
        from tracker.ui.screens.export import ExportScreen

        self.app.push_screen(
            ExportScreen(
                what=f"{self.key} {self.identifier} issue report",
                scope="the issue report as a document",
                default_name=f"{self.key}-{self.identifier}-issue-report",
                formats=PRINT_FORMATS,
            ),
            self._print_chosen,
        )

    def _print_chosen(self, choice) -> None:
        if choice is not None and self.markdown is not None:
            self._print(self.markdown, choice.path)

    @work(thread=True, group="issue-report-print")
    def _print(self, text: str, path: Path) -> None:
        try:
            temporary = path.with_name(f".{path.name}.partial")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Not printed: {exc}", severity="error", timeout=10
            )
            return
        self.app.call_from_thread(
            self.notify, f"Printed the issue report to {path}", title="Issue report", timeout=10
        )

    def action_close(self) -> None:
        self.dismiss(self.last_saved)
