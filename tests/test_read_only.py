"""Read-only sessions: every write is refused below the UI, and nothing on disk changes."""

from __future__ import annotations

import pytest
from conftest import run_cli
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from db.engine import ReadOnlyDatabase, open_database
from db.models import Project
from tracker.services.projects import add_project, parse_project_input
from tracker.services.worked_example import load_worked_example


@pytest.fixture
def read_only(demo_db):
    database = open_database(demo_db.url, read_only=True)
    yield database
    database.dispose()


def test_service_writes_are_refused(read_only):
    with pytest.raises(ReadOnlyDatabase, match="read-only session"):
        add_project(read_only, parse_project_input(key="NEW", name="New project"))
    with pytest.raises(ReadOnlyDatabase):
        load_worked_example(read_only)


def test_even_raw_sql_cannot_write(read_only):
    with pytest.raises(DBAPIError) as caught, read_only.engine.connect() as conn:
        conn.execute(text("UPDATE project SET name = 'changed'"))
        conn.commit()
    message = str(caught.value.orig).lower()
    assert "read" in message and ("only" in message or "readonly" in message)
    with read_only.read() as session:
        assert "changed" not in {p.name for p in session.exec(select(Project))}


def test_a_read_session_never_flushes_changes(demo_db):
    with pytest.raises(ReadOnlyDatabase), demo_db.read() as session:
        project = session.exec(select(Project)).first()
        project.name = "changed"
        session.flush()


def test_reading_works(read_only):
    from tracker.services.projects import list_portfolio

    assert {row.key for row in list_portfolio(read_only)} >= {"ICS", "CFA"}


def test_a_read_only_session_never_creates_or_upgrades(tmp_path):
    missing = tmp_path / "missing.db"
    with pytest.raises(ReadOnlyDatabase, match="never creates"):
        open_database(str(missing), read_only=True)
    assert not missing.exists()


def test_the_sqlite_file_is_untouched(sqlite_db, db_path):
    add_project(sqlite_db, parse_project_input(key="ICS", name="ICS"))
    sqlite_db.dispose()
    with open_database(str(db_path)).engine.connect() as conn:  # checkpoint the WAL into the file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    database = open_database(str(db_path), read_only=True)
    with pytest.raises(ReadOnlyDatabase):
        add_project(database, parse_project_input(key="CFA", name="CFA"))
    database.dispose()
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["projects", "add", "NEW", "--name", "New"],
        ["db", "upgrade"],
    ],
)
def test_every_writing_command_is_refused(db_path, command):
    assert run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS").returncode == 0
    for args, env in (
        (["--read-only", "--db", str(db_path), *command], {}),
        (["--db", str(db_path), *command], {"TRACKER_READ_ONLY": "1"}),
    ):
        result = run_cli(*args, env=env)
        assert result.returncode == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "read-only session" in lines[0], result.stderr


def test_reading_commands_work_read_only(db_path):
    run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS")
    listed = run_cli("--read-only", "--db", str(db_path), "projects", "list", "-f", "csv")
    assert listed.returncode == 0 and "ICS" in listed.stdout
    trail = run_cli("--read-only", "--db", str(db_path), "audit", "--project", "ICS", "-f", "csv")
    assert trail.returncode == 0 and "project,ICS,insert" in trail.stdout


def test_risk_register_writes_are_refused(read_only, tmp_path):
    from datetime import date

    from tracker.services.risk_changes import add_risk, change_risk, close_risk
    from tracker.services.risk_import import import_risks

    today = date(2012, 3, 1)
    with pytest.raises(ReadOnlyDatabase):
        add_risk(
            read_only,
            "ICS",
            {
                "title": "x",
                "inherent probability": "1",
                "inherent impact": "1",
                "owner": "Helen Marsh",
            },
            today=today,
        )
    with pytest.raises(ReadOnlyDatabase):
        change_risk(read_only, "ICS", "R-001", {"notes": "x"}, opened_version=None, today=today)
    with pytest.raises(ReadOnlyDatabase):
        close_risk(read_only, "ICS", "R-001", reason="x", opened_version=None, today=today)
    sheet = tmp_path / "risks.csv"
    sheet.write_text("Title,Probability,Impact,Owner\nNew,2,2,Helen Marsh\n", encoding="utf-8")
    with pytest.raises(ReadOnlyDatabase):
        import_risks(read_only, sheet, "ICS", dry_run=False, today=today)
    # A dry run only reads, so a board member can check a file.
    report = import_risks(read_only, sheet, "ICS", dry_run=True, today=today)
    assert report.imported == 1


