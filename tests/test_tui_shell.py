"""The TUI shell driven with Pilot: the portfolio, opening a project and coming back, help, the
command palette, and a snapshot of the home screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static, TabbedContent

from tracker.ui.app import TrackerApp
from tracker.ui.backend import Backend

SIZE = (140, 40)


def plain(static: Static) -> str:
    """What a Static shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(static.content)
    return console.export_text()


def make_app(database_url: str) -> TrackerApp:
    return TrackerApp(backend=Backend(database_url, label="tracker.db"))


async def settled(pilot) -> None:
    """Let every pending refresh (column widths, highlighted-row details) finish: waits for the
    app to go idle a few times rather than for a fixed time, so a busy machine cannot cut it
    short."""
    for _ in range(3):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
    for _ in range(100):
        if pilot.app.focused is not None and footer_in_step(pilot.app):
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the Footer never showed the focused widget's keys")
    await pilot.pause(0.2)


def footer_in_step(app) -> bool:
    """True once the Footer shows the bindings of whatever has focus now: it recomposes a moment
    after focus moves, and a snapshot taken in between shows the old keys."""
    from textual.widgets._footer import FooterKey

    wanted = {b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show}
    shown = {key.action for key in app.screen.query(FooterKey)}
    return wanted <= shown


async def wait_for_rows(pilot, selector: str, minimum: int = 1, screen=None):
    for _ in range(100):
        await pilot.pause(0.05)
        table = (screen or pilot.app.screen).query_one(selector, DataTable)
        if table.row_count >= minimum and not table.loading:
            return table
    raise AssertionError(f"{selector} never filled")


async def test_portfolio_lists_the_worked_example(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        table = await wait_for_rows(pilot, "#portfolio", 2)
        keys = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert "ICS" in keys and "CFA" in keys
        ics = table.get_row_at(keys.index("ICS"))
        assert ics[2] == "Implementation"
        assert "Amber" in str(ics[3])  # time and cost at risk in the implementation stage
        summary = plain(app.screen.query_one("#summary", Static))
        assert "today 01/03/2012" in summary


async def test_open_a_project_and_come_back(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        table = await wait_for_rows(pilot, "#portfolio", 2)
        keys = [table.get_row_at(i)[0] for i in range(table.row_count)]
        table.move_cursor(row=keys.index("ICS"))
        await pilot.press("enter")
        await pilot.pause(0.1)
        project_screen = app.screen
        assert project_screen.key == "ICS"
        board = await wait_for_rows(pilot, "#board-members", 3)
        roles = [str(board.get_row_at(i)[0]) for i in range(board.row_count)]
        assert roles[0] == "Executive"
        assert board.get_row_at(0)[1] == "Chief Finance Officer"
        stages = await wait_for_rows(pilot, "#stage-summary", 4)
        assert stages.get_row_at(0)[1] == "Initiation"
        await wait_for_rows(pilot, "#top-risks", 1)

        await pilot.press("2")
        assert app.screen.query_one("#tabs", TabbedContent).active == "risks"
        from tracker.ui.widgets.register_table import RegisterTable

        for _ in range(100):
            await pilot.pause(0.05)
            risks = app.screen.query_one("#risk-table", RegisterTable)
            if len(risks.ids) >= 8 and risks.row_id in risks._cells:
                break
        assert str(risks._cells[risks.row_id][0]) == "R-001"  # highest score, then identifier
        await pilot.press("3")
        for _ in range(100):
            await pilot.pause(0.05)
            issues = app.screen.query_one("#issue-table", RegisterTable)
            if len(issues.ids) >= 4 and issues.row_id in issues._cells:
                break
        assert str(issues._cells[issues.row_id][0]) == "I-002"  # the first open issue
        await pilot.press("7")
        for _ in range(100):
            await pilot.pause(0.05)
            lessons = app.screen.query_one("#daily-table", RegisterTable)
            if len(lessons.ids) >= 4:
                break
        assert len(lessons.ids) == 10
        await pilot.press("6")
        await wait_for_rows(pilot, "#meeting-table", 3)

        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen.query_one("#portfolio", DataTable).row_count >= 2


async def test_help_on_f1_and_question_mark(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_rows(pilot, "#portfolio", 2)
        await pilot.press("f1")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "HelpScreen"
        keys = plain(app.screen.query_one("#help-keys", Static))
        assert "Refresh" in keys and "Quit" in keys
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "PortfolioScreen"


async def test_command_palette_jumps_to_a_project(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_rows(pilot, "#portfolio", 2)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"open project cfa")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert getattr(app.screen, "key", None) == "CFA"


async def test_quit_with_q(db):
    app = make_app(db.url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.return_code == 0


async def test_an_empty_database_says_how_to_start(db):
    app = make_app(db.url)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(60):
            await pilot.pause(0.05)
            text = plain(app.screen.query_one("#summary", Static))
            if "No projects yet" in text:
                break
        assert "tracker demo" in text


def test_home_screen_snapshot(sqlite_demo_db, snap_compare):
    async def settle(pilot):
        table = await wait_for_rows(pilot, "#portfolio", 2)
        await settled(pilot)
        assert pilot.app.focused is table

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("key", ["ICS"])
def test_project_overview_snapshot(sqlite_demo_db, snap_compare, key):
    async def open_project(pilot):
        await wait_for_rows(pilot, "#portfolio", 2)
        pilot.app.open_project(key)
        await pilot.pause(0.1)
        await wait_for_rows(pilot, "#top-risks", 1)
        await wait_for_rows(pilot, "#board-members", 3)
        await wait_for_rows(pilot, "#stage-summary", 4)
        await settled(pilot)

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=open_project)
