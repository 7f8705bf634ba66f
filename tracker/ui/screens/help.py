"""F1 / ?: what this screen is for and every key that works on it."""

from __future__ import annotations

from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GENERAL = (
    "tracker keeps a PRINCE2 project's registers, stage plans and reports. "
    "Dates are typed day first "
    "(07/12/2009, 12 July 2011, March 2012); money is in pounds (£1,250,000, £40k).\n"
    'Ctrl+P opens the command palette: every action on this screen, and "Open project" for any '
    "project. The database is chosen with --db or TRACKER_DB; TRACKER_TODAY fixes today's date."
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close"),
        Binding("f1", "dismiss", "Close", show=False, id="close_f1"),
        Binding("q", "dismiss", "Close", show=False, id="close_q"),
        Binding("question_mark", "dismiss", "Close", show=False, id="close_question"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen

    def compose(self) -> ComposeResult:
        keys = RichTable(box=None, show_header=True, header_style="bold", padding=(0, 2))
        keys.add_column("Key")
        keys.add_column("Does")
        by_action: dict[str, tuple[list[str], str]] = {}
        for active in self.target.active_bindings.values():
            binding = active.binding
            if not binding.description:
                continue
            shown, _ = by_action.setdefault(binding.action, ([], binding.description))
            key = self.app.get_key_display(binding)
            if key not in shown:
                shown.append(key)
        for shown, description in by_action.values():
            keys.add_row(", ".join(shown), description)
        purpose = (self.target.__doc__ or "").strip().splitlines()[0] if self.target.__doc__ else ""
        with VerticalScroll(id="help-body"):
            yield Static(
                Text(f"Help: {self.target.title or self.app.title}", style="bold"), id="help-title"
            )
            if purpose:
                yield Static(purpose, id="help-purpose")
            for text in self._focused_help():
                yield Static(Text(text), classes="help-focused")
            yield Static(keys, id="help-keys")
            yield Static(GENERAL, id="help-general")
            yield Static("Escape closes this help.", classes="muted")

    def _focused_help(self) -> list[str]:
        """What the part of the screen with the cursor is for: the ``HELP`` of the focused
        widget and of each widget around it that has one, innermost first."""
        focused = self.target.focused
        found = []
        for node in focused.ancestors_with_self if focused is not None else ():
            text = getattr(type(node), "HELP", None)
            if text and text not in found and node is not self.target:
                found.append(text)
        return found

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
