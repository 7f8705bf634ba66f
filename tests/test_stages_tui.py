"""The Stages tab driven with Pilot: progress updates until the project turns red (and the home
screen shows it), bad input in the form, tolerances as a board decision, the rule on demand, the
finance view, an exception report from draft to approved exception plan, help and the command
palette, and a snapshot of the timeline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select
from test_tui_shell import make_app, plain, settled, wait_for_rows
from textual.widgets import DataTable, Input, Markdown, Static, TextArea

from db.models import Decision, StageProgress
from tracker.services.stage_plan import stage_plan
from tracker.ui.screens.stage_forms import StageForm, ToleranceRuleScreen, field_id
from tracker.ui.screens.stage_report import StageReportScreen

TODAY = date(2012, 3, 1)
SIZE = (160, 48)


async def open_stages(pilot) -> DataTable:
    await wait_for_rows(pilot, "#portfolio", 2)
    pilot.app.open_project("ICS")
    await pilot.pause(0.1)
    await pilot.press("4")
    return await wait_for_rows(pilot, "#stages-table", 5)


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError(f"never happened: {what}")


async def fill(pilot, values: dict[str, str]) -> None:
    """Type into the open form's fields as a person would: focus, clear, type."""
    form = pilot.app.screen
    for name, text in values.items():
        widget = form.query_one(f"#{field_id(name)}")
        widget.focus()
        await pilot.pause()
        if isinstance(widget, TextArea):
            widget.clear()
            await pilot.press(*text) if len(text) < 40 else widget.insert(text)
        else:
            widget.value = ""
            await pilot.press(*text)


def updates(db) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(StageProgress)).one()


def cell(table: DataTable, row: str, column: str) -> str:
    """The text in ``row``'s cell under the column headed ``column``."""
    labels = [str(c.label) for c in table.ordered_columns]
    return str(table.get_row(row)[labels.index(column)])


async def record(pilot, values: dict[str, str], db, expected_updates: int) -> None:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StageForm), "the progress form")
    await fill(pilot, values)
    await pilot.press("f2")
    await wait_for(pilot, lambda: updates(db) == expected_updates, "the update saved")
    await wait_for(
        pilot,
        lambda: (
            not isinstance(pilot.app.screen, StageForm)
            and pilot.app.screen.query_one("#stages-table", DataTable).row_count == 5
        ),
        "the tab reloaded",
    )


async def test_progress_updates_until_the_project_turns_red(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_stages(pilot)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "3"
        before = updates(demo_db)
        await record(
            pilot,
            {"actual cost to date": "£770,000", "forecast at completion": "£1,207,000",
             "forecast end": "09/04/2012", "per cent complete": "71"},
            demo_db,
            before + 1,
        )  # fmt: skip
        await wait_for(pilot, lambda: "100%" in _detail(app), "the detail to show the update")
        plan = stage_plan(demo_db, "ICS", TODAY)
        assert plan.stage(3).time.percent_used == 100 and plan.overall_rag == "amber"
        assert "Amber" in cell(app.screen.query_one("#stages-table", DataTable), "3", "Time")

        await record(
            pilot,
            {"actual cost to date": "£780,000", "forecast at completion": "£1,215,000",
             "forecast end": "10/04/2012", "per cent complete": "72"},
            demo_db,
            before + 2,
        )  # fmt: skip
        plan = stage_plan(demo_db, "ICS", TODAY)
        assert plan.overall_rag == "red"
        assert [u.forecast_cost_pence for u in plan.stage(3).progress][-3:] == [
            1_205_000_00,
            1_207_000_00,
            1_215_000_00,
        ]
        await wait_for(
            pilot,
            lambda: (
                "⚑ Exception: Implementation stage time and cost beyond tolerance"
                in plain(app.screen.query_one("#stages-summary", Static))
            ),
            "the exception flag on the tab",
        )
        stages = app.screen.query_one("#stages-table", DataTable)
        assert "Red" in cell(stages, "3", "Time") and "Red" in cell(stages, "3", "Cost")
        trend = plain(app.screen.query_one("#stage-trend", Static))
        assert "Progress trend (7 updates)" in trend and "£1,150,000 → £1,215,000" in trend

        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: (
                type(app.screen).__name__ == "PortfolioScreen"
                and "Red" in str(app.screen.query_one("#portfolio", DataTable).get_row("ICS")[3])
            ),
            "the home screen to show ICS red",
        )
        home = app.screen.query_one("#portfolio", DataTable).get_row("ICS")
        assert "exception" in str(home[4])
        assert "1 in exception" in plain(app.screen.query_one("#summary", Static))


