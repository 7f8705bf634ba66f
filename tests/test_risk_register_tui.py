"""The risk register screen driven with Pilot: filter, sort, heat-map selection, add, edit,
close, history and export, checked on the screen and in the database; and a snapshot."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.text import Text
from sqlalchemy import text
from textual.widgets import Input, Select, Static

from tracker.ui.app import TrackerApp
from tracker.ui.backend import Backend
from tracker.ui.screens.risk_register import RiskRegisterPane
from tracker.ui.widgets.register_table import RegisterTable

SIZE = (180, 50)


def make_app(db) -> TrackerApp:
    return TrackerApp(backend=Backend(db.url, label="tracker.db"))


def shown(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


async def until(pilot, condition, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def open_register(pilot) -> RiskRegisterPane:
    app = pilot.app
    await until(pilot, lambda: len(app.screen_stack) > 1, "the portfolio")
    await pilot.pause(0.2)
    app.open_project("ICS")
    await until(pilot, lambda: app.screen.query("#tabs"), "the project screen")
    await pilot.press("2")
    pane = app.screen.query_one(RiskRegisterPane)
    await until(pilot, lambda: pane.index is not None and pane.shown, "the register")
    return pane


def visible(pane: RiskRegisterPane) -> list[str]:
    table = pane.query_one("#risk-table", RegisterTable)
    return [str(table._cells[i][0]) for i in table.ids if i in table._cells]


async def settle_view(pilot, pane: RiskRegisterPane) -> None:
    """Wait until the screen shows the view for the current filter and sort, rows and all."""
    await pilot.pause()
    await until(pilot, lambda: pane.shown == (pane.filter, pane.sort), "the view")
    table = pane.query_one("#risk-table", RegisterTable)
    await until(pilot, lambda: all(i in table._cells for i in table.ids[:30]), "the rows")


def db_rows(db, where: str = "1=1"):
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.identifier, r.title, r.status, r.closure_reason, r.version, r.owner_id "
                f"FROM risk r JOIN project p ON p.id = r.project_id WHERE p.key = 'ICS' AND "
                f"{where} ORDER BY r.number"
            )
        ).all()


async def test_typing_in_the_filter_narrows_the_register_and_counts(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        count = pane.query_one("#risk-count", Static)
        assert shown(count).startswith("10 of 13 risks")
        assert visible(pane)[:2] == ["R-001", "R-006"]  # 16 each, then identifier order
        await pilot.press("slash")
        assert isinstance(app.focused, Input) and app.focused.id == "risk-search"
        await pilot.press(*"trial")
        await settle_view(pilot, pane)
        assert set(visible(pane)) == {"R-004", "R-013"}
        assert shown(count).startswith("2 of 13 risks")
        await pilot.press(*" cutover")
        await settle_view(pilot, pane)
        assert visible(pane) == ["R-013"]
        # Status and minimum score narrow it too.
        await pilot.press("ctrl+u")  # clear the filter text
        await settle_view(pilot, pane)
        pane.query_one("#risk-status", Select).value = "closed"
        await settle_view(pilot, pane)
        assert visible(pane) == ["R-003", "R-008", "R-011"]
        pane.query_one("#risk-status", Select).value = "all"
        pane.query_one("#risk-min-score", Input).value = "12"
        await settle_view(pilot, pane)
        assert visible(pane) == ["R-001", "R-006", "R-002", "R-004"]


async def test_sorting_by_key_and_by_clicking_a_header(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        await pilot.press("s")  # next sort: identifier, ascending
        await settle_view(pilot, pane)
        assert visible(pane)[:3] == ["R-001", "R-002", "R-004"]
        assert table.sorted_by == ("identifier", False)
        await pilot.press("S")  # reversed
        await settle_view(pilot, pane)
        assert visible(pane)[0] == "R-013"
        # Click the Owner header: x is where that column starts on screen.
        keys = [c.key for c in table.columns]
        x = sum(c.width + 1 for c in table.columns[: keys.index("owner")])
        assert x + 4 < table.size.width, "the Owner column is on screen"
        await pilot.click("#risk-table", offset=(x + 2, 0))
        await settle_view(pilot, pane)
        assert table.sorted_by == ("owner", False)
        owners = [str(table._cells[i][keys.index("owner")]) for i in table.ids]
        assert owners == sorted(owners, key=str.casefold)
        assert "sorted by Owner ▲" in shown(pane.query_one("#risk-count", Static))
        await pilot.click("#risk-table", offset=(x + 2, 0))  # again: the other way
        await settle_view(pilot, pane)
        assert table.sorted_by == ("owner", True)


async def test_choosing_a_heat_map_cell_filters_the_table(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        await pilot.press("m")
        heat = pane.query_one("#risk-heat")
        assert app.focused is heat and heat.cursor == ("threat", 5, 5)
        await pilot.press("down", "down", "left", "left")  # threat P3 x I3
        assert heat.cursor == ("threat", 3, 3)
        await pilot.press("enter")
        await settle_view(pilot, pane)
        assert set(visible(pane)) == {"R-005", "R-010", "R-012"}
        assert "cell P3 x I3" in shown(pane.query_one("#risk-count", Static))
        # Moving right past the threat grid reaches the (mirrored) opportunity grid.
        await pilot.press("right", "right", "right")
        assert heat.cursor == ("opportunity", 3, 5)
        await pilot.press("backspace")
        await settle_view(pilot, pane)
        assert len(visible(pane)) == 10
        # Inherent values: R-001 is 4 x 5 before its response.
        await pilot.press("i")
        await settle_view(pilot, pane)
        assert heat.data.counts[("threat", 4, 5)] == 1 and heat.data.basis == "inherent"


async def test_adding_a_risk_refuses_bad_values_inline_then_saves(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        pane.query_one("#risk-table").focus()
        await pilot.press("n")
        form = app.screen
        await until(pilot, lambda: form.choices is not None, "the form")
        await pilot.pause()
        assert form.query_one("#f-title").has_focus
        await pilot.press(*"Cutover weekend staffing")
        form.query_one("#f-inherent-probability", Select).value = "2"
        form.query_one("#f-inherent-impact", Select).value = "4"
        form.query_one("#f-date-registered", Input).value = "31/02/2012"
        await pilot.press("f2")
        await until(pilot, lambda: shown(form.query_one("#err-owner", Static)), "the errors")
        assert shown(form.query_one("#err-owner", Static)) == "is required"
        assert "not a date" in shown(form.query_one("#err-date-registered", Static))
        assert "2 fields" in shown(form.query_one("#risk-form-problems", Static))
        assert len(db_rows(demo_db)) == 13  # nothing saved
        form.query_one("#f-owner", Select).value = "Helen Marsh"
        form.query_one("#f-date-registered", Input).value = "01/03/2012"
        form.query_one("#f-response-category", Select).value = "reduce"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form, "the form to close")
        saved = db_rows(demo_db, "r.identifier = 'R-014'")
        assert saved and saved[0].title == "Cutover weekend staffing"
        await until(pilot, lambda: "R-014" in visible(pane), "the new risk on screen")


async def test_editing_a_risk_saves_only_what_changed(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        table.cursor = visible(pane).index("R-002")
        await pilot.press("enter")
        form = app.screen
        await until(pilot, lambda: form.choices is not None, "the form")
        title = form.query_one("#f-title", Input)
        assert title.value == "Reduced service capacity while the system is implemented"
        assert form.query_one("#f-residual-probability", Select).value == "3"
        title.value = "Reduced service capacity during implementation"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form, "the form to close")
        row = db_rows(demo_db, "r.identifier = 'R-002'")[0]
        assert row.title == "Reduced service capacity during implementation" and row.version == 2
        await until(
            pilot,
            lambda: str(table._cells.get(table.row_id, ["", ""])[1]).startswith(
                "Reduced service capacity during"
            ),
            "the edited row",
        )


async def test_closing_asks_for_a_reason(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        table.cursor = visible(pane).index("R-009")
        await pilot.press("c")
        dialog = app.screen
        await until(pilot, lambda: dialog.version is not None, "the close dialog")
        await pilot.press("enter")  # no reason yet
        await until(pilot, lambda: shown(dialog.query_one("#err-closure-reason")), "the error")
        assert shown(dialog.query_one("#err-closure-reason")) == "is required to close a risk"
        assert db_rows(demo_db, "r.identifier = 'R-009'")[0].status == "active"
        await pilot.press(*"Payments interface passed testing")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not dialog, "the dialog to close")
        row = db_rows(demo_db, "r.identifier = 'R-009'")[0]
        assert row.status == "closed" and row.closure_reason == "Payments interface passed testing"
        await until(pilot, lambda: "R-009" not in visible(pane), "the closed risk to go")


async def test_history_shows_the_changes(demo_db):
    from tracker.domain.clock import today
    from tracker.services.risk_changes import change_risk

    change_risk(
        demo_db,
        "ICS",
        "R-005",
        {"owner": "Helen Marsh"},
        opened_version=None,
        today=today(),
        actor="helen",
    )
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        table.cursor = visible(pane).index("R-005")
        await pilot.press("h")
        history = app.screen
        grid = history.query_one("#history-table")
        await until(pilot, lambda: grid.row_count >= 2, "the history")
        rows = [grid.get_row_at(i) for i in range(grid.row_count)]
        assert rows[0][2] == "registered" and rows[0][1] == "tracker demo"
        assert ("helen", "changed", "owner", "Sarah Whitcombe", "Helen Marsh") in [
            tuple(r[1:]) for r in rows
        ]
        await pilot.press("escape")
        assert app.screen is not history


async def test_exporting_from_the_screen_writes_what_is_shown(demo_db, tmp_path: Path):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        pane.query_one("#risk-table").focus()
        await pilot.press("slash", *"trial")
        await settle_view(pilot, pane)
        pane.query_one("#risk-table").focus()
        await pilot.press("x")
        dialog = app.screen
        dialog.query_one("#export-format", Select).value = "csv"
        target = tmp_path / "trial-risks.csv"
        dialog.query_one("#export-path", Input).value = str(target)
        dialog.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: target.exists(), "the file")
        await until(
            pilot,
            lambda: not pane.query_one("#risk-export-progress").display,
            "the export to finish",
        )
        with target.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["Risk ID"] for r in rows] == visible(pane)
        messages = [n.message for n in app._notifications]
        assert f"Exported 2 risks to {target}" in messages


def test_register_snapshot(sqlite_demo_db, snap_compare):
    async def ready(pilot) -> None:
        pane = await open_register(pilot)
        await settle_view(pilot, pane)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        await until(
            pilot,
            lambda: shown(pane.query_one("#risk-detail")).startswith("R-001"),
            "the detail of the first risk",
        )
        await pilot.pause(0.3)

    assert snap_compare(make_app(sqlite_demo_db), terminal_size=SIZE, run_before=ready)


async def test_a_stale_save_shows_both_versions_and_reapplies_mine(demo_db):
    from tracker.domain.clock import today
    from tracker.services.risk_changes import change_risk

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_register(pilot)
        table = pane.query_one("#risk-table", RegisterTable)
        table.focus()
        table.cursor = visible(pane).index("R-005")
        await pilot.press("enter")
        form = app.screen
        await until(pilot, lambda: form.choices is not None, "the form")
        # Someone else saves R-005 while the form is open.
        change_risk(
            demo_db,
            "ICS",
            "R-005",
            {"notes": "Checked by assurance"},
            opened_version=None,
            today=today(),
            actor="john",
        )
        form.query_one("#f-title", Input).value = "Staff do not adopt the new system"
        await pilot.press("f2")
        await until(pilot, lambda: type(app.screen).__name__ == "ConflictScreen", "the conflict")
        conflict = app.screen
        fields = conflict.query_one("#conflict-fields")
        rows = {fields.get_row_at(i)[0]: fields.get_row_at(i) for i in range(fields.row_count)}
        assert str(rows["title"][4]) == "you changed" and str(rows["notes"][4]) == "they changed"
        assert "john" in shown(conflict.query_one("#conflict-summary"))
        await pilot.press("r")  # re-apply mine on top of theirs
        await until(
            pilot, lambda: app.screen is not form and app.screen is not conflict, "the save"
        )
        row = db_rows(demo_db, "r.identifier = 'R-005'")[0]
        assert row.title == "Staff do not adopt the new system" and row.version == 3
        with demo_db.engine.connect() as conn:
            notes = conn.execute(
                text(
                    "SELECT r.notes FROM risk r JOIN project p ON "
                    "p.id = r.project_id WHERE p.key = 'ICS' AND "
                    "r.identifier = 'R-005'"
                )
            ).scalar_one()
        assert notes == "Checked by assurance"  # their change kept
