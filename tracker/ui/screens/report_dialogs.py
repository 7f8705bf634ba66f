"""The Reports tab's dialogs: rating one row of the RAG grid, confirming that a report goes to
the board, and choosing where an export is written. Each is a typed modal that validates and
dismisses with its result; Escape cancels; the caller does the saving."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tracker.domain.rag import rag_word

RAG_CHOICES = ("green", "amber", "red", "blue", "not started")
FORMAT_CHOICES = (
    ("PDF (A4, for print)", "pdf"),
    ("HTML (one file)", "html"),
    ("Markdown", "md"),
    ("Plain text (for email)", "txt"),
)


@dataclass(frozen=True)
class RatingInput:
    rag: str  # "" when not rated
    comment: str


class RatingScreen(ModalScreen[RatingInput | None]):
    """Rate one row of the RAG grid and say why. Rows worked out from the tolerance status
    take only a comment."""

    CSS_PATH = "report_dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rating_cancel"),
        Binding("f2", "done", "Keep", id="rating_keep"),
    ]

    def __init__(self, label: str, rag: str, comment: str, worked_out: str | None) -> None:
        super().__init__()
        self.label = label
        self.rag = rag
        self.comment = comment
        self.worked_out = worked_out

    def compose(self) -> ComposeResult:
        with Vertical(id="rating-dialog", classes="dialog"):
            yield Static(Text(self.label, style="bold"), id="rating-title")
            if self.worked_out is not None:
                yield Static(
                    f"Worked out from the tolerance status: {rag_word(self.worked_out)}. "
                    "Only the comment is yours.",
                    id="rating-basis",
                )
            else:
                yield Label("Rating")
                yield Select(
                    [(rag_word(r), r) for r in RAG_CHOICES],
                    value=self.rag or Select.NULL,
                    prompt="Not rated",
                    id="rating-rag",
                )
            yield Label("Comment (needed for every rating that is not green)")
            yield Input(self.comment, placeholder="Why this rating", id="rating-comment")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep (F2)", id="keep", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        target = "#rating-comment" if self.worked_out is not None else "#rating-rag"
        self.query_one(target).focus()

    def _result(self) -> RatingInput:
        rag = self.rag
        if self.worked_out is None:
            chosen = self.query_one("#rating-rag", Select).value
            rag = "" if chosen is Select.NULL else str(chosen)
        return RatingInput(rag, self.query_one("#rating-comment", Input).value.strip())

    def action_done(self) -> None:
        self.dismiss(self._result())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#rating-comment")
    def submitted(self) -> None:
        self.action_done()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_done() if event.button.id == "keep" else self.action_cancel()


class ConfirmIssueScreen(ModalScreen[bool]):
    """Confirm that a report goes to the board: once issued it can only be corrected by a
    superseding report."""

    CSS_PATH = "report_dialogs.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Issue", id="issue_yes"),
        Binding("n,escape", "answer(False)", "Not yet", id="issue_no"),
    ]

    def __init__(self, number: int, period: str) -> None:
        super().__init__()
        self.number = number
        self.period = period

    def compose(self) -> ComposeResult:
        with Vertical(id="issue-dialog", classes="dialog"):
            yield Static(
                Text.assemble(
                    (f"Issue highlight report {self.number} ({self.period}) to the board?", "bold"),
                    "\n\nThe report is frozen exactly as the preview shows it, with a snapshot of "
                    "the risk register. Nothing can change it afterwards; a mistake is put right "
                    "by a corrected report that supersedes it (both are kept).",
                )
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Issue (y)", id="yes", variant="warning")
                yield Button("Not yet (n)", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    path: Path


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Export the report on show to a file: PDF, HTML, Markdown or plain text."""

    CSS_PATH = "report_dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export_cancel"),
        Binding("f2", "export", "Export", id="export_go"),
    ]

    def __init__(self, title: str, stem: str, folder: Path) -> None:
        super().__init__()
        self.title_text = title
        self.stem = stem
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Text(f"Export {self.title_text}", style="bold"))
            yield Label("Format")
            yield Select(list(FORMAT_CHOICES), value="pdf", allow_blank=False, id="export-format")
            yield Label("File")
            yield Input(str(self.folder / f"{self.stem}.pdf"), id="export-path")
            yield Static("", id="export-problem", classes="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (F2)", id="export", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-format", Select).focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value or f"{self.stem}.pdf")
        path_input.value = str(path.with_suffix(f".{event.value}"))

    def action_export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        problem = self.query_one("#export-problem", Static)
        if not text:
            problem.update("Give a file name.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if not path.parent.is_dir():
            problem.update(f"{path.parent} is not a folder.")
            return
        if path.is_dir():
            problem.update(f"{path} is a folder; give a file name.")
            return
        fmt = str(self.query_one("#export-format", Select).value)
        self.dismiss(ExportRequest(fmt, path))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#export-path")
    def submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_export() if event.button.id == "export" else self.action_cancel()
