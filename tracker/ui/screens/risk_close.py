"""Closing a risk: the register keeps why and when, so the reason is asked for."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static


class CloseRiskScreen(ModalScreen[Any]):
    """Close a risk with a reason (required) and a date (default today). Escape cancels."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="close_cancel"),
    ]

    def __init__(self, key: str, identifier: str) -> None:
        super().__init__()
        self.key = key
        self.identifier = identifier
        self.version: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="close-dialog"):
            yield Static(f"Close {self.key} {self.identifier}", id="close-title")
            yield Static("", id="close-risk")
            yield Label("Why is it closed? *", classes="form-label")
            yield Input(
                placeholder="e.g. contracts signed; the threat has passed", id="close-reason"
            )
            yield Static("", classes="form-error", id="err-closure-reason")
            yield Label("Closed on", classes="form-label")
            yield Input(placeholder="day first, default today", id="close-date")
            yield Static("", classes="form-error", id="err-closed-on")
            with Horizontal(id="close-buttons"):
                yield Button("Close the risk", id="close", variant="warning")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#close-reason").focus()
        self._load()

    @work(thread=True, group="risk-close")
    def _load(self) -> None:
        from tracker.services.risk_register import risk_detail

        detail = risk_detail(self.app.backend.database(), self.key, self.identifier)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail) -> None:
        self.version = detail.version
        self.query_one("#close-risk", Static).update(detail.title)

    @on(Input.Submitted)
    @on(Button.Pressed, "#close")
    def close_pressed(self) -> None:
        reason = self.query_one("#close-reason", Input).value
        closed_on = self.query_one("#close-date", Input).value
        self._close(reason, closed_on)

    @work(thread=True, exclusive=True, group="risk-close-save")
    def _close(self, reason: str, closed_on: str) -> None:
        from tracker.domain.clock import today
        from tracker.domain.validation import ValidationError
        from tracker.services.records import EditConflict
        from tracker.services.risk_changes import close_risk

        try:
            saved = close_risk(
                self.app.backend.database(),
                self.key,
                self.identifier,
                reason=reason,
                closed_on=closed_on,
                opened_version=self.version,
                today=today(),
            )
        except ValidationError as exc:
            self.app.call_from_thread(self._problems, {e.field: e.message for e in exc.errors})
            return
        except EditConflict as exc:
            self.app.call_from_thread(self._problems, {"closure reason": str(exc)})
            self._load()
            return
        except Exception as exc:
            from tracker.services.failures import user_message

            message = user_message(exc)
            if message is None:
                raise
            self.app.call_from_thread(self._problems, {"closure reason": f"Not closed: {message}"})
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _problems(self, problems: dict[str, str]) -> None:
        self.query_one("#err-closure-reason", Static).update(problems.get("closure reason", ""))
        self.query_one("#err-closed-on", Static).update(problems.get("closed on", ""))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)
