"""Every change is recorded in the same transaction, with who made it."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from db.models import AuditEntry, Person, Project
from tracker.services.projects import ProjectInput, create_project


def test_insert_update_delete_are_audited_with_the_actor(db):
    with db.write(actor="helen.marsh") as session:
        project = create_project(session, ProjectInput(key="ICS", name="ICS replacement"))
        project_id = project.id
    with db.write(actor="john.unsworth") as session:
        project = session.get(Project, project_id)
        project.name = "Integrated Children's System replacement"
        person = Person(name="Temporary")
        session.add(person)
    with db.write(actor="john.unsworth") as session:
        session.delete(session.exec(select(Person).where(Person.name == "Temporary")).one())
    with db.read() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    inserted = [e for e in entries if e.table_name == "project" and e.action == "insert"]
    assert inserted[0].actor == "helen.marsh"
    assert json.loads(inserted[0].new_value)["key"] == "ICS"
    update = [e for e in entries if e.action == "update"]
    assert [(u.field, u.old_value, u.new_value, u.actor) for u in update] == [
        ("name", "ICS replacement", "Integrated Children's System replacement", "john.unsworth")
    ]
    assert update[0].project_id == project_id
    deleted = [e for e in entries if e.action == "delete"]
    assert (
        deleted[0].table_name == "person"
        and json.loads(deleted[0].old_value)["name"] == "Temporary"
    )


def test_a_rolled_back_change_leaves_no_audit(db):
    with pytest.raises(RuntimeError), db.write() as session:
        create_project(session, ProjectInput(key="ICS", name="ICS replacement"))
        raise RuntimeError("the user cancelled")
    with db.read() as session:
        assert session.exec(select(AuditEntry)).all() == []
        assert session.exec(select(Project)).all() == []


def test_the_actor_defaults_to_the_configured_user(db, monkeypatch):
    monkeypatch.setenv("TRACKER_USER", "pm@council.gov.uk")
    with db.write() as session:
        create_project(session, ProjectInput(key="ICS", name="ICS replacement"))
    with db.read() as session:
        actors = {e.actor for e in session.exec(select(AuditEntry))}
    assert actors == {"pm@council.gov.uk"}


def test_child_rows_are_filed_under_their_project(demo_db):
    """A risk's actionees and a meeting's attendance have no project column of their own."""
    from tracker.services.audit import audit_trail

    tables = {line.table for line in audit_trail(demo_db, "ICS")}
    assert {"risk", "risk_actionee", "meeting_attendance", "highlight_report_rating"} <= tables
    assert {line.record for line in audit_trail(demo_db, "ICS") if line.table == "risk"} >= {
        "R-001"
    }


def test_audit_command_filters_by_date_and_formats(db_path):
    from conftest import run_cli

    run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS")
    as_json = run_cli("--db", str(db_path), "audit", "--project", "ICS", "-f", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert (
        rows[0]["table"] == "project"
        and rows[0]["record"] == "ICS"
        and rows[0]["actor"] == "tester"
    )
    assert rows[0]["occurred_at"].endswith("+00:00")
    later = run_cli(
        "--db", str(db_path), "audit", "--project", "ICS", "--since", "01/01/2099", "-f", "json"
    )
    assert json.loads(later.stdout) == []
    bad = run_cli("--db", str(db_path), "audit", "--project", "ICS", "--since", "31/02/2012")
    assert bad.returncode == 1 and bad.stderr.startswith("tracker: since: '31/02/2012'")
    missing = run_cli("--db", str(db_path), "audit", "--project", "NOPE")
    assert missing.returncode == 1 and "no project with key 'NOPE'" in missing.stderr
