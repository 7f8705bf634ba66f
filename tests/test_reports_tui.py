"""The Reports tab driven with Pilot: start a report, write the narrative and watch the preview,
rate the grid, issue it (refused until every rating that is not green has a comment), see the
frozen copy, export it, and the help and a snapshot of the tab."""

from __future__ import annotations

from report_helpers import TODAY, complete, project_id, sql
from test_tui_shell import make_app, plain, settled, wait_for_rows
from textual.widgets import DataTable, Input, Markdown, Select, Static, TabbedContent

from tracker.reports.render import render_bytes
from tracker.services import highlight

SIZE = (140, 40)
COMMENTED = (
    "project overall",
    "project risk",
    "stage overall",
    "stage time",
    "stage cost",
    "stage risk",
    "project quality",
)


async def until(pilot, check, what: str, tries: int = 600):
    for _ in range(tries):
        await pilot.pause(0.05)
        value = check()
        if value:
            return value
    raise AssertionError(f"never: {what}")


async def open_reports(pilot, key: str = "ICS"):
    await wait_for_rows(pilot, "#portfolio", 2)
    pilot.app.open_project(key)
    await pilot.pause(0.2)
    await pilot.press("5")
    pane = pilot.app.screen.query_one("ReportsPane")
    await until(pilot, lambda: pane.overview is not None, "the reports loaded")
    await until(
        pilot,
        lambda: pilot.app.focused is pilot.app.screen.query_one("#highlight-report-list"),
        "the list has the cursor",
    )
    return pane


def preview(pilot) -> str:
    return pilot.app.screen.query_one("#report-preview", Markdown).source


def drawn_preview(pilot) -> str:
    """The preview's paragraphs as mounted, once no update is under way: its source is set the
    moment an update starts, but the parse runs in a thread and the blocks mount later, so on a
    busy machine a snapshot taken on the source alone can catch the old document."""
    document = pilot.app.screen.query_one("#report-preview", Markdown)
    if document.lock.is_locked:
        return ""
    return " ".join(str(block.content) for block in document.query("MarkdownParagraph"))


def draft_row(db) -> tuple:
    return sql(
        db,
        "SELECT number, status, version, status_summary FROM highlight_report "
        "WHERE project_id = :p ORDER BY number DESC LIMIT 1",
        p=project_id(db),
    )[0]


async def rate(pilot, pane, name: str, comment: str, rag: str | None = None) -> None:
    table = pane.query_one("#ratings-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("enter")
    await until(
        pilot,
        lambda: (
            type(pilot.app.screen).__name__ == "RatingScreen"
            and bool(pilot.app.screen.query("#rating-comment"))
        ),
        "rating dialog",
    )
    if rag is not None:
        pilot.app.screen.query_one("#rating-rag", Select).value = rag
    field = pilot.app.screen.query_one("#rating-comment", Input)
    field.focus()
    field.value = ""
    await pilot.press(*comment)
    await pilot.press("enter")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "ProjectScreen", "dialog shut")


async def test_write_preview_rate_issue_view_and_export(demo_db, tmp_path):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(pilot)
        assert "Highlight report 6" in await until(pilot, lambda: preview(pilot), "preview")
        calendar = plain(pane.query_one("#report-calendar", Static))
        assert "Next report due 05/03/2012" in calendar

        await pilot.press("n")
        await until(pilot, lambda: pane.draft is not None, "a draft")
        editor = pane.query_one("#edit-status-summary")
        await until(pilot, lambda: app.focused is editor, "the cursor in the summary")
        await pilot.press(*"UAT started on 20/02/2012.")
        await until(pilot, lambda: "UAT started on 20/02/2012." in preview(pilot), "live preview")
        assert "Highlight report 7 (draft)" in preview(pilot)
        assert "unsaved changes" in plain(pane.query_one("#draft-title", Static))

        await pilot.press("f2")
        await until(pilot, lambda: draft_row(demo_db)[3] == "UAT started on 20/02/2012.", "saved")
        assert draft_row(demo_db)[:3] == (7, "draft", 2)

        # Issuing is refused, naming each row that still needs a comment.
        pane.query_one("#highlight-report-list").focus()
        await pilot.press("i")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmIssueScreen", "confirm")
        await pilot.press("y")
        problems = pane.query_one("#draft-problems", Static)
        await until(pilot, lambda: "stage time" in plain(problems), "the refusal")
        assert "project risk: is Amber, so it needs a comment" in plain(problems)
        assert draft_row(demo_db)[1] == "draft"

        pane.query_one("#draft-sections", TabbedContent).active = "section-ratings"
        await pilot.pause(0.1)
        for name in COMMENTED:
            await rate(
                pilot, pane, name, f"Why {name}.", rag="amber" if "quality" in name else None
            )
        grid = pane.query_one("#ratings-table", DataTable)
        assert "Amber" in str(grid.get_row("project quality")[2])
        await until(pilot, lambda: "Why project quality." in preview(pilot), "ratings previewed")

        await pilot.press("i")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmIssueScreen", "confirm")
        await pilot.press("y")
        await until(pilot, lambda: draft_row(demo_db)[1] == "issued", "issued")
        await until(pilot, lambda: pane.viewing == ("issued", 7), "the frozen copy on show")
        await until(pilot, lambda: "Highlight report 7\n" in preview(pilot), "frozen preview")
        assert "(draft)" not in preview(pilot)
        assert "Next report due 05/04/2012" in plain(pane.query_one("#report-calendar", Static))

        await pilot.press("e")
        await until(pilot, lambda: type(app.screen).__name__ == "ExportScreen", "export dialog")
        target = tmp_path / "report-7.pdf"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("f2")
        await until(pilot, target.exists, "the exported file")
        notes = [n.message for n in app._notifications]
        assert any(str(target) in note for note in notes)

    frozen = highlight.report_document(demo_db, "ICS", 7)
    assert frozen.frozen
    assert target.read_bytes() == render_bytes(frozen.document, "pdf")  # the reprint


