"""Shown when a save is refused because someone else saved the record first: both versions
field by field, then the person chooses to re-apply their change on top of the newer record or
to discard it. Nothing is overwritten without that choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Static

from tracker.domain.dates import format_date
from tracker.ui.formatting import warning_text

if TYPE_CHECKING:
    from tracker.services.records import EditConflict

REAPPLY = "reapply"
DISCARD = "discard"


COLUMNS = (("Field", 16), ("When you opened it", 20), ("Yours", 20), ("Theirs now", 20), ("", 12))
VALUE_WIDTH = 20


def _clipped(value: object) -> str:
    text = " ".join(_shown(value).split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


class ConflictScreen(ModalScreen[str | None]):
    """Dismissed with ``"reapply"``, ``"discard"`` or None (decide later: keep editing)."""

    CSS_PATH = "conflict.tcss"
    BINDINGS = [
        Binding("r", "choose('reapply')", "Re-apply mine", id="reapply"),
        Binding("d", "choose('discard')", "Discard mine", id="discard"),
        Binding("escape", "choose(None)", "Back to my edit", id="cancel"),
    ]

    def __init__(self, conflict: EditConflict) -> None:
        super().__init__()
        self.conflict = conflict

    def compose(self) -> ComposeResult:
        conflict = self.conflict
        when = ""
        if conflict.changed_at is not None:
            when = f" on {format_date(conflict.changed_at.date())}"
            when += f" at {conflict.changed_at.strftime('%H:%M')}"
        who = conflict.changed_by or "someone else"
        with Vertical(id="conflict-dialog"):
            yield Static(
                Text.assemble(
                    (f"{conflict.label} was saved by {who}{when}", "bold"),
                    f" after you opened it (version {conflict.opened_version} → "
                    f"{conflict.current_version}). Nothing of yours has been saved.",
                ),
                id="conflict-summary",
            )
            yield DataTable(id="conflict-fields", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflict-detail")
            yield Static(
                "Re-apply mine: your changed fields are laid over their version and saved. "
                "Discard mine: the form shows their version.",
                id="conflict-help",
            )
            with Horizontal(id="conflict-buttons"):
                yield Button("Re-apply mine (r)", id="reapply", variant="primary")
                yield Button("Discard mine (d)", id="discard", variant="warning")
                yield Button("Back (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#conflict-fields", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        for diff in self.conflict.differences:
            if diff.clashes:
                note = warning_text(self.app, "both changed")
            elif diff.you_changed:
                note = Text("you changed")
            else:
                note = Text("they changed")
            table.add_row(
                diff.field,
                _clipped(diff.opened),
                _clipped(diff.yours),
                _clipped(diff.theirs),
                note,
                key=diff.field,
            )
        table.focus()

    @on(DataTable.RowHighlighted, "#conflict-fields")
    def show_field(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted field in full: long text does not fit the table's columns."""
        diff = next(d for d in self.conflict.differences if d.field == event.row_key.value)
        self.query_one("#conflict-detail", Static).update(
            Text.assemble(
                (diff.field, "bold"),
                "\nWhen you opened it: ",
                _shown(diff.opened),
                "\nYours: ",
                _shown(diff.yours),
                "\nTheirs now: ",
                _shown(diff.theirs),
            )
        )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"reapply": REAPPLY, "discard": DISCARD}.get(event.button.id or ""))
