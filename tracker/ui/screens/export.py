"""Export a register: choose the format and the file. The caller does the writing (in a worker,
with progress) through the one exporter, ``tracker.exports.table``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

FORMATS = (
    ("Excel workbook (xlsx)", "xlsx"),
    ("CSV", "csv"),
    ("Tab-separated (tsv)", "tsv"),
    ("JSON", "json"),
    ("Markdown table", "github"),
    ("HTML table", "html"),
    ("LaTeX table", "latex"),
    ("Plain text grid", "grid"),
    ("Plain text", "simple"),
)
EXTENSIONS = {"github": "md", "grid": "txt", "simple": "txt", "latex": "tex"}


@dataclass(frozen=True)
class ExportChoice:
    format: str
    path: Path


def extension(fmt: str) -> str:
    return EXTENSIONS.get(fmt, fmt)


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Export a register to a file. Enter exports; Escape cancels."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export_cancel"),
    ]

    def __init__(
        self,
        *,
        what: str,
        scope: str,
        default_name: str,
        folder: Path | None = None,
        formats: tuple[tuple[str, str], ...] = FORMATS,
    ):
        super().__init__()
        self.what = what
        self.scope = scope
        self.default_name = default_name
        self.folder = folder or Path.cwd()
        self.formats = formats

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(f"Export the {self.what}", id="export-title")
            yield Static(f"Exports {self.scope}.", classes="muted")
            yield Label("Format", classes="form-label")
            first = self.formats[0][1]
            yield Select(self.formats, value=first, allow_blank=False, id="export-format")
            yield Label("File", classes="form-label")
            yield Input(
                str(self.folder / f"{self.default_name}.{extension(first)}"), id="export-path"
            )
            yield Static("", classes="form-error", id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#export-format").focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value or self.default_name)
        path_input.value = str(path.with_suffix("." + extension(str(event.value))))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def export_pressed(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        raw = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        if not raw:
            error.update("File: give a file name")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if not path.parent.is_dir():
            error.update(f"File: {path.parent} is not a folder")
            return
        if path.is_dir():
            error.update(f"File: {path} is a folder; give a file name")
            return
        self.dismiss(ExportChoice(fmt, path))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)
