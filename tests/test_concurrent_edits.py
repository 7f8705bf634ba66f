"""No lost updates (issue 8): every editable record carries a version; a save made on an old
version is refused with both versions field by field, from the services, the command line and
the TUI; and several processes editing one project at once lose nothing."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import run_cli
from sqlalchemy import text
from sqlmodel import select
from textual.app import App
from textual.widgets import DataTable

from benchmarks.concurrency import concurrent_edits
from db.models import Project, Risk
from tracker.domain.validation import ValidationError
from tracker.services.records import EditConflict, apply_edit
from tracker.services.risk_changes import change_risk, find_risk, risk_raw_values
from tracker.ui.screens.conflict import ConflictScreen

TODAY = date(2012, 3, 1)


def risk_state(db, identifier="R-001") -> Risk:
    with db.read() as session:
        return session.exec(
            select(Risk).join(Project).where(Project.key == "ICS", Risk.identifier == identifier)
        ).one()


def opened_values(db, identifier="R-001") -> dict[str, str]:
    from tracker.services.configuration import load_vocabulary

    with db.read() as session:
        project = session.exec(select(Project).where(Project.key == "ICS")).one()
        risk = find_risk(session, project, identifier)
        return risk_raw_values(session, risk, load_vocabulary(session, project.id))


def test_every_save_makes_a_new_version(demo_db):
    assert risk_state(demo_db).version == 1
    saved = change_risk(
        demo_db, "ICS", "R-001", {"notes": "Reviewed"}, opened_version=1, today=TODAY
    )
    assert (saved.version, saved.changed) == (2, ("notes",))
    assert risk_state(demo_db).version == 2


def test_a_save_on_an_old_version_is_refused_and_shows_both_sides(demo_db):
    opened = opened_values(demo_db)
    change_risk(
        demo_db, "ICS", "R-001", {"notes": "Theirs"}, opened_version=1, today=TODAY, actor="alice"
    )
    with pytest.raises(EditConflict) as caught:
        change_risk(
            demo_db,
            "ICS",
            "R-001",
            {"notes": "Mine", "response": "Mine too"},
            opened_version=1,
            opened=opened,
            today=TODAY,
            actor="bob",
        )
    conflict = caught.value
    assert (conflict.opened_version, conflict.current_version) == (1, 2)
    assert conflict.changed_by == "alice"
    assert "ICS R-001 was changed by alice" in str(conflict)
    by_field = {d.field: d for d in conflict.differences}
    assert by_field["notes"].theirs == "Theirs" and by_field["notes"].yours == "Mine"
    assert by_field["notes"].clashes
    assert by_field["response"].you_changed and not by_field["response"].they_changed
    # Nothing of bob's was written.
    assert risk_state(demo_db).notes == "Theirs"
    # Re-applying bob's changes on top of alice's version saves them.
    saved = change_risk(
        demo_db,
        "ICS",
        "R-001",
        conflict.reapplied(),
        opened_version=conflict.current_version,
        today=TODAY,
        actor="bob",
    )
    after = risk_state(demo_db)
    assert saved.version == 3 and after.notes == "Mine" and after.response == "Mine too"


def test_a_change_of_actionees_alone_is_a_new_version(demo_db):
    opened = opened_values(demo_db, "R-002")
    owner = opened["owner"]
    assert owner
    saved = change_risk(
        demo_db, "ICS", "R-002", {"actionees": owner}, opened_version=1, today=TODAY
    )
    assert saved.version == 2
    assert opened_values(demo_db, "R-002")["actionees"] == owner


def test_bad_values_are_refused_before_anything_is_written(demo_db):
    with pytest.raises(ValidationError) as caught:
        change_risk(
            demo_db, "ICS", "R-001", {"inherent impact": "7"}, opened_version=1, today=TODAY
        )
    assert caught.value.for_field("inherent impact") == "7 is outside the scale 1 to 5"
    assert risk_state(demo_db).version == 1


def test_a_save_racing_another_commit_is_refused(demo_db):
    """Between our read and our UPDATE someone else commits: the version check in the UPDATE
    itself refuses ours."""
    if demo_db.is_sqlite:
        pytest.skip("SQLite writers queue behind BEGIN IMMEDIATE: there is no race to lose")
    with pytest.raises(EditConflict), demo_db.write("bob") as session:
        risk = session.exec(select(Risk).where(Risk.identifier == "R-001")).first()
        with demo_db.engine.connect() as other:
            other.execute(
                text("UPDATE risk SET version = version + 1, notes = 'alice' WHERE id = :id"),
                {"id": risk.id},
            )
            other.commit()
        apply_edit(session, risk, risk.version, {"notes": "bob"}, label="ICS R-001")
    assert risk_state(demo_db).notes == "alice"


def test_the_command_line_refuses_a_stale_save_with_one_line(demo_db):
    env = {"TRACKER_DB": demo_db.url, "TRACKER_TODAY": "2012-03-01", "TRACKER_USER": "alice"}
    first = run_cli("risks", "update", "R-001", "--project", "ICS", "--set", "notes=A",
                    "--if-version", "1", env=env)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "saved as version 2" in first.stdout
    stale = run_cli("risks", "update", "R-001", "--project", "ICS", "--set", "notes=B",
                    "--if-version", "1", env=env)  # fmt: skip
    assert stale.returncode == 1
    assert stale.stderr.count("\n") == 1 and "Traceback" not in stale.stderr
    assert "was changed by alice after you opened it" in stale.stderr
    assert risk_state(demo_db).notes == "A"


class ConflictApp(App):
    def __init__(self, conflict: EditConflict) -> None:
        super().__init__()
        self.conflict = conflict
        self.choice = "unset"

    def on_mount(self) -> None:
        self.push_screen(ConflictScreen(self.conflict), self.chosen)

    def chosen(self, choice) -> None:
        self.choice = choice


def _conflict(db) -> EditConflict:
    opened = opened_values(db)
    change_risk(db, "ICS", "R-001", {"notes": "Theirs"}, opened_version=1, today=TODAY)
    try:
        change_risk(
            db,
            "ICS",
            "R-001",
            {"notes": "Mine"},
            opened_version=1,
            opened=opened,
            today=TODAY,
            actor="bob",
        )
    except EditConflict as exc:
        return exc
    raise AssertionError("no conflict")


@pytest.mark.parametrize(("key", "choice"), [("r", "reapply"), ("d", "discard"), ("escape", None)])
async def test_the_conflict_screen_shows_both_versions_and_lets_you_choose(demo_db, key, choice):
    app = ConflictApp(_conflict(demo_db))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.2)
        table = app.screen.query_one("#conflict-fields", DataTable)
        row = table.get_row("notes")
        assert row[1:4] == [row[1], "Mine", "Theirs"]
        assert "both changed" in str(row[4])
        await pilot.press(key)
        await pilot.pause(0.1)
    assert app.choice == choice


def test_conflict_screen_snapshot(sqlite_demo_db, snap_compare):
    conflict = _conflict(sqlite_demo_db)
    conflict.changed_at = None  # the wall clock would make the picture change every run
    conflict.changed_by = "alice"

    async def settle(pilot):
        await pilot.pause(0.3)

    assert snap_compare(ConflictApp(conflict), terminal_size=(120, 30), run_before=settle)


@pytest.mark.slow
def test_eight_processes_editing_one_project_lose_nothing(db):
    report = concurrent_edits(db.url, processes=8, seconds=4)
    assert report.errors == []
    assert report.problems == []
    assert report.saves > 0 and report.audit_entries == report.saves
