"""`tracker demo`: the council documents as a portfolio; loading it twice changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date

from conftest import run_cli
from sqlalchemy import text
from sqlmodel import SQLModel, select

from db.models import (
    Action,
    BoardMeeting,
    Decision,
    HighlightReport,
    Issue,
    Lesson,
    Person,
    Project,
    ReportingSchedule,
    ReviewedSystem,
    ReviewedSystemOutcome,
    Risk,
    RoleAssignment,
    Stage,
    WorkPackage,
)
from tracker.services.worked_example import load_worked_example


def dump(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"')))
            for name in SQLModel.metadata.tables
        }


def test_loading_twice_changes_nothing(demo_db):
    before = dump(demo_db)
    result = load_worked_example(demo_db)
    assert result.loaded == []
    assert {"ICS", "CFA"} <= set(result.already_present)
    assert dump(demo_db) == before


def test_the_command_says_what_it_loaded_then_that_nothing_changed(db_path):
    first = run_cli("--db", str(db_path), "demo")
    assert first.returncode == 0, first.stderr
    assert "ICS" in first.stdout and "risks" in first.stdout
    second = run_cli("--db", str(db_path), "demo")
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout


def _project(session, key: str) -> Project:
    return session.exec(select(Project).where(Project.key == key)).one()


def test_the_ics_replacement_is_whole(demo_db):
    with demo_db.read() as session:
        ics = _project(session, "ICS")
        assert ics.organisation == "Central Bedfordshire Council"
        executive = session.exec(
            select(Person.name)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(
                RoleAssignment.project_id == ics.id,
                RoleAssignment.role == "executive",
                RoleAssignment.deputy_for_id.is_(None),
            )
        ).one()
        assert executive == "Chief Finance Officer"
        roles = set(
            session.exec(select(RoleAssignment.role).where(RoleAssignment.project_id == ics.id))
        )
        assert {
            "executive",
            "senior user",
            "senior supplier",
            "project assurance",
            "project manager",
        } <= roles

        stages = session.exec(
            select(Stage).where(Stage.project_id == ics.id).order_by(Stage.sequence)
        ).all()
        assert stages[0].kind == "initiation" and stages[-1].kind == "final"
        assert any("OJEU" in s.name for s in stages)
        implementation = next(s for s in stages if s.name == "Implementation")
        assert implementation.planned_start.month == 9 and implementation.planned_start.year == 2011
        assert stages[-1].planned_end <= date(2012, 4, 30)

        risks = session.exec(select(Risk).where(Risk.project_id == ics.id)).all()
        assert len(risks) >= 8
        ofsted = [r for r in risks if "Ofsted" in r.title]
        assert ofsted and ofsted[0].proximity_date and ofsted[0].proximity_date <= date(2012, 3, 31)
        assert any("OJEU" in r.title or "procurement" in r.title.lower() for r in risks)
        assert any("capacity" in (r.title + r.cause + r.event).lower() for r in risks)
        assert any(r.kind == "opportunity" for r in risks)

        assert len(session.exec(select(Issue).where(Issue.project_id == ics.id)).all()) >= 4
        assert session.exec(select(Lesson).where(Lesson.project_id == ics.id)).all()
        reports = session.exec(
            select(HighlightReport).where(
                HighlightReport.project_id == ics.id, HighlightReport.status == "issued"
            )
        ).all()
        assert len(reports) >= 3
        meetings = session.exec(
            select(BoardMeeting).where(
                BoardMeeting.project_id == ics.id,
                BoardMeeting.kind == "project board",
                BoardMeeting.status == "held",
            )
        ).all()
        assert len(meetings) >= 3
        assert session.exec(select(Decision).where(Decision.project_id == ics.id)).all()
        assert session.exec(select(Action).where(Action.project_id == ics.id)).all()


def test_the_cfa_programme_has_its_work_streams_and_system_review(demo_db):
    with demo_db.read() as session:
        cfa = _project(session, "CFA")
        streams = session.exec(
            select(WorkPackage.title).where(WorkPackage.project_id == cfa.id)
        ).all()
        for stream in (
            "Integration",
            "Case Management",
            "Financial Management",
            "Information Management",
            "Directories",
            "Information gateway",
            "Citizen Access",
        ):
            assert any(stream.lower() in s.lower() for s in streams), stream
        systems = session.exec(
            select(ReviewedSystem.id).where(ReviewedSystem.project_id == cfa.id)
        ).all()
        assert len(systems) == 30
        outcomes = Counter(
            session.exec(
                select(ReviewedSystemOutcome.outcome).where(
                    ReviewedSystemOutcome.reviewed_system_id.in_(systems)
                )
            )
        )
        assert outcomes == {"decommission": 3, "replace": 12, "maintain": 9, "develop": 12}
        schedule = session.exec(
            select(ReportingSchedule).where(
                ReportingSchedule.project_id == cfa.id,
                ReportingSchedule.report == "committee update",
            )
        ).one()
        assert schedule.frequency == "quarterly"


def test_invented_figures_are_marked_illustrative(demo_db):
    with demo_db.read() as session:
        for project in session.exec(select(Project)):
            assert "illustrative" in project.notes.lower(), project.key
