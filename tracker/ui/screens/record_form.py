"""The typed modal form every register uses (risks, issues, lessons, the daily log) and the
small dialogs built the same way (closing a risk, deciding an issue, moving it on).

Values go to a service as the raw text a person typed; the service's one validation path
accepts them or names every bad field, and the form shows each message under its field with
nothing saved. A save made on an old version opens the conflict screen instead of overwriting
anyone's change. F2 (or Enter, in a dialog) saves; Escape leaves without saving.

A subclass says which fields it has and how they are laid out, and provides ``load`` (choices,
values and version, read in a worker), ``fill`` (the choices into the widgets) and ``save``
(the service call, in a worker).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, SelectionList, Static, TextArea

YES_NO = (("No", "no"), ("Yes", "yes"))


def slug(field: str) -> str:
    return field.replace(" ", "-")


class RecordForm(ModalScreen[Any]):
    """A form over one record: F2 or the Save button saves; Escape leaves without saving."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "save", "Save", id="form_save"),
        Binding("escape", "cancel", "Cancel", id="form_cancel"),
    ]

    FORM_ID: ClassVar[str] = "record-form"  # ids: FORM_ID, FORM_ID-title, -problems, -fields
    FIELDS: ClassVar[tuple[str, ...]] = ()
    LAYOUT: ClassVar[tuple[tuple[str, ...], ...]] = ()
    LONG_TEXT: ClassVar[frozenset[str]] = frozenset()
    CHOICES: ClassVar[frozenset[str]] = frozenset()  # a Select
    PEOPLE_LISTS: ClassVar[frozenset[str]] = frozenset()  # a SelectionList of names
    REQUIRED: ClassVar[frozenset[str]] = frozenset()
    HINTS: ClassVar[dict[str, str]] = {}
    LABELS: ClassVar[dict[str, str]] = {}
    SAVE_LABEL: ClassVar[str] = "Save (F2)"
    SAVE_VARIANT: ClassVar[str] = "primary"
    COMPACT: ClassVar[bool] = False  # a small dialog rather than a full-screen form
    SUBMIT_ON_ENTER: ClassVar[bool] = False
    SAVES_CHANGES: ClassVar[bool] = True  # an edit sends only the fields that changed
    REREAD_ON_CONFLICT: ClassVar[bool] = False  # a dialog: say so, read the version again

    def __init__(self, key: str, identifier: str | None) -> None:
        super().__init__()
        self.key = key
        self.identifier = identifier
        self.choices: Any = None  # set once loaded
        self.opened: dict[str, str] = {}
        self.version: int | None = None
        self._offered: dict[str, set[str]] = {}
        self._pending: Any = None
        assert set(f for row in self.LAYOUT for f in row) == set(self.FIELDS)

    # ------------------------------------------------------------------ what a form says

    def heading(self) -> str:
        raise NotImplementedError

    def load(self, db) -> tuple[Any, dict[str, str], int | None]:
        """(choices, raw values, version) from the database; runs in a worker."""
        raise NotImplementedError

    def fill(self, choices: Any, values: dict[str, str]) -> None:
        """Offer the choices in the widgets (before the values are shown)."""

    def save(self, db, values: dict[str, str], version: int | None) -> Any:
        """Call the service; runs in a worker. Raise ``ValidationError`` or ``EditConflict``."""
        raise NotImplementedError

    def first_field(self) -> str:
        return f"#f-{slug(self.FIELDS[0])}"

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        classes = "record-form compact-form" if self.COMPACT else "record-form"
        with Vertical(id=self.FORM_ID, classes=classes):
            yield Static(self.heading(), id=f"{self.FORM_ID}-title", classes="form-title")
            intro = Static("", id=f"{self.FORM_ID}-intro", classes="form-intro")
            intro.display = False
            yield intro
            yield Static("Loading…", id=f"{self.FORM_ID}-problems", classes="form-problems")
            with VerticalScroll(id=f"{self.FORM_ID}-fields", classes="form-fields"):
                for row in self.LAYOUT:
                    with Horizontal(classes="form-row"):
                        for field in row:
                            with Vertical(classes="form-field", id=f"box-{slug(field)}"):
                                marker = " *" if field in self.REQUIRED else ""
                                label = self.LABELS.get(field, field.capitalize())
                                yield Label(label + marker, classes="form-label")
                                yield from self._widget(field)
                                if self.HINTS.get(field):
                                    yield Static(self.HINTS[field], classes="form-hint")
                                yield Static("", classes="form-error", id=f"err-{slug(field)}")
            with Horizontal(id=f"{self.FORM_ID}-buttons", classes="form-buttons"):
                yield Button(self.SAVE_LABEL, id="save", variant=self.SAVE_VARIANT)
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def _widget(self, field: str):
        widget_id = f"f-{slug(field)}"
        if field in self.LONG_TEXT:
            yield TextArea(id=widget_id, classes="form-text", soft_wrap=True, tab_behavior="focus")
        elif field in self.PEOPLE_LISTS:
            yield SelectionList[str](id=widget_id, classes="form-people")
        elif field in self.CHOICES:
            yield Select([], id=widget_id)
        else:
            yield Input(id=widget_id)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="record-form")
    def _load(self) -> None:
        choices, values, version = self.load(self.app.backend.database())
        self.app.call_from_thread(self._fill, choices, values, version)

    def _fill(self, choices: Any, values: dict[str, str], version: int | None) -> None:
        self._pending = choices
        self.opened = dict(values)
        self.version = version
        self.fill(choices, values)
        self.show_values(values)
        self.query_one(f"#{self.FORM_ID}-problems", Static).update("")
        self.query_one(self.first_field()).focus()
        self.choices = choices

    def set_options(self, field: str, options: list[tuple[str, str]]) -> None:
        self._offered[field] = {value for _, value in options}
        self.query_one(f"#f-{slug(field)}", Select).set_options(options)

    def set_intro(self, text: Any) -> None:
        intro = self.query_one(f"#{self.FORM_ID}-intro", Static)
        intro.update(text)
        intro.display = bool(str(text))

    def show_values(self, values: dict[str, str]) -> None:
        """Put raw field values into the widgets (a fresh form, or their version after a
        conflict)."""
        for field in self.FIELDS:
            if field in self.PEOPLE_LISTS:
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

    # ------------------------------------------------------------------ saving

    def raw_values(self) -> dict[str, str]:
        """The form as the raw text values the services validate."""
        values: dict[str, str] = {}
        for field in self.FIELDS:
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
        for field in self.FIELDS:
            self.query_one(f"#err-{slug(field)}", Static).update(problems.get(field, ""))
            self.query_one(f"#box-{slug(field)}").set_class(field in problems, "has-error")
        elsewhere = [f"{f}: {m}" for f, m in problems.items() if f not in self.FIELDS]
        text = "\n".join([summary, *elsewhere])
        self.query_one(f"#{self.FORM_ID}-problems", Static).update(text)
        first = next((f for f in self.FIELDS if f in problems), None)
        if first is not None:
            self.query_one(f"#f-{slug(first)}").focus()

    def action_save(self) -> None:
        if self.choices is None:
            return
        values = self.raw_values()
        if self.identifier and self.SAVES_CHANGES:
            changes = {f: v for f, v in values.items() if v != self.opened.get(f, "")}
            if not changes:
                self.dismiss(None)
                return
            self._save(changes, self.version)
        else:
            self._save(values, self.version)

    @work(thread=True, exclusive=True, group="record-form-save")
    def _save(self, values: dict[str, str], version: int | None) -> None:
        from tracker.domain.validation import ValidationError
        from tracker.services.records import EditConflict

        try:
            saved = self.save(self.app.backend.database(), values, version)
        except ValidationError as exc:
            problems = {e.field: e.message for e in exc.errors}
            count = len(problems)
            summary = f"Not saved: {count} field{'s' if count != 1 else ''} to put right."
            self.app.call_from_thread(self.show_problems, problems, summary)
            return
        except EditConflict as exc:
            self.app.call_from_thread(self.conflict, exc)
            return
        except Exception as exc:
            from tracker.services.failures import user_message

            message = user_message(exc)
            if message is None:
                raise
            self.app.call_from_thread(self.show_problems, {}, f"Not saved: {message}")
            return
        self.app.call_from_thread(self.dismiss, saved)

    def conflict(self, conflict) -> None:
        """Someone saved the record after this form opened: show both versions, then re-apply
        this form's changes on theirs or start again from theirs. A dialog (which changes
        what it names and nothing else) says so and reads the record again, keeping what was
        typed, so saving again acts on the version there now."""
        if self.REREAD_ON_CONFLICT:
            self.show_problems({}, f"Not saved: {conflict}")
            self.read_version_again()
            return
        from tracker.ui.screens.conflict import DISCARD, REAPPLY, ConflictScreen

        def chosen(choice: str | None) -> None:
            if choice == REAPPLY:
                self._save(conflict.reapplied(), conflict.current_version)
            elif choice == DISCARD:
                self._load()

        self.app.push_screen(ConflictScreen(conflict), chosen)

    @work(thread=True, group="record-form-reread")
    def read_version_again(self) -> None:
        _choices, _values, version = self.load(self.app.backend.database())
        self.app.call_from_thread(setattr, self, "version", version)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def input_submitted(self) -> None:
        if self.SUBMIT_ON_ENTER:
            self.action_save()

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)