def _detail(app) -> str:
    return plain(app.screen.query_one("#stage-facts", Static))


async def test_bad_progress_shows_on_its_field_and_saves_nothing(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        before = updates(demo_db)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, StageForm), "the progress form")
        await fill(pilot, {"actual cost to date": "lots", "forecast end": "31/02/2012"})
        await pilot.press("f2")
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, StageForm)  # still open
        cost_error = plain(form.query_one(f"#{field_id('actual cost to date')}-error", Static))
        end_error = plain(form.query_one(f"#{field_id('forecast end')}-error", Static))
        assert "'lots' is not an amount of money, e.g. £1,250,000" in cost_error
        assert "'31/02/2012' is not a date (day is out of range for month)" in end_error
        assert form.focused is form.query_one(f"#{field_id('actual cost to date')}", Input)
        assert updates(demo_db) == before
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, StageForm)
        assert updates(demo_db) == before


async def test_changing_tolerances_is_a_board_decision(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, StageForm), "the tolerance form")
        assert "Tolerances for the Implementation stage" in plain(
            app.screen.query_one("#form-title")
        )
        await fill(pilot, {"time plus": "15"})
        await pilot.press("f2")
        await pilot.pause(0.2)
        error = plain(app.screen.query_one(f"#{field_id('rationale')}-error", Static))
        assert "is required" in error
        await fill(pilot, {"rationale": "Easter cutover agreed"})
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, StageForm), "the form to close")
        await wait_for(
            pilot,
            lambda: "Green" in cell(app.screen.query_one("#stages-table", DataTable), "3", "Time"),
            "time to turn green against the new tolerance",
        )
        with demo_db.read() as session:
            decision = session.exec(select(Decision).order_by(Decision.id.desc())).first()
        assert decision.activity == "authorise a stage or exception plan"
        assert decision.rationale == "Easter cutover agreed" and decision.decision_date == TODAY
        assert "time +15 days / -10 days (was +10 days / -10 days)" in decision.summary
        assert "Project board (D-0" in _detail(app)


async def test_the_rule_on_demand_and_the_finance_view(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ToleranceRuleScreen), "the rule")
        rule = " ".join(plain(app.screen.query_one("#rule-text", Static)).split())
        assert "up to 80% used is within tolerance (green)" in rule
        assert "over 100% is beyond tolerance (red, an exception)" in rule
        assert "corporate or programme" in plain(app.screen.query_one("#rule-ladder", Static))
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("f")
        years = await wait_for_rows(pilot, "#finance-by-year", 3)
        labels = [str(years.get_row_at(i)[0]) for i in range(years.row_count)]
        assert labels[:2] == ["2011/12", "2012/13"] and labels[-1] == "Project total"
        by_stage = app.screen.query_one("#finance-by-stage", DataTable)
        assert str(by_stage.get_row_at(2)[0]) == "3 Implementation"
        assert app.focused is by_stage
        await pilot.press("f")
        await pilot.pause(0.1)
        assert app.focused is app.screen.query_one("#stages-table", DataTable)


