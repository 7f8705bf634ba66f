"""Modal forms for the stages tab (progress updates, tolerances, report sections, board
decisions) and the tolerance rule shown on demand.

A form validates with the same parser the command line uses and dismisses with the typed input
(or None: Escape cancels); the caller saves it through a service. A bad value gets its message
under its own field and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.table import Table as RichTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

T = TypeVar("T")


@dataclass(frozen=True)
class FormField:
    name: str  # the parser's field name, e.g. "actual cost to date"
    label: str
    value: str = ""
    multiline: bool = False
    placeholder: str = ""


def field_id(name: str) -> str:
    return "field-" + "".join(c if c.isalnum() else "-" for c in name.lower())


class StageForm(ModalScreen[T | None], Generic[T]):
    """A form over ``fields``; ``parse(raw values by field name)`` returns the typed input or
    raises ``ValidationError``."""

    CSS_PATH = "stage_forms.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form_cancel"),
        Binding("f2", "save", "Save", id="form_save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        parse: Callable[[dict[str, str]], T],
        *,
        intro: str = "",
        save_label: str = "Save",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.parse = parse
        self.intro = intro
        self.save_label = save_label

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog"):
            yield Static(Text(self.form_title, style="bold"), id="form-title")
            if self.intro:
                yield Static(self.intro, id="form-intro")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        with Vertical(classes="form-input"):
                            if f.multiline:
                                yield TextArea(f.value, id=field_id(f.name), soft_wrap=True)
                            else:
                                yield Input(f.value, placeholder=f.placeholder, id=field_id(f.name))
                            yield Static("", classes="form-error", id=field_id(f.name) + "-error")
            yield Static("", id="form-problem")
            with Horizontal(id="form-buttons"):
                yield Button(f"{self.save_label} (F2)", id="form-save", variant="primary")
                yield Button("Cancel (Esc)", id="form-cancel")
        yield Footer()

    def on_mount(self) -> None:
        first = self.query(".form-input Input, .form-input TextArea").first()
        first.focus()

    def raw_values(self) -> dict[str, str]:
        raw = {}
        for f in self.fields:
            widget = self.query_one(f"#{field_id(f.name)}")
            raw[f.name] = widget.text if isinstance(widget, TextArea) else widget.value
        return raw

    def action_save(self) -> None:
        from tracker.domain.validation import ValidationError

        for error in self.query(".form-error"):
            error.update("")
            error.remove_class("shown")
        self.query_one("#form-problem", Static).update("")
        try:
            result = self.parse(self.raw_values())
        except ValidationError as exc:
            self.show_errors(exc)
            return
        self.dismiss(result)

    def show_errors(self, exc) -> None:
        """Each message under its field; messages about no one field above the buttons."""
        names = {f.name for f in self.fields}
        general = []
        focused = False
        for error in exc.errors:
            if error.field in names:
                label = self.query_one(f"#{field_id(error.field)}-error", Static)
                label.update(Text(error.message, style="bold"))
                label.add_class("shown")
                if not focused:
                    self.query_one(f"#{field_id(error.field)}").focus()
                    focused = True
            else:
                general.append(f"{error.field}: {error.message}")
        if general:
            self.query_one("#form-problem", Static).update(Text("; ".join(general), style="bold"))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)


def rule_text() -> Any:
    """The tolerance rule, the RAG key and the escalation ladder, for the rule screen."""
    from tracker.domain.rag import RAG_KEY
    from tracker.domain.tolerance import RULE

    key = RichTable(box=None, show_header=False, padding=(0, 2))
    key.add_column(style="bold")
    key.add_column()
    for rag, meaning in RAG_KEY.items():
        key.add_row(rag.capitalize(), meaning)
    ladder = RichTable(box=None, show_header=False, padding=(0, 2))
    ladder.add_column(style="bold")
    ladder.add_column()
    ladder.add_row(
        "Work package", "forecast beyond its tolerance: the team manager raises an issue"
    )
    ladder.add_row(
        "Stage",
        "forecast beyond stage tolerance: the project manager sends an exception report "
        "to the project board",
    )
    ladder.add_row(
        "Project",
        "forecast beyond project tolerance: the board refers it to corporate or programme "
        "management",
    )
    return RULE, key, ladder


class ToleranceRuleScreen(ModalScreen[None]):
    """How tolerance status is worked out, shown on demand."""

    CSS_PATH = "stage_forms.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="rule_close"),
        Binding("k", "close", "Close", show=False, id="rule_close_k"),
    ]

    def compose(self) -> ComposeResult:
        rule, key, ladder = rule_text()
        with VerticalScroll(id="rule-dialog"):
            yield Static(Text("Tolerance status: the rule", style="bold"))
            yield Static(rule, id="rule-text")
            yield Static(
                "Time is measured in days against the plan's end date; unfinished work is never "
                "forecast to finish before today. Cost is the forecast at completion against the "
                "plan's cost; a percentage tolerance is a share of that plan. A project's overall "
                "RAG is the worst of its own time and cost status and its current stage's.",
                id="rule-detail",
            )
            yield Static(Text("Key", style="bold"))
            yield Static(key, id="rule-key")
            yield Static(Text("Who must be told", style="bold"))
            yield Static(ladder, id="rule-ladder")
            yield Static("Escape closes this.", classes="muted")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
