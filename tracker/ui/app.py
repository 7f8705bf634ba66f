"""The tracker application: a portfolio home screen and a screen per project."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tracker.ui.backend import Backend
from tracker.ui.commands import ProjectCommands


class TrackerApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    SUB_TITLE = "PRINCE2 project governance"
    COMMANDS = App.COMMANDS | {ProjectCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help_alt"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, db_arg: str | None = None, backend: Backend | None = None):
        super().__init__()
        self.backend = backend or Backend(db_arg)

    def on_mount(self) -> None:
        from tracker.ui.screens.portfolio import PortfolioScreen

        self.push_screen(PortfolioScreen())

    def action_help(self) -> None:
        from tracker.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_project(self, key: str) -> None:
        from tracker.ui.screens.project import ProjectScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(ProjectScreen(key))

    def show_portfolio(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def database_failed(self, message: str) -> None:
        """The database could not be opened: leave the terminal and say why in one line."""
        self.exit(return_code=1, message=f"tracker: {message}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the current screen is also a command in the palette."""
        yield from super().get_system_commands(screen)
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (
                not binding.description
                or binding.action in seen
                or binding.action == "command_palette"
            ):
                continue
            seen.add(binding.action)
            help_text = binding.tooltip or f"Key: {self.get_key_display(binding)}"
            yield SystemCommand(
                binding.description, help_text, partial(active.node.run_action, binding.action)
            )

    def on_unmount(self) -> None:
        self.backend.close()


def run_app(db_arg: str | None = None) -> int:
    app = TrackerApp(db_arg)
    app.run()
    return app.return_code or 0