async def test_leaving_the_editor_saves_what_was_typed(demo_db):
    highlight.start_draft(demo_db, "ICS", today=TODAY)
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(pilot)
        await until(pilot, lambda: pane.draft is not None, "the draft")
        await pilot.press("enter")  # the draft is the highlighted row: open it
        await until(pilot, lambda: app.focused is pane.query_one("#edit-status-summary"), "edit")
        await pilot.press(*"Written, then left.")
        await pilot.press("escape")
        await until(pilot, lambda: draft_row(demo_db)[3] == "Written, then left.", "autosaved")
        assert app.screen.query_one("#tabs", TabbedContent).active == "reports"  # still here


async def test_a_stale_draft_shows_the_conflict(demo_db):
    highlight.start_draft(demo_db, "ICS", today=TODAY)
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(pilot)
        await until(pilot, lambda: pane.draft is not None, "the draft")
        view = highlight.reports_overview(demo_db, "ICS", TODAY).draft
        highlight.save_draft(
            demo_db,
            "ICS",
            7,
            complete(view.raw),
            opened_version=view.version,
            today=TODAY,
            actor="alice",
        )
        pane.query_one("#edit-status-summary").focus()
        await pilot.press(*"Mine")
        await pilot.press("f2")
        await until(pilot, lambda: type(app.screen).__name__ == "ConflictScreen", "conflict")
        await pilot.press("r")  # re-apply mine over alice's version
        await until(pilot, lambda: draft_row(demo_db)[3] == "Mine", "re-applied")
        assert draft_row(demo_db)[2] == view.version + 2


async def test_help_names_the_reports_keys(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", "help")
        keys = plain(app.screen.query_one("#help-keys", Static))
        for words in ("New report", "Issue", "Correct", "Export", "Save draft"):
            assert words in keys
        about = " ".join(plain(s) for s in app.screen.query(".help-focused"))
        assert "freezing it exactly as previewed" in " ".join(about.split())


async def test_a_report_can_be_corrected_from_the_list(demo_db):
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(pilot)
        await pilot.press("c")  # report 6 is highlighted
        await until(pilot, lambda: pane.draft is not None, "the correction")
        assert pane.draft.number == 7 and pane.draft.supersedes == 6
        assert pane.raw["status summary"].startswith("Trial load 2")
        assert "corrects report 6" in plain(pane.query_one("#draft-title", Static))


def test_reports_tab_snapshot(sqlite_demo_db, snap_compare):
    highlight.start_draft(sqlite_demo_db, "ICS", today=TODAY)
    view = highlight.reports_overview(sqlite_demo_db, "ICS", TODAY).draft
    highlight.save_draft(
        sqlite_demo_db,
        "ICS",
        view.number,
        complete(view.raw),
        opened_version=view.version,
        today=TODAY,
    )

    async def show_reports(pilot):
        pane = await open_reports(pilot)
        await until(pilot, lambda: "User acceptance testing" in drawn_preview(pilot), "preview")
        await until(
            pilot,
            lambda: pane._timer is None and all(w.is_finished for w in pilot.app.workers),
            "no load or preview pending",
        )
        await settled(pilot)
        assert pane.draft is not None and "User acceptance testing" in drawn_preview(pilot)

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=show_reports)