def test_risk_commands_read_only(sqlite_demo_db, tmp_path):
    db = str(sqlite_demo_db.path)
    sheet = tmp_path / "risks.csv"
    sheet.write_text("Title,Probability,Impact,Owner\nNew,2,2,Helen Marsh\n", encoding="utf-8")
    for command in (
        ["risks", "import", str(sheet), "--project", "ICS"],
        ["risks", "update", "R-001", "--project", "ICS", "--set", "notes=x"],
    ):
        result = run_cli("--read-only", "--db", db, *command)
        assert result.returncode == 1 and "read-only session" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    exported = run_cli(
        "--read-only", "--db", db, "risks", "export", "--project", "ICS", "-f", "csv"
    )
    assert exported.returncode == 0 and "R-001" in exported.stdout
    dry = run_cli(
        "--read-only", "--db", db, "risks", "import", str(sheet), "--project", "ICS", "--dry-run"
    )
    assert dry.returncode == 0 and "Would import 1 risks" in dry.stdout


async def test_the_risk_form_says_why_it_cannot_save_in_a_read_only_session(demo_db):
    from textual.widgets import Input, Select

    from tracker.ui.app import TrackerApp
    from tracker.ui.backend import Backend

    database = open_database(demo_db.url, read_only=True)
    backend = Backend(demo_db.url, label="tracker.db")
    backend._database = database
    app = TrackerApp(backend=backend)
    async with app.run_test(size=(180, 50)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if len(app.screen_stack) > 1:
                break
        app.open_project("ICS")
        await pilot.pause(0.3)
        await pilot.press("2")
        await pilot.pause(0.5)
        app.screen.query_one("#risk-table").focus()
        await pilot.press("n")
        form = app.screen
        for _ in range(100):
            await pilot.pause(0.05)
            if form.choices is not None:
                break
        form.query_one("#f-title", Input).value = "Should not save"
        form.query_one("#f-inherent-probability", Select).value = "2"
        form.query_one("#f-inherent-impact", Select).value = "2"
        form.query_one("#f-owner", Select).value = "Helen Marsh"
        await pilot.press("f2")
        problems = form.query_one("#risk-form-problems")
        for _ in range(100):
            await pilot.pause(0.05)
            if "read-only" in str(problems.content):
                break
        assert "Not saved: this is a read-only session" in str(problems.content)
        assert app.screen is form  # still open, nothing lost
    database.dispose()


def test_issue_register_and_log_writes_are_refused(read_only):
    from datetime import date

    from tracker.services.daily_log import add_entry, change_entry
    from tracker.services.issue_changes import (
        add_issue,
        advance_issue,
        change_issue,
        decide_issue,
    )
    from tracker.services.lessons import add_lesson, change_lesson
    from tracker.services.links import materialise_risk, raise_risk_from_issue

    today = date(2012, 3, 1)
    with read_only.read() as session:
        entry_id = session.execute(text("SELECT min(id) FROM daily_log_entry")).scalar()
    writes = [
        lambda: add_issue(
            read_only,
            "ICS",
            {"type": "problem/concern", "title": "x", "priority": "2", "severity": "1"},
            today=today,
        ),
        lambda: change_issue(
            read_only, "ICS", "I-004", {"notes": "x"}, opened_version=None, today=today
        ),
        lambda: advance_issue(
            read_only, "ICS", "I-004", to="options proposed", opened_version=None, today=today
        ),
        lambda: decide_issue(
            read_only,
            "ICS",
            "I-003",
            {
                "decision": "approved",
                "decided by authority": "project board",
                "decision by": "Chief Finance Officer",
            },
            opened_version=None,
            today=today,
        ),
        lambda: materialise_risk(read_only, "ICS", "R-012", {}, today=today),
        lambda: raise_risk_from_issue(
            read_only,
            "ICS",
            "I-003",
            {
                "title": "x",
                "inherent probability": "1",
                "inherent impact": "1",
                "owner": "Helen Marsh",
            },
            today=today,
        ),
        lambda: add_lesson(read_only, "ICS", {"title": "x"}, today=today),
        lambda: change_lesson(
            read_only, "ICS", "L-001", {"priority": "2"}, opened_version=None, today=today
        ),
        lambda: add_entry(read_only, "ICS", {"description": "x"}, today=today),
        lambda: change_entry(
            read_only, "ICS", entry_id, {"result": "x"}, opened_version=None, today=today
        ),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyDatabase, match="read-only session"):
            write()


def test_issue_and_log_commands_read_only(sqlite_demo_db):
    db = str(sqlite_demo_db.path)
    for command in (
        ["issues", "raise", "--project", "ICS", "--set", "title=x"],
        ["issues", "update", "I-004", "--project", "ICS", "--set", "notes=x"],
        ["issues", "advance", "I-004", "--project", "ICS", "--to", "options proposed"],
        ["issues", "decide", "I-003", "--project", "ICS", "--decision", "approved",
         "--authority", "project board", "--by", "Chief Finance Officer"],
        ["issues", "from-risk", "R-012", "--project", "ICS"],
        ["issues", "raise-risk", "I-003", "--project", "ICS", "--set", "title=x"],
        ["lessons", "add", "--project", "ICS", "--set", "title=x"],
        ["dailylog", "add", "--project", "ICS", "--set", "description=x"],
    ):  # fmt: skip
        result = run_cli("--read-only", "--db", db, *command)
        assert result.returncode == 1 and "read-only session" in result.stderr, (
            command,
            result.stderr,
        )
        assert len(result.stderr.strip().splitlines()) == 1
    for command, expected in (
        (["issues", "export", "--project", "ICS", "-f", "csv"], "I-003"),
        (["issues", "report", "I-003", "--project", "ICS"], "# Issue report I-003"),
        (["issues", "board-queue", "--project", "ICS", "-f", "csv"], "I-003"),
        (["lessons", "export", "--project", "ICS", "-f", "csv"], "L-001"),
        (["dailylog", "export", "--project", "ICS", "-f", "csv"], "15/08/2011"),
    ):
        result = run_cli("--read-only", "--db", db, *command)
        assert result.returncode == 0 and expected in result.stdout, result.stderr


async def test_the_decide_dialog_says_why_it_cannot_save_in_a_read_only_session(demo_db):
    from textual.widgets import Select

    from tracker.ui.app import TrackerApp
    from tracker.ui.backend import Backend
    from tracker.ui.screens.issue_register import IssueRegisterPane

    database = open_database(demo_db.url, read_only=True)
    backend = Backend(demo_db.url, label="tracker.db")
    backend._database = database
    app = TrackerApp(backend=backend)
    async with app.run_test(size=(180, 50)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if len(app.screen_stack) > 1:
                break
        app.open_project("ICS")
        await pilot.pause(0.3)
        await pilot.press("3")
        pane = app.screen.query_one(IssueRegisterPane)
        for _ in range(100):
            await pilot.pause(0.05)
            if pane.shown and pane.table.row_id in pane.table._cells:
                break
        table = pane.table
        table.cursor = next(
            n for n, row in enumerate(table.ids) if str(table._cells[row][0]) == "I-003"
        )
        await pilot.press("d")
        dialog = app.screen
        for _ in range(100):
            await pilot.pause(0.05)
            if dialog.choices is not None:
                break
        dialog.query_one("#f-decision", Select).value = "approved"
        dialog.query_one("#f-decision-by", Select).value = "Chief Finance Officer"
        await pilot.press("f2")
        problems = dialog.query_one("#decide-dialog-problems")
        for _ in range(100):
            await pilot.pause(0.05)
            if "read-only" in str(problems.content):
                break
        assert "Not saved: this is a read-only session" in str(problems.content)
        assert app.screen is dialog
    database.dispose()


def test_board_review_writes_are_refused(read_only):
    from datetime import date

    from tracker.services import board_review as br

    meeting = today = date(2012, 3, 14)
    writes = [
        lambda: br.record_attendance(
            read_only, "ICS", meeting, {"Chief Finance Officer": "present"}, today=today
        ),
        lambda: br.mark_action(read_only, "ICS", meeting, "A-021", "done", today=today),
        lambda: br.decide_issue_at_board(
            read_only,
            "ICS",
            meeting,
            "I-003",
            {"decision": "rejected", "rationale": "x"},
            today=today,
        ),
        lambda: br.note_highlight_report(read_only, "ICS", meeting, 6, today=today),
        lambda: br.approve_exception_plan_at_board(
            read_only, "ICS", meeting, "ER-001", {"rationale": "x"}, today=today
        ),
        lambda: br.authorise_at_stage_boundary(
            read_only, "ICS", meeting, "ES-001", {"rationale": "x"}, today=today
        ),
        lambda: br.add_decision(read_only, "ICS", meeting, {"summary": "x"}, today=today),
        lambda: br.add_action(
            read_only,
            "ICS",
            meeting,
            {"description": "x", "owner": "Helen Marsh", "due": "30/03/2012"},
            today=today,
        ),
        lambda: br.save_notes(read_only, "ICS", meeting, 1, "x", today=today),
        lambda: br.remember_item(read_only, "ICS", meeting, 2, today=today),
        lambda: br.close_meeting(read_only, "ICS", meeting, None, today=today),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyDatabase):
            write()
    # Reading the review and printing the minutes work for a board member.
    assert br.board_review(read_only, "ICS", today=today).meeting.meeting_date == meeting
    assert br.minutes_document(read_only, "ICS").title.startswith("Minutes")
