"""The risk form: every field of the PRINCE2 risk register, for a new risk or an edit.

Values go to the service as the raw text a person typed; ``parse_risk`` (the one validation path,
shared with the importer and the command line) accepts them or names every bad field, and the
form shows each message under its field with nothing saved. A save made on an old version opens
the conflict screen instead of overwriting anyone's change.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, SelectionList, Static, TextArea

from tracker.services.risks import RISK_FIELDS

LONG_TEXT = {"cause", "event", "effect", "response", "early warning indicators", "notes"}
CHOICES = {
    "kind",
    "status",
    "category",
    "inherent probability",
    "inherent impact",
    "residual probability",
    "residual impact",
    "proximity band",
    "response category",
    "owner",
    "author",
}
REQUIRED = {"kind", "title", "inherent probability", "inherent impact", "status"}
HINTS = {
    "title": "a short name for the risk",
    "cause": "the source of the risk: a fact or situation today",
    "event": "what might happen (the threat or opportunity)",
    "effect": "what it would do to the project's objectives",
    "date registered": "day first, e.g. 07/12/2011 (default today)",
    "inherent cost impact": "before any response, in pounds, e.g. £40,000",
    "residual cost impact": "after the response, in pounds",
    "proximity date": "when it could happen, day first",
    "owner": "one person manages the risk (not needed for a draft)",
    "actionees": "who carries out the responses (Space to tick)",
    "closed on": "day first (default today)",
    "closure reason": "required to close a risk",
}
LAYOUT = (
    ("kind", "status", "category", "date registered"),
    ("title",),
    ("cause",),
    ("event",),
    ("effect",),
    ("inherent probability", "inherent impact", "inherent cost impact"),
    ("residual probability", "residual impact", "residual cost impact"),
    ("proximity date", "proximity band", "response category"),
    ("response",),
    ("early warning indicators",),
    ("owner", "author"),
    ("actionees",),
    ("closed on", "closure reason"),
    ("notes",),
)


def slug(field: str) -> str:
    return field.replace(" ", "-")


class RiskForm(ModalScreen[Any]):
    """Add or edit a risk. F2 or the Save button saves; Escape leaves without saving."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "save", "Save", id="form_save"),
        Binding("escape", "cancel", "Cancel", id="form_cancel"),
    ]

    def __init__(self, key: str, identifier: str | None) -> None:
        super().__init__()
        self.key = key
        self.identifier = identifier
        self.choices = None
        self.opened: dict[str, str] = {}
        self.version: int | None = None
        self._offered: dict[str, set[str]] = {}
        assert set(f for row in LAYOUT for f in row) == set(RISK_FIELDS)

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        title = f"{self.key} {self.identifier}: edit risk" if self.identifier else "New risk"
        with Vertical(id="risk-form"):
            yield Static(title, id="risk-form-title")
            yield Static("Loading…", id="risk-form-problems")
            with VerticalScroll(id="risk-form-fields"):
                for row in LAYOUT:
                    with Horizontal(classes="form-row"):
                        for field in row:
                            with Vertical(classes="form-field", id=f"box-{slug(field)}"):
                                marker = " *" if field in REQUIRED else ""
                                yield Label(field.capitalize() + marker, classes="form-label")
                                yield from self._widget(field)
                                yield Static(HINTS.get(field, ""), classes="form-hint")
                                yield Static("", classes="form-error", id=f"err-{slug(field)}")
            with Horizontal(id="risk-form-buttons"):
                yield Button("Save (F2)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def _widget(self, field: str):
        widget_id = f"f-{slug(field)}"
        if field in LONG_TEXT:
            yield TextArea(id=widget_id, classes="form-text", soft_wrap=True, tab_behavior="focus")
        elif field == "actionees":
            yield SelectionList[str](id=widget_id, classes="form-people")
        elif field in CHOICES:
            yield Select([], id=widget_id)
        else:
            yield Input(id=widget_id)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="risk-form")
    def _load(self) -> None:
        from tracker.services.risk_changes import risk_for_editing, risk_form_choices

        db = self.app.backend.database()
        choices = risk_form_choices(db, self.key)
        if self.identifier:
            values, version = risk_for_editing(db, self.key, self.identifier)
        else:
            values, version = (
                {f: "" for f in RISK_FIELDS} | {"kind": "threat", "status": "active"},
                None,
            )
        self.app.call_from_thread(self._fill, choices, values, version)

    def _fill(self, choices, values: dict[str, str], version: int | None) -> None:
        self._pending = choices
        self.opened = dict(values)
        self.version = version
        self._set_options("kind", [(k.capitalize(), k) for k in choices.kinds])
        self._set_options("status", [(s.capitalize(), s) for s in choices.statuses])
        self._set_options("category", [(c, c) for c in choices.categories])
        for field, levels in (
            ("inherent probability", choices.probability),
            ("residual probability", choices.probability),
            ("inherent impact", choices.impact),
            ("residual impact", choices.impact),
        ):
            self._set_options(field, [(label, str(level)) for level, label in levels])
        self._set_options("proximity band", [(b.capitalize(), b) for b in choices.proximity_bands])
        self._set_options("owner", [(p, p) for p in choices.people])
        self._set_options("author", [(p, p) for p in choices.people])
        self._responses_for(values.get("kind") or "threat")
        people = self.query_one(f"#f-{slug('actionees')}", SelectionList)
        chosen = {n.strip() for n in values.get("actionees", "").split(",") if n.strip()}
        people.clear_options()
        people.add_options([(p, p, p in chosen) for p in choices.people])
        self.show_values(values)
        self.query_one("#risk-form-problems", Static).update("")
        self.query_one("#f-kind" if self.identifier else "#f-title").focus()
        self.choices = choices

    def _set_options(self, field: str, options: list[tuple[str, str]]) -> None:
        self._offered[field] = {value for _, value in options}
        self.query_one(f"#f-{slug(field)}", Select).set_options(options)

    def _responses_for(self, kind: str) -> None:
        choices = self.choices or self._pending
        options = [(r.capitalize(), r) for r in choices.responses.get(kind, ())]
        select = self.query_one(f"#f-{slug('response category')}", Select)
        current = select.value
        self._offered["response category"] = {value for _, value in options}
        select.set_options(options)
        if current in self._offered["response category"]:
            select.value = current

    def show_values(self, values: dict[str, str]) -> None:
        """Put raw field values into the widgets (a fresh form, or their version after a
        conflict)."""
        for field in RISK_FIELDS:
            if field == "actionees":
                continue
            value = values.get(field, "") or ""
            widget = self.query_one(f"#f-{slug(field)}")
            if isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Select):
                offered = self._offered.get(field, set())
                widget.value = value if value in offered else Select.NULL
            else:
                widget.value = value

    @on(Select.Changed, "#f-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self._responses_for(str(event.value))

    # ------------------------------------------------------------------ saving

    def raw_values(self) -> dict[str, str]:
        """The form as the raw text values the risk services validate."""
        values: dict[str, str] = {}
        for field in RISK_FIELDS:
            widget = self.query_one(f"#f-{slug(field)}")
            if isinstance(widget, TextArea):
                values[field] = widget.text
            elif isinstance(widget, SelectionList):
                values[field] = ", ".join(sorted(widget.selected, key=str.casefold))
            elif isinstance(widget, Select):
                values[field] = "" if widget.value is Select.NULL else str(widget.value)
            else:
                values[field] = widget.value
        return values

    def show_problems(self, problems: dict[str, str], summary: str) -> None:
        for field in RISK_FIELDS:
            self.query_one(f"#err-{slug(field)}", Static).update(problems.get(field, ""))
            self.query_one(f"#box-{slug(field)}").set_class(field in problems, "has-error")
        self.query_one("#risk-form-problems", Static).update(summary)
        first = next((f for f in RISK_FIELDS if f in problems), None)
        if first is not None:
            self.query_one(f"#f-{slug(first)}").focus()

    def action_save(self) -> None:
        if self.choices is None:
            return
        values = self.raw_values()
        if self.identifier:
            changes = {f: v for f, v in values.items() if v != self.opened.get(f, "")}
            if not changes:
                self.dismiss(None)
                return
            self._save(changes, self.version)
        else:
            self._save(values, None)

    @work(thread=True, exclusive=True, group="risk-form-save")
    def _save(self, changes: dict[str, str], version: int | None) -> None:
        from tracker.domain.clock import today
        from tracker.domain.validation import ValidationError
        from tracker.services.records import EditConflict
        from tracker.services.risk_changes import add_risk, change_risk

        db = self.app.backend.database()
        try:
            if self.identifier:
                saved = change_risk(
                    db,
                    self.key,
                    self.identifier,
                    changes,
                    opened_version=version,
                    today=today(),
                    opened=self.opened,
                )
            else:
                saved = add_risk(db, self.key, changes, today=today())
        except ValidationError as exc:
            problems = {e.field: e.message for e in exc.errors}
            count = len(problems)
            summary = f"Not saved: {count} field{'s' if count != 1 else ''} to put right."
            self.app.call_from_thread(self.show_problems, problems, summary)
            return
        except EditConflict as exc:
            self.app.call_from_thread(self._conflict, exc)
            return
        except Exception as exc:
            from tracker.services.failures import user_message

            message = user_message(exc)
            if message is None:
                raise
            self.app.call_from_thread(self.show_problems, {}, f"Not saved: {message}")
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _conflict(self, conflict) -> None:
        from tracker.ui.screens.conflict import DISCARD, REAPPLY, ConflictScreen

        def chosen(choice: str | None) -> None:
            if choice == REAPPLY:
                self._save(conflict.reapplied(), conflict.current_version)
            elif choice == DISCARD:
                self._load()

        self.app.push_screen(ConflictScreen(conflict), chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)