async def test_an_exception_report_from_draft_to_exception_plan(demo_db):
    from test_stages import push_beyond

    push_beyond(demo_db)
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, StageReportScreen), "the report")
        report = app.screen
        await wait_for(pilot, lambda: report.view is not None, "the report to load")
        await pilot.pause(0.3)
        markdown = report.query_one("#report-body", Markdown)
        assert "Exception Report ER-002" in markdown.source
        assert "+£65,000, 113% of the +£57,500 tolerance" in markdown.source
        assert report.check_action("decide", ()) is False  # not before it is issued
        await pilot.press("i")
        await pilot.pause(0.3)
        assert report.view.status == "draft"  # refused: sections still to complete
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, StageForm), "the sections form")
        form = app.screen
        for area in form.query(TextArea):
            area.text = area.text.replace("[To complete]", "The project manager:")
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen is report and report.view.version > 1, "saved")
        await pilot.press("i")
        await wait_for(pilot, lambda: report.view.status == "issued", "issued")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, StageForm), "the decision form")
        assert app.screen.query_one(f"#{field_id('planned end')}", Input).value == "10/04/2012"
        await fill(pilot, {"rationale": "Ofsted progress comes first"})
        await pilot.press("f2")
        await wait_for(pilot, lambda: report.view is not None and report.view.status == "approved",
                       "approved")  # fmt: skip
        await pilot.press("escape")
        await wait_for_rows(pilot, "#stages-table", 5)
        await wait_for(
            pilot,
            lambda: "Original baseline" in _detail(app),
            "the original baseline in the stage's detail",
        )
    stage = stage_plan(demo_db, "ICS", TODAY).stage(3)
    assert [b.kind for b in stage.baselines] == ["stage plan", "exception plan"]
    assert stage.planned_end == date(2012, 4, 10) and stage.rag == "green"


async def test_keys_are_in_the_footer_help_and_palette(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        await settled(pilot)
        footer = {b.description for _, b, _, _ in app.screen.active_bindings.values() if b.show}
        assert {"Progress update", "Tolerances", "Exception report", "End stage report",
                "Finance", "Tolerance rule"} <= footer  # fmt: skip
        ids = {b.id for _, b, _, _ in app.screen.active_bindings.values()}
        assert {"stage_progress", "stage_tolerances", "stage_tolerance_rule"} <= ids
        await pilot.press("f1")
        await pilot.pause(0.2)
        keys = plain(app.screen.query_one("#help-keys", Static))
        for description in ("Progress update", "Tolerances", "Exception report", "Tolerance rule"):
            assert description in keys
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"tolerance rule")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ToleranceRuleScreen), "the rule")


def test_stages_timeline_snapshot(sqlite_demo_db, snap_compare):
    async def open_tab(pilot):
        await open_stages(pilot)
        await settled(pilot)

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=open_tab)


async def test_a_read_only_session_refuses_the_save_in_one_line(demo_db, monkeypatch):
    monkeypatch.setenv("TRACKER_READ_ONLY", "1")
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        before = updates(demo_db)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, StageForm), "the progress form")
        await pilot.press("f2")  # the proposed values are valid: the database is what refuses
        await wait_for(
            pilot,
            lambda: any("read-only session" in str(n.message) for n in app._notifications),
            "the refusal",
        )
        assert app.is_running and updates(demo_db) == before


async def test_an_end_stage_report_is_drafted_and_shown_as_markdown(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_stages(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, StageReportScreen), "the report")
        report = app.screen
        await wait_for(pilot, lambda: report.view is not None, "the report to load")
        await pilot.pause(0.3)
        source = report.query_one("#report-body", Markdown).source
        assert "# End Stage Report ES-001" in source
        assert "| Time | end 30/03/2012 | end 08/04/2012 | +9 days |" in source
        assert "Next stage plan: Closure and transition" in source
        assert report.check_action("edit", ()) and not report.check_action("decide", ())
        await pilot.press("escape")
        await wait_for_rows(pilot, "#stages-table", 5)
        await wait_for(pilot, lambda: "ES-001 end stage report: draft" in _detail(app), "listed")
