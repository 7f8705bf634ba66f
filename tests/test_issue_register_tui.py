"""The Issues and Logs tabs driven with Pilot: raising an issue, moving it on, deciding it (with
the authority and change-budget refusals shown in the dialog), the issue report, links with the
risk register, export, history and logging a lesson; checked on the screen and in the
database. And snapshots."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.text import Text
from sqlalchemy import text
from textual.widgets import Input, Markdown, Select, Static, TextArea

from tracker.ui.app import TrackerApp
from tracker.ui.backend import Backend
from tracker.ui.screens.issue_register import IssueRegisterPane
from tracker.ui.screens.logs import LessonsPane, LogsPane
from tracker.ui.screens.register_pane import RegisterPane
from tracker.ui.screens.risk_register import RiskRegisterPane

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


def visible(pane: RegisterPane) -> list[str]:
    table = pane.table
    return [str(table._cells[i][0]) for i in table.ids if i in table._cells]


async def settle(pilot, pane: RegisterPane) -> None:
    await pilot.pause()
    await until(pilot, lambda: pane.shown == (pane.filter, pane.sort), "the view")
    table = pane.table
    await until(pilot, lambda: all(i in table._cells for i in table.ids[:30]), "the rows")


async def open_project(pilot, tab: str):
    app = pilot.app
    await until(pilot, lambda: len(app.screen_stack) > 1, "the portfolio")
    await pilot.pause(0.2)
    app.open_project("ICS")
    await until(pilot, lambda: app.screen.query("#tabs"), "the project screen")
    await pilot.press(tab)


async def open_issues(pilot) -> IssueRegisterPane:
    await open_project(pilot, "3")
    pane = pilot.app.screen.query_one(IssueRegisterPane)
    await settle(pilot, pane)
    return pane


async def highlight(pilot, pane: RegisterPane, identifier: str) -> None:
    pane.table.focus()
    pane.table.cursor = visible(pane).index(identifier)
    await until(
        pilot,
        lambda: shown(pane.query_one(f"#{pane.PREFIX}-detail")).startswith(identifier),
        f"the detail of {identifier}",
    )


async def form_ready(pilot):
    form = pilot.app.screen
    await until(pilot, lambda: getattr(form, "choices", None) is not None, "the form")
    await pilot.pause()
    return form


def issue_row(db, identifier: str):
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT i.* FROM issue i JOIN project p ON p.id = i.project_id "
                "WHERE p.key = 'ICS' AND i.identifier = :i"
            ),
            {"i": identifier},
        ).first()


async def test_the_register_lists_filters_and_counts_the_issues(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        count = shown(pane.query_one("#issue-count", Static))
        assert count.startswith("5 of 6 issues")
        assert "change budget £60,000: £21,500 drawn by 2 approved changes, £38,500 left" in count
        assert visible(pane) == ["I-002", "I-003", "I-004", "I-005", "I-006"]
        cells = pane.table._cells[pane.table.ids[1]]
        assert [str(c) for c in cells[:2]] == ["I-003", "off-specification"]
        assert str(cells[-1]) == "⚑ project board"  # in the board's queue, in words
        await pilot.press("slash")
        assert app.focused.id == "issue-search"
        await pilot.press(*"munro")
        await settle(pilot, pane)
        assert visible(pane) == ["I-002"]
        await pilot.press("ctrl+u")
        pane.query_one("#issue-awaiting", Select).value = "board"
        await settle(pilot, pane)
        assert visible(pane) == ["I-003"]
        assert shown(pane.query_one("#issue-count", Static)).startswith("1 of 6 issues")
        pane.query_one("#issue-awaiting", Select).clear()
        pane.query_one("#issue-status", Select).value = "all"
        pane.query_one("#issue-type", Select).value = "request for change"
        await settle(pilot, pane)
        assert visible(pane) == ["I-002", "I-005", "I-006"]
        pane.table.focus()
        await pilot.press("s")  # next sort: severity, highest first
        await settle(pilot, pane)
        assert visible(pane) == ["I-005", "I-002", "I-006"]
        assert pane.table.sorted_by == ("severity", True)


async def test_raising_an_issue_refuses_bad_values_inline_then_saves(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        pane.table.focus()
        await pilot.press("n")
        form = await form_ready(pilot)
        assert form.query_one("#f-type").has_focus
        form.query_one("#f-title", Input).value = "Add a court bundle report"
        form.query_one("#f-date-raised", Input).value = "30/02/2012"
        await pilot.press("f2")
        await until(pilot, lambda: shown(form.query_one("#err-type")), "the errors")
        assert shown(form.query_one("#err-type")) == "is required"
        assert shown(form.query_one("#err-priority")) == "is required"
        assert "not a date" in shown(form.query_one("#err-date-raised"))
        assert "4 fields" in shown(form.query_one("#issue-form-problems"))
        assert issue_row(demo_db, "I-007") is None
        form.query_one("#f-type", Select).value = "request for change"
        form.query_one("#f-priority", Select).value = "3"
        form.query_one("#f-severity", Select).value = "2"
        form.query_one("#f-date-raised", Input).value = "01/03/2012"
        form.query_one("#f-raised-by", Select).value = "Sarah Whitcombe"
        form.query_one("#f-impact-cost", TextArea).text = "£4,000 from the change budget"
        form.query_one("#f-cost-of-change", Input).value = "£4,000"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form, "the form to close")
        row = issue_row(demo_db, "I-007")
        assert (row.title, row.status, row.cost_of_change_pence) == (
            "Add a court bundle report",
            "raised",
            400_000,
        )
        await until(pilot, lambda: "I-007" in visible(pane), "the new issue on screen")


async def test_deciding_an_issue_at_the_right_level_draws_on_the_change_budget(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-003")
        await pilot.press("d")
        dialog = await form_ready(pilot)
        intro = shown(dialog.query_one("#decide-dialog-intro"))
        assert "severity 4 Major: for the project board to decide" in intro
        assert "£38,500 left of £60,000" in intro
        # The project manager may not decide a Major issue: refused in the dialog.
        dialog.query_one("#f-decision", Select).value = "approved"
        dialog.query_one("#f-decided-by-authority", Select).value = "project manager"
        await pilot.pause()
        dialog.query_one("#f-decision-by", Select).value = "Helen Marsh"
        await pilot.press("f2")
        error = dialog.query_one("#err-decided-by-authority", Static)
        await until(pilot, lambda: shown(error), "the refusal")
        assert shown(error).startswith("severity 4 (Major) is for the project board to decide")
        assert issue_row(demo_db, "I-003").status == "options proposed"
        # The board, in the Executive's name.
        dialog.query_one("#f-decided-by-authority", Select).value = "project board"
        await pilot.pause()
        assert "Helen Marsh" not in dialog._offered["decision by"]  # only board members
        dialog.query_one("#f-decision-by", Select).value = "Chief Finance Officer"
        dialog.query_one("#f-decision-rationale", TextArea).text = "Option 3, no delay"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not dialog, "the dialog to close")
        row = issue_row(demo_db, "I-003")
        assert (row.status, row.decision, row.decided_by_authority) == (
            "decided",
            "approved",
            "project board",
        )
        await until(
            pilot,
            lambda: (
                "£45,500 drawn by 3 approved changes, £14,500 left"
                in shown(pane.query_one("#issue-count", Static))
            ),
            "the change budget to move",
        )
        detail = pane.query_one("#issue-detail", Static)
        await until(
            pilot,
            lambda: (
                "Decision: approved by Chief Finance Officer (project board) on 01/03/2012"
                in shown(detail)
            ),
            "the detail to show the decision",
        )
        # Now it moves on: implemented, then closed.
        await highlight(pilot, pane, "I-003")
        await pilot.press("a")
        dialog = await form_ready(pilot)
        assert dialog.query_one("#f-status", Select).value == "implemented"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not dialog, "the move")
        assert issue_row(demo_db, "I-003").status == "implemented"


async def test_an_overspend_is_refused_in_the_dialog(demo_db):
    from datetime import date

    from tracker.services.issue_changes import add_issue, advance_issue

    today = date(2012, 3, 1)
    add_issue(
        demo_db,
        "ICS",
        {
            "type": "request for change",
            "title": "Second training environment",
            "priority": "3",
            "severity": "2",
            "cost of change": "£40,000",
        },
        today=today,
    )
    for status in ("examined", "options proposed"):
        advance_issue(demo_db, "ICS", "I-007", to=status, opened_version=None, today=today)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-007")
        await pilot.press("d")
        dialog = await form_ready(pilot)
        dialog.query_one("#f-decision", Select).value = "approved"
        dialog.query_one("#f-decision-by", Select).value = "Helen Marsh"
        await pilot.press("f2")
        error = dialog.query_one("#err-decision", Static)
        await until(pilot, lambda: shown(error), "the refusal")
        assert shown(error) == (
            "approving £40,000 would overspend the change budget (£38,500 left of £60,000); "
            "only the project board can approve it"
        )
        assert issue_row(demo_db, "I-007").decision is None


async def test_a_move_that_does_not_exist_is_explained(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-003")
        await pilot.press("a")
        dialog = await form_ready(pilot)
        intro = shown(dialog.query_one("#advance-dialog-intro"))
        assert "It is options proposed. The next step is a decision (d), not a move." in intro
        await pilot.press("f2")
        await until(pilot, lambda: shown(dialog.query_one("#err-status")), "the refusal")
        assert shown(dialog.query_one("#err-status")) == "is required"
        await pilot.press("escape")
        await highlight(pilot, pane, "I-004")
        await pilot.press("a")
        dialog = await form_ready(pilot)
        assert dialog.query_one("#f-status", Select).value == "options proposed"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not dialog, "the move")
        assert issue_row(demo_db, "I-004").status == "options proposed"


async def test_the_issue_report_shows_prints_and_edits(demo_db, tmp_path: Path):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-003")
        await pilot.press("enter")
        report = app.screen
        await until(pilot, lambda: report.markdown is not None, "the report")
        assert report.markdown.startswith("**OFFICIAL**\n\n# Issue report I-003")
        assert report.query_one("#issue-report-body", Markdown).source == report.markdown
        await pilot.press("p")
        dialog = app.screen
        assert dialog.query_one("#export-format", Select).value == "md"
        target = tmp_path / "I-003.md"
        dialog.query_one("#export-path", Input).value = str(target)
        dialog.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: target.exists(), "the printed report")
        assert target.read_text(encoding="utf-8") == report.markdown
        await pilot.press("e")
        form = await form_ready(pilot)
        assert form.query_one("#f-recommendation", TextArea).text.startswith("Option 3")
        form.query_one("#f-impact-time", TextArea).text = "No delay with option 3."
        await pilot.press("f2")
        await until(pilot, lambda: "No delay with option 3." in (report.markdown or ""), "update")
        assert issue_row(demo_db, "I-003").impact_time == "No delay with option 3."
        await pilot.press("escape")
        assert app.screen is not report


async def test_history_and_export_from_the_register(demo_db, tmp_path: Path):
    from datetime import date

    from tracker.services.issue_changes import advance_issue

    advance_issue(demo_db, "ICS", "I-004", to="options proposed", opened_version=None,
                  today=date(2012, 3, 1), actor="helen")  # fmt: skip
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-004")
        await pilot.press("h")
        history = app.screen
        grid = history.query_one("#history-table")
        await until(pilot, lambda: grid.row_count >= 2, "the history")
        rows = [tuple(grid.get_row_at(i))[1:] for i in range(grid.row_count)]
        assert rows[0][1] == "raised"
        assert ("helen", "changed", "status", "examined", "options proposed") in rows
        await pilot.press("escape")
        pane.query_one("#issue-awaiting", Select).value = "decision"
        await settle(pilot, pane)
        pane.table.focus()
        await pilot.press("x")
        dialog = app.screen
        dialog.query_one("#export-format", Select).value = "csv"
        target = tmp_path / "awaiting.csv"
        dialog.query_one("#export-path", Input).value = str(target)
        dialog.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: target.exists(), "the file")
        with target.open(encoding="utf-8") as handle:
            exported = [r["Issue ID"] for r in csv.DictReader(handle)]
        assert exported == visible(pane) == ["I-003", "I-004"]
        await until(
            pilot,
            lambda: f"Exported 2 issues to {target}" in [n.message for n in app._notifications],
            "the notice",
        )


async def test_a_risk_that_materialises_becomes_an_issue_seen_from_both_sides(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, "2")
        risks = app.screen.query_one(RiskRegisterPane)
        await until(pilot, lambda: risks.index is not None and risks.shown, "the risks")
        await settle(pilot, risks)
        await highlight(pilot, risks, "R-012")
        await pilot.press("I")
        dialog = await form_ready(pilot)
        title = dialog.query_one("#f-title", Input).value
        assert title == "User acceptance testing finds defects that delay go-live"
        dialog.query_one("#f-priority", Select).value = "4"
        dialog.query_one("#f-severity", Select).value = "3"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not dialog, "the dialog to close")
        assert issue_row(demo_db, "I-007").title == title
        await until(pilot, lambda: "R-012" not in visible(risks), "the risk to close")
        # The issue register shows the link, and so does the risk (among the closed ones).
        await pilot.press("3")
        issues = app.screen.query_one(IssueRegisterPane)
        await settle(pilot, issues)
        await until(pilot, lambda: "I-007" in visible(issues), "the new issue")
        await highlight(pilot, issues, "I-007")
        detail = shown(issues.query_one("#issue-detail"))
        assert "Risk: from risk R-012, which materialised on 01/03/2012" in detail
        await pilot.press("2")
        risks.query_one("#risk-status", Select).value = "closed"
        await settle(pilot, risks)
        await highlight(pilot, risks, "R-012")
        assert "Issue: materialised as issue I-007 on 01/03/2012" in shown(
            risks.query_one("#risk-detail")
        )


async def test_logging_a_lesson_and_answering_a_daily_log_entry(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, "7")
        logs = app.screen.query_one(LogsPane)
        daily = logs.active
        await settle(pilot, daily)
        assert shown(daily.query_one("#daily-count")).startswith("10 of 10 entries")
        # The newest entry has no result yet: write one.
        await highlight(pilot, daily, "24/02/2012")
        await pilot.press("enter")
        form = await form_ready(pilot)
        assert form.query_one("#f-result").has_focus
        form.query_one("#f-result", TextArea).text = "Sent with the board papers on 07/03."
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form, "the form to close")
        with demo_db.engine.connect() as conn:
            result = conn.execute(
                text("SELECT result FROM daily_log_entry WHERE entry_date = '2012-02-24'")
            ).scalar()
        assert result == "Sent with the board papers on 07/03."
        await pilot.press("l")
        lessons = app.screen.query_one(LessonsPane)
        await settle(pilot, lessons)
        assert logs.active is lessons and app.focused is lessons.table
        await pilot.press("n")
        form = await form_ready(pilot)
        await pilot.press(*"Rehearse cutover with the supplier")
        form.query_one("#f-type", Select).value = "both"
        form.query_one("#f-risk", Select).value = "R-013"
        form.query_one("#f-logged-by", Select).value = "Gareth Lloyd"
        form.query_one("#f-date-logged", Input).value = "32/02/2012"
        await pilot.press("f2")
        await until(pilot, lambda: shown(form.query_one("#err-date-logged")), "the error")
        form.query_one("#f-date-logged", Input).value = "01/03/2012"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form, "the form to close")
        await until(pilot, lambda: "L-006" in visible(lessons), "the lesson on screen")
        with demo_db.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT l.title, l.previously_identified_as_risk, r.identifier "
                    "FROM lesson l JOIN risk r ON r.id = l.risk_id WHERE l.identifier = 'L-006'"
                )
            ).one()
        assert (row.title, bool(row[1]), row.identifier) == (
            "Rehearse cutover with the supplier",
            True,
            "R-013",
        )


def test_issue_register_snapshot(sqlite_demo_db, snap_compare):
    async def ready(pilot) -> None:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-003")
        await pilot.pause(0.3)

    assert snap_compare(make_app(sqlite_demo_db), terminal_size=SIZE, run_before=ready)


def test_lessons_log_snapshot(sqlite_demo_db, snap_compare):
    async def ready(pilot) -> None:
        await open_project(pilot, "7")
        await pilot.press("l")
        lessons = pilot.app.screen.query_one(LessonsPane)
        await settle(pilot, lessons)
        await highlight(pilot, lessons, "L-001")
        await pilot.pause(0.3)

    assert snap_compare(make_app(sqlite_demo_db), terminal_size=SIZE, run_before=ready)


async def test_refresh_reads_what_someone_else_changed(demo_db):
    from datetime import date

    from tracker.services.issue_changes import advance_issue
    from tracker.services.lessons import add_lesson

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_issues(pilot)
        await highlight(pilot, pane, "I-004")
        advance_issue(demo_db, "ICS", "I-004", to="options proposed", opened_version=None,
                      today=date(2012, 3, 1), actor="someone else")  # fmt: skip
        await pilot.press("r")
        row = pane.table.ids[visible(pane).index("I-004")]
        await until(
            pilot,
            lambda: (
                row in pane.table._cells and str(pane.table._cells[row][5]) == "options proposed"
            ),
            "the refreshed row",
        )
        await until(
            pilot, lambda: "next: decided" in shown(pane.query_one("#issue-detail")), "the detail"
        )
        await pilot.press("7", "l")
        lessons = app.screen.query_one(LessonsPane)
        await settle(pilot, lessons)
        add_lesson(demo_db, "ICS", {"title": "Keep the board papers short"}, today=date(2012, 3, 1))
        await pilot.press("r")
        await until(pilot, lambda: "L-006" in visible(lessons), "the new lesson")
