"""Stage plans, tolerances, progress updates, exceptions and end stage reports (issue 5): the
services and the database, then the command line as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from db.models import (
    AuditEntry,
    Decision,
    ExceptionReport,
    Project,
    Stage,
    StageBaseline,
    StageProgress,
    Tolerance,
    ToleranceAspect,
    ToleranceChange,
)
from tracker.domain.tolerance import AT_RISK, BEYOND, WITHIN, tolerance_status
from tracker.domain.validation import ValidationError
from tracker.errors import Conflict
from tracker.reports.document import Document
from tracker.reports.markdown import render_markdown
from tracker.services import end_stage, exceptions
from tracker.services.progress import StageFacts, parse_progress, record_progress
from tracker.services.projects import ProjectInput, create_project
from tracker.services.records import EditConflict
from tracker.services.stage_plan import stage_plan
from tracker.services.tolerances import change_tolerances, parse_tolerances
from tracker.ui.widgets.timeline import rows_for

TODAY = date(2012, 3, 1)
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- a small project


@pytest.fixture
def tol(db):
    """Project TOL: one stage planned 01/01/2012 to 31/03/2012 at £100,000, under way since
    02/01/2012, with stage tolerances of 10 days and 5% (£5,000) either side, and project
    tolerances of 20 days and £10,000 either side against a £100,000 plan."""
    with db.write() as session:
        project = create_project(
            session,
            ProjectInput(
                key="TOL",
                name="Tolerance test",
                planned_start=date(2012, 1, 1),
                planned_end=date(2012, 3, 31),
                budget_pence=100_000_00,
            ),
        )
        project.status = "in progress"
        stage = Stage(
            project_id=project.id,
            sequence=1,
            name="Delivery",
            status="in progress",
            planned_start=date(2012, 1, 1),
            planned_end=date(2012, 3, 31),
            planned_cost_pence=100_000_00,
            actual_start=date(2012, 1, 2),
            authorised_on=date(2011, 12, 20),
        )
        session.add(stage)
        session.flush()
        aspects = {
            a.name: a.id
            for a in session.exec(
                select(ToleranceAspect).where(ToleranceAspect.project_id == project.id)
            )
        }
        session.add_all(
            [
                Tolerance(project_id=project.id, stage_id=stage.id, aspect_id=aspects["time"],
                          plus=10, minus=10, unit="days"),
                Tolerance(project_id=project.id, stage_id=stage.id, aspect_id=aspects["cost"],
                          plus=500, minus=500, unit="basis_points"),
                Tolerance(project_id=project.id, aspect_id=aspects["time"], plus=20, minus=20,
                          unit="days"),
                Tolerance(project_id=project.id, aspect_id=aspects["cost"], plus=10_000_00,
                          minus=10_000_00, unit="pence"),
            ]
        )  # fmt: skip
    return db


def progress(end: str, at_completion: str, *, as_at: str = "01/03/2012", spent="£60,000"):
    return {
        "as at": as_at,
        "actual cost to date": spent,
        "forecast at completion": at_completion,
        "forecast end": end,
        "per cent complete": "60",
    }


@pytest.mark.parametrize(
    ("end", "time_status", "time_used"),
    [
        ("08/04/2012", WITHIN, 80),  # +8 of +10 days: exactly 80% is still within tolerance
        ("09/04/2012", AT_RISK, 90),
        ("10/04/2012", AT_RISK, 100),  # exactly 100% is at risk, not yet an exception
        ("11/04/2012", BEYOND, 110),
        ("31/03/2012", WITHIN, 0),
        ("22/03/2012", AT_RISK, 90),  # negative variance: -9 of the -10 days
        ("20/03/2012", BEYOND, 110),  # -11 days: an underrun beyond tolerance is an exception too
    ],
)
def test_stage_time_status_at_the_boundaries(tol, end, time_status, time_used):
    saved = record_progress(tol, "TOL", 1, progress(end, "£100,000"), today=TODAY)
    assert (saved.time.status, saved.time.percent_used) == (time_status, time_used)
    assert saved.cost.status == WITHIN and saved.cost.variance == 0


@pytest.mark.parametrize(
    ("at_completion", "cost_status", "variance"),
    [
        ("£104,000", WITHIN, 4_000_00),  # +£4,000 of 5% (£5,000): exactly 80%
        ("£104,000.01", AT_RISK, 4_000_01),
        ("£105,000", AT_RISK, 5_000_00),  # exactly 100%
        ("£105,000.01", BEYOND, 5_000_01),
        ("£96,000", WITHIN, -4_000_00),  # negative variance, exactly 80% of the minus side
        ("£94,999.99", BEYOND, -5_000_01),
    ],
)
def test_stage_cost_status_at_the_boundaries(tol, at_completion, cost_status, variance):
    saved = record_progress(tol, "TOL", "delivery", progress("31/03/2012", at_completion),
                            today=TODAY)  # fmt: skip
    assert (saved.cost.status, saved.cost.variance) == (cost_status, variance)
    assert saved.cost.allowed == 5_000_00  # 5% of the £100,000 plan


@pytest.mark.parametrize(
    ("end", "at_completion", "project_time", "project_cost", "overall"),
    [
        ("16/04/2012", "£100,000", WITHIN, WITHIN, "red"),  # +16 of 20 days; the stage is beyond
        ("31/03/2012", "£92,000", WITHIN, WITHIN, "red"),  # -£8,000: project 80%, stage beyond
        ("31/03/2012", "£90,000", WITHIN, AT_RISK, "red"),  # -£10,000: exactly 100% at risk
        ("31/03/2012", "£89,999.99", WITHIN, BEYOND, "red"),
        ("20/04/2012", "£100,000", AT_RISK, WITHIN, "red"),  # +20 days: exactly 100%
        ("31/03/2012", "£100,000", WITHIN, WITHIN, "green"),
    ],
)
def test_project_status_and_overall_rag(tol, end, at_completion, project_time, project_cost,
                                        overall):  # fmt: skip
    record_progress(tol, "TOL", 1, progress(end, at_completion), today=TODAY)
    plan = stage_plan(tol, "TOL", TODAY)
    assert (plan.time.status, plan.cost.status) == (project_time, project_cost)
    assert plan.overall_rag == overall
    from tracker.services.projects import list_portfolio

    row = next(r for r in list_portfolio(tol, TODAY) if r.key == "TOL")
    assert row.overall_rag == overall  # the home screen's RAG comes from the same rule
    assert bool(row.exceptions) == (overall == "red")


def test_the_rule_itself_with_no_tolerance_and_zero_tolerance():
    assert tolerance_status("time", 3, None, None).status == "no tolerance set"
    assert tolerance_status("time", 0, 0, 0).status == WITHIN
    assert tolerance_status("time", -1, 10, 0).status == BEYOND


# --------------------------------------------------------------------------- progress updates


def test_every_progress_update_is_kept_with_its_date(tol):
    record_progress(tol, "TOL", 1, progress("31/03/2012", "£100,000", as_at="01/02/2012",
                                            spent="£30,000"), today=TODAY)  # fmt: skip
    record_progress(tol, "TOL", 1, progress("05/04/2012", "£103,000"), today=TODAY)
    earlier = record_progress(
        tol,
        "TOL",
        1,
        progress("02/04/2012", "£101,000", as_at="15/02/2012", spent="£45,000"),
        today=TODAY,
    )
    assert not earlier.latest  # an earlier date goes into the history, not onto the stage
    plan = stage_plan(tol, "TOL", TODAY)
    stage = plan.stage(1)
    assert [u.as_at for u in stage.progress] == [date(2012, 2, 1), date(2012, 2, 15), TODAY]
    assert [u.forecast_cost_pence for u in stage.progress] == [100_000_00, 101_000_00,
                                                              103_000_00]  # fmt: skip
    assert stage.forecast_cost_pence == 103_000_00 and stage.forecast_end == date(2012, 4, 5)
    assert stage.progress[-1].estimate_to_complete_pence == 43_000_00
    assert stage.progress[-1].recorded_by == "tester"
    with tol.read() as session:
        audited = session.exec(
            select(func.count()).where(
                AuditEntry.table_name == "stage_progress", AuditEntry.action == "insert"
            )
        ).one()
    assert audited == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"actual cost to date": "lots"}, "actual cost to date", "'lots' is not an amount"),
        ({"forecast end": "31/02/2012"}, "forecast end", "'31/02/2012' is not a date"),
        ({"per cent complete": "140"}, "per cent complete", "140% is outside 0% to 100%"),
        ({"per cent complete": "most"}, "per cent complete", "'most' is not a whole per cent"),
        ({"as at": "02/03/2012"}, "as at", "is after today (01/03/2012)"),
        ({"as at": "01/01/2012"}, "as at", "is before the stage started (02/01/2012)"),
        ({"forecast at completion": "£50,000"}, "forecast at completion", "less than the"),
        (
            {"estimate to complete": "£10,000"},
            "forecast at completion",
            "is not the actual cost to date plus the estimate to complete (£70,000)",
        ),
        ({"forecast at completion": ""}, "estimate to complete", "give the estimate"),
        ({"forecast end": "20/02/2012"}, "forecast end", "only 60% complete"),
        ({"started on": "01/01/2012"}, "started on", "Delivery started on 02/01/2012"),
    ],
)
def test_bad_progress_is_refused_with_the_field_named_and_nothing_saved(tol, changes, field,
                                                                         message):  # fmt: skip
    raw = progress("31/03/2012", "£100,000") | changes
    with pytest.raises(ValidationError) as caught:
        record_progress(tol, "TOL", 1, raw, today=TODAY)
    assert message in (caught.value.for_field(field) or ""), str(caught.value)
    # The form uses the same parser, so it shows the same message.
    facts = StageFacts("Delivery", "in progress", date(2012, 1, 2))
    with pytest.raises(ValidationError) as again:
        parse_progress(raw, facts, today=TODAY)
    assert again.value.for_field(field) == caught.value.for_field(field)
    with tol.read() as session:
        assert session.exec(select(func.count()).select_from(StageProgress)).one() == 0


def test_the_estimate_to_complete_gives_the_forecast_and_the_other_way_round():
    facts = StageFacts("Delivery", "in progress", date(2012, 1, 2))
    base = {"actual cost to date": "£60,000", "forecast end": "31/03/2012",
            "per cent complete": "60%"}  # fmt: skip
    one = parse_progress(base | {"estimate to complete": "£45k"}, facts, today=TODAY)
    other = parse_progress(base | {"forecast at completion": "£105,000"}, facts, today=TODAY)
    given = {"estimate to complete": "£45,000", "forecast at completion": "£105,000"}
    both = parse_progress(base | given, facts, today=TODAY)
    assert one == other == both
    assert (one.forecast_cost_pence, one.estimate_to_complete_pence) == (105_000_00, 45_000_00)
    assert one.as_at == TODAY and one.percent_complete == 60


def test_the_first_update_starts_an_authorised_stage(tol):
    with tol.write() as session:
        stage = session.exec(select(Stage).where(Stage.name == "Delivery")).one()
        stage.status, stage.actual_start = "authorised", None
    with pytest.raises(ValidationError) as caught:
        record_progress(tol, "TOL", 1, progress("31/03/2012", "£100,000"), today=TODAY)
    assert "first progress update" in caught.value.for_field("started on")
    started = progress("31/03/2012", "£100,000") | {"started on": "09/01/2012"}
    record_progress(tol, "TOL", 1, started, today=TODAY)
    stage = stage_plan(tol, "TOL", TODAY).stage(1)
    assert (stage.status, stage.actual_start) == ("in progress", date(2012, 1, 9))


@pytest.mark.parametrize(("status", "fragment"), [("planned", "not authorised"),
                                                  ("completed", "is completed")])  # fmt: skip
def test_progress_is_refused_on_stages_not_under_way(tol, status, fragment):
    with tol.write() as session:
        session.exec(select(Stage).where(Stage.name == "Delivery")).one().status = status
    with pytest.raises(Conflict, match=fragment):
        record_progress(tol, "TOL", 1, progress("31/03/2012", "£100,000"), today=TODAY)


def test_progress_on_a_stage_changed_since_it_was_opened_is_refused(tol):
    version = stage_plan(tol, "TOL", TODAY).stage(1).version
    record_progress(tol, "TOL", 1, progress("31/03/2012", "£100,000"), today=TODAY,
                    opened_version=version, actor="alice")  # fmt: skip
    with pytest.raises(EditConflict, match="changed by alice"):
        record_progress(tol, "TOL", 1, progress("01/04/2012", "£101,000"), today=TODAY,
                        opened_version=version, actor="bob")  # fmt: skip
    assert len(stage_plan(tol, "TOL", TODAY).stage(1).progress) == 1


# --------------------------------------------------------------------------- tolerances


def _decisions(db, key="TOL"):
    with db.read() as session:
        project = session.exec(select(Project).where(Project.key == key)).one()
        return session.exec(
            select(Decision).where(Decision.project_id == project.id).order_by(Decision.number)
        ).all()


def test_changing_a_stage_tolerance_is_a_recorded_board_decision(tol):
    before = stage_plan(tol, "TOL", TODAY).stage(1)
    record_progress(tol, "TOL", 1, progress("09/04/2012", "£100,000"), today=TODAY)
    assert stage_plan(tol, "TOL", TODAY).stage(1).time.status == AT_RISK
    saved = change_tolerances(
        tol,
        "TOL",
        1,
        {"time plus": "15", "cost plus": "7.5%", "cost minus": "7.5%", "scope": "Must-haves only",
         "decided on": "28/02/2012", "rationale": "Supplier delay outside the council's control"},
        today=TODAY,
        actor="board clerk",
    )  # fmt: skip
    assert saved.changed == ("time", "cost", "scope") and saved.level == "stage"
    decision = _decisions(tol)[-1]
    assert decision.identifier == saved.decision
    assert decision.activity == "authorise a stage or exception plan"
    assert decision.decision_date == date(2012, 2, 28)
    assert decision.rationale == "Supplier delay outside the council's control"
    assert "time +15 days / -10 days (was +10 days / -10 days)" in decision.summary
    assert "cost +7.5% / -7.5% (was +5% / -5%)" in decision.summary
    stage = stage_plan(tol, "TOL", TODAY).stage(1)
    assert stage.version == before.version + 2  # the progress update and the decision
    views = {v.aspect: v for v in stage.tolerances}
    assert (views["time"].plus, views["cost"].plus, views["cost"].unit) == (15, 750, "basis_points")
    assert views["scope"].description == "Must-haves only"
    assert views["time"].set_by == f"Project board ({saved.decision})"
    assert stage.time.status == WITHIN  # +9 of the new +15 days: 60%
    with tol.read() as session:
        history = session.exec(select(ToleranceChange).order_by(ToleranceChange.id)).all()
        trail = session.exec(
            select(AuditEntry).where(
                AuditEntry.table_name == "tolerance", AuditEntry.field == "plus"
            )
        ).all()
    assert [(h.old_plus, h.new_plus) for h in history] == [(10, 15), (500, 750), (None, None)]
    assert {h.decision_id for h in history} == {decision.id}
    assert {(t.old_value, t.new_value, t.actor) for t in trail} == {
        ("10", "15", "board clerk"),
        ("500", "750", "board clerk"),
    }


def test_project_tolerances_are_a_corporate_or_programme_decision(tol):
    changes = {"cost plus": "£15,000", "rationale": "Programme board allowed more"}
    saved = change_tolerances(tol, "TOL", None, changes, today=TODAY)
    assert saved.level == "project"
    decision = _decisions(tol)[-1]
    assert decision.activity == "corporate or programme direction" and decision.stage_id is None
    assert decision.decision_date == TODAY  # the default
    plan = stage_plan(tol, "TOL", TODAY)
    cost = {v.aspect: v for v in plan.tolerances}["cost"]
    assert (cost.plus, cost.minus, cost.unit) == (15_000_00, 10_000_00, "pence")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cost plus": "5%", "cost minus": "£5,000"}, "cost minus", "both sides the same way"),
        ({"cost plus": "5.555%"}, "cost plus", "is not a percentage like 5% or 2.5%"),
        ({"cost plus": "lots"}, "cost plus", "or a percentage of the plan (5%)"),
        ({"time plus": "ten"}, "time plus", "'ten' is not a whole number"),
        ({"time plus": "-3"}, "time plus", "-3 is outside 0 to"),
        ({"rationale": ""}, "rationale", "is required"),
        ({"decided on": "02/03/2012"}, "decided on", "is after today"),
        ({"time plus": "10"}, "tolerances", "no tolerance changed"),
        ({"schedule": "x"}, "schedule", "is not a tolerance field"),
    ],
)
def test_bad_tolerances_are_refused_and_nothing_is_recorded(tol, changes, field, message):
    raw = {"rationale": "Because"} | changes
    with pytest.raises(ValidationError) as caught:
        change_tolerances(tol, "TOL", 1, raw, today=TODAY)
    assert message in (caught.value.for_field(field) or ""), str(caught.value)
    assert _decisions(tol) == []


def test_a_prince2_7_project_has_a_sustainability_tolerance_in_words(db):
    with db.write() as session:
        create_project(session, ProjectInput(key="SEVEN", name="Seventh", profile="PRINCE2 7"))
    change_tolerances(db, "SEVEN", None, {"sustainability": "No net increase in carbon",
                      "rationale": "Climate emergency declared"}, today=TODAY)  # fmt: skip
    views = {v.aspect: v for v in stage_plan(db, "SEVEN", TODAY).tolerances}
    assert views["sustainability"].text == "No net increase in carbon"
    assert views["time"].kind == "time" and views["sustainability"].kind == "descriptive"
    aspects = [(v.aspect, v.kind) for v in views.values()]
    data = parse_tolerances({"rationale": "x", "time plus": "3 days"}, aspects, today=TODAY)
    assert data.settings[0].plus == 3


# --------------------------------------------------------------------------- exceptions


def push_beyond(db) -> None:
    """The ICS Implementation forecast passes both stage tolerances (+11 days, +£65,000)."""
    record_progress(
        db,
        "ICS",
        "Implementation",
        {"actual cost to date": "£780,000", "forecast at completion": "£1,215,000",
         "forecast end": "10/04/2012", "per cent complete": "72",
         "note": "Supplier's bulk attachment loader needed (I-003)"},
        today=TODAY,
    )  # fmt: skip


def test_an_exception_is_flagged_for_the_board(demo_db):
    assert exceptions.exceptions_for_board(demo_db, "ICS", TODAY) == []
    push_beyond(demo_db)
    [entry] = exceptions.exceptions_for_board(demo_db, "ICS", TODAY)
    assert (entry.level, entry.stage, entry.escalate_to) == (
        "stage",
        "Implementation",
        "the project board",
    )
    assert [c.aspect for c in entry.beyond] == ["time", "cost"]
    assert entry.needs == "the project manager to draft an exception report"
    assert entry.summary == "Implementation stage time and cost beyond tolerance"


def test_an_exception_report_is_drafted_from_the_data(demo_db):
    with pytest.raises(Conflict, match="nothing in the Implementation stage is forecast beyond"):
        exceptions.draft_exception_report(demo_db, "ICS", "Implementation", today=TODAY)
    push_beyond(demo_db)
    drafted = exceptions.draft_exception_report(demo_db, "ICS", "Implementation", today=TODAY)
    assert drafted.created and drafted.identifier == "ER-002"  # ER-001 is the Procurement one
    again = exceptions.draft_exception_report(demo_db, "ICS", 3, today=TODAY)
    assert again == exceptions.DraftedReport("ER-002", False)
    view = exceptions.exception_report(demo_db, "ICS", "ER-002", today=TODAY)
    fields = view.fields
    assert fields["title"] == "Implementation stage: time and cost forecast beyond tolerance"
    # Which tolerance and by how much, from the stage's plan, forecast and tolerances.
    assert "forecast end 10/04/2012 against the plan's 30/03/2012" in fields["deviation"]
    assert "+11 days, 110% of the +10 days tolerance" in fields["deviation"]
    assert "+£65,000, 113% of the +£57,500 tolerance" in fields["deviation"]
    assert "Project cost: forecast £1,350,500" in fields["deviation"]
    # Cause: the trend of the forecasts, the latest note and the issues still open.
    assert "£1,205,000 (29/02/2012) → £1,215,000 (01/03/2012)" in fields["cause"]
    assert "Supplier's bulk attachment loader needed (I-003)" in fields["cause"]
    assert "I-003 Migration tool cannot carry historic case-note attachments" in fields["cause"]
    assert "I-001" not in fields["cause"]  # closed
    assert "the board decides" in fields["consequences"]  # project tolerance still holds
    assert "end on 10/04/2012 at a cost of £1,215,000" in fields["options"]
    assert "L-001 Build the OJEU standstill period into procurement plans" in fields["lessons"]
    for section in ("cause", "consequences", "options", "recommendation", "lessons"):
        assert exceptions.TO_COMPLETE in fields[section]
    markdown = render_markdown(view.document)
    assert "# Exception Report ER-002" in markdown
    for heading in ("Cause of the exception", "Consequences of the deviation", "Options",
                    "Recommendation", "Lessons"):  # fmt: skip
        assert f"### {heading}" in markdown
    [entry] = exceptions.exceptions_for_board(demo_db, "ICS", TODAY)
    assert (
        entry.report == "ER-002" and entry.needs == "the project manager to finish and issue ER-002"
    )


def finish(db, identifier="ER-002") -> int:
    view = exceptions.exception_report(db, "ICS", identifier, today=TODAY)
    finished = {
        name: value.replace(exceptions.TO_COMPLETE, "The project manager:")
        for name, value in view.fields.items()
    }
    return exceptions.update_exception_report(db, "ICS", identifier, finished,
                                              opened_version=view.version)  # fmt: skip


def test_an_exception_report_is_finished_then_issued_frozen(demo_db):
    push_beyond(demo_db)
    exceptions.draft_exception_report(demo_db, "ICS", 3, today=TODAY)
    with pytest.raises(ValidationError) as caught:
        exceptions.issue_exception_report(demo_db, "ICS", "ER-002", today=TODAY)
    assert "still has [To complete]" in caught.value.for_field("recommendation")
    with pytest.raises(ValidationError, match="title: is required"):
        exceptions.update_exception_report(demo_db, "ICS", "ER-002", {"title": " "},
                                           opened_version=None)  # fmt: skip
    version = finish(demo_db)
    with pytest.raises(EditConflict):
        exceptions.update_exception_report(demo_db, "ICS", "ER-002", {"cause": "stale"},
                                           opened_version=version - 1)  # fmt: skip
    exceptions.issue_exception_report(demo_db, "ICS", "ER-002", today=TODAY, opened_version=version)
    with demo_db.read() as session:
        report = session.exec(select(ExceptionReport).where(ExceptionReport.number == 2)).one()
        frozen = Document.from_json(report.issued_content)
    assert report.status == "issued" and report.issued_on == TODAY
    assert ("Status", "issued") in frozen.header
    with pytest.raises(Conflict, match="an issued report is not changed"):
        exceptions.update_exception_report(demo_db, "ICS", "ER-002", {"cause": "later"},
                                           opened_version=None)  # fmt: skip
    [entry] = exceptions.exceptions_for_board(demo_db, "ICS", TODAY)
    assert entry.needs == "a decision by the project board on ER-002"


def test_the_baseline_is_kept_after_an_exception_plan(demo_db):
    push_beyond(demo_db)
    exceptions.draft_exception_report(demo_db, "ICS", 3, today=TODAY)
    exceptions.issue_exception_report(demo_db, "ICS", "ER-002", today=TODAY,
                                      opened_version=finish(demo_db))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        exceptions.approve_exception_plan(demo_db, "ICS", "ER-002", {"planned end": "01/09/2011",
                                          "planned cost": "£1,215,000"}, today=TODAY)  # fmt: skip
    assert "before the stage starts" in caught.value.for_field("planned end")
    assert caught.value.for_field("rationale") == "is required"
    before = stage_plan(demo_db, "ICS", TODAY).stage(3)
    approved = exceptions.approve_exception_plan(
        demo_db,
        "ICS",
        "ER-002",
        {"planned end": "10/04/2012", "planned cost": "£1,215,000",
         "rationale": "Ofsted progress must not be put at risk"},
        today=TODAY,
    )  # fmt: skip
    stage = stage_plan(demo_db, "ICS", TODAY).stage(3)
    # The exception plan is the stage plan now...
    assert (stage.planned_end, stage.planned_cost_pence) == (date(2012, 4, 10), 1_215_000_00)
    assert stage.time.status == WITHIN and stage.cost.status == WITHIN
    # ...and the original baseline is kept for comparison.
    original, plan = stage.baselines
    assert (original.number, original.kind) == (1, "stage plan")
    assert (original.planned_end, original.planned_cost_pence) == (
        before.planned_end,
        before.planned_cost_pence,
    )
    assert (plan.number, plan.kind, plan.decision, plan.approved_on) == (
        2,
        "exception plan",
        approved.decision,
        TODAY,
    )
    decision = _decisions(demo_db, "ICS")[-1]
    assert decision.activity == "authorise a stage or exception plan"
    assert "Approved the exception plan in ER-002" in decision.summary
    assert exceptions.exceptions_for_board(demo_db, "ICS", TODAY) == []
    labels = [row.label for row in rows_for(stage_plan(demo_db, "ICS", TODAY))]
    assert labels.count("  original baseline") == 2  # Procurement and now Implementation
    again = {"planned end": "10/04/2012", "planned cost": "£1", "rationale": "x"}
    with pytest.raises(Conflict, match="already approved"):
        exceptions.approve_exception_plan(demo_db, "ICS", "ER-002", again, today=TODAY)
    document = render_markdown(exceptions.exception_report(demo_db, "ICS", "ER-002").document)
    assert "Decision (recorded after issue)" in document
    assert "Original baseline" in document and "19/09/2011 to 30/03/2012, £1,150,000" in document


def test_the_worked_example_has_the_procurement_exception_and_its_plan(demo_db):
    plan = stage_plan(demo_db, "ICS", TODAY)
    procurement = plan.stage(2)
    assert procurement.replanned
    original, exception_plan = procurement.baselines
    assert (original.planned_end, exception_plan.planned_end) == (
        date(2011, 9, 16),
        date(2011, 9, 30),
    )
    assert exception_plan.approved_on == date(2011, 9, 14)
    assert procurement.time.status == WITHIN  # measured against the exception plan
    [report] = procurement.reports
    assert (report.identifier, report.status, report.issued_on) == (
        "ER-001",
        "approved",
        date(2011, 9, 12),
    )
    with demo_db.read() as session:
        stored = session.exec(select(ExceptionReport).where(ExceptionReport.number == 1)).one()
        decision = session.get(Decision, stored.decision_id)
        baseline = session.get(StageBaseline, stored.exception_plan_id)
    assert decision.decision_date == date(2011, 9, 14) and decision.issue_id == stored.issue_id
    assert baseline.decision_id == decision.id
    text = render_markdown(Document.from_json(stored.issued_content))
    assert "standstill" in text and "Option 1" in text
    implementation = plan.stage(3)
    assert len(implementation.progress) == 5
    assert all("illustrative" in u.note for u in implementation.progress)
    assert [u.forecast_cost_pence for u in implementation.progress][-1] == (
        implementation.forecast_cost_pence
    )


# --------------------------------------------------------------------------- end stage


def test_an_end_stage_report_then_the_authorisation_to_proceed(demo_db):
    with pytest.raises(Conflict, match="the final stage"):
        end_stage.draft_end_stage_report(demo_db, "ICS", 4, today=TODAY)
    with pytest.raises(Conflict, match="is completed"):
        end_stage.draft_end_stage_report(demo_db, "ICS", 1, today=TODAY)
    drafted = end_stage.draft_end_stage_report(demo_db, "ICS", "Implementation", today=TODAY)
    view = end_stage.end_stage_report(demo_db, "ICS", drafted.identifier, today=TODAY)
    assert "started on 03/10/2011 (planned 19/09/2011)" in view.fields["manager_report"]
    assert "at risk: +9 days, 90% of the +10 days tolerance" in view.fields["manager_report"]
    assert "WP-06 (45%)" in view.fields["products_review"]
    assert "I-003 Migration tool" in view.fields["issues_and_risks"]
    assert "Next stage, Closure and transition: 02/04/2012 to 30/04/2012" in view.fields["forecast"]
    markdown = render_markdown(view.document)
    assert "| Time | end 30/03/2012 | end 08/04/2012 | +9 days |" in markdown
    with pytest.raises(ValidationError):
        end_stage.issue_end_stage_report(demo_db, "ICS", drafted.identifier, today=TODAY)
    finished = {k: v.replace(exceptions.TO_COMPLETE, "PM:") for k, v in view.fields.items()}
    version = end_stage.update_end_stage_report(demo_db, "ICS", drafted.identifier, finished,
                                                opened_version=view.version)  # fmt: skip
    end_stage.issue_end_stage_report(demo_db, "ICS", drafted.identifier, today=TODAY,
                                     opened_version=version)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        end_stage.authorise_next_stage(demo_db, "ICS", drafted.identifier,
                                       {"actual end": "02/03/2012"}, today=TODAY)  # fmt: skip
    assert "is after today" in caught.value.for_field("actual end")
    assert caught.value.for_field("actual cost") == "is required"
    result = end_stage.authorise_next_stage(
        demo_db,
        "ICS",
        drafted.identifier,
        {"actual end": "01/03/2012", "actual cost": "£1,190,000",
         "next planned start": "05/03/2012", "next planned end": "30/04/2012",
         "next planned cost": "£45,000", "rationale": "Go-live brought forward"},
        today=TODAY,
    )  # fmt: skip
    plan = stage_plan(demo_db, "ICS", TODAY)
    done, following = plan.stage(3), plan.stage(4)
    assert (done.status, done.actual_end, done.actual_cost_pence) == (
        "completed",
        TODAY,
        1_190_000_00,
    )
    assert done.progress[-1].percent_complete == 100 and done.progress[-1].as_at == TODAY
    assert (following.status, following.authorised_on) == ("authorised", TODAY)
    assert [b.kind for b in following.baselines] == ["stage plan", "stage plan"]
    assert following.original.planned_cost_pence == 40_000_00
    assert following.planned_cost_pence == 45_000_00
    decision = _decisions(demo_db, "ICS")[-1]
    assert decision.identifier == result.decision and decision.stage_id == following.id
    assert decision.activity == "authorise a stage or exception plan"
    assert plan.current_stage == "Closure and transition"
    report = end_stage.end_stage_report(demo_db, "ICS", drafted.identifier, today=TODAY)
    assert report.status == "approved"
    assert "Authorisation to proceed (recorded after issue)" in render_markdown(report.document)


# --------------------------------------------------------------------------- the database


def test_the_database_refuses_what_the_rules_forbid(demo_db):
    with demo_db.read() as session:
        stage = session.exec(select(Stage).where(Stage.name == "Implementation")).first()
        project_id, stage_id = stage.project_id, stage.id

    def refused(row) -> str:
        with pytest.raises(IntegrityError) as caught, demo_db.write() as session:
            session.add(row)
            session.flush()
        return str(caught.value.orig)

    assert "forecast_adds_up" in refused(
        StageProgress(project_id=project_id, stage_id=stage_id, as_at=TODAY,
                      actual_cost_pence=1, estimate_to_complete_pence=1, forecast_cost_pence=3,
                      forecast_end=TODAY, percent_complete=1)
    )  # fmt: skip
    assert "exception_plan_approved" in refused(
        StageBaseline(project_id=project_id, stage_id=stage_id, number=2, kind="exception plan")
    )
    assert "issued_is_frozen" in refused(
        ExceptionReport(project_id=project_id, number=9, identifier="ER-009", stage_id=stage_id,
                        title="x", drafted_on=TODAY, status="issued", issued_on=TODAY)
    )  # fmt: skip
    draft = dict(project_id=project_id, stage_id=stage_id, title="x", drafted_on=TODAY)
    with demo_db.write() as session:
        session.add(ExceptionReport(number=8, identifier="ER-008", **draft))
    message = refused(ExceptionReport(number=9, identifier="ER-009", **draft))
    assert "uq_exception_report_open_stage" in message or "UNIQUE" in message.upper()
    with demo_db.read() as session:  # a decision of another project cannot be pointed at
        other = session.exec(select(Decision).where(col(Decision.project_id) != project_id)).first()
    assert "foreign key" in refused(
        StageBaseline(project_id=project_id, stage_id=stage_id, number=3, kind="exception plan",
                      approved_on=TODAY, decision_id=other.id)
    ).lower()  # fmt: skip


# --------------------------------------------------------------------------- the command line


def _one_line(result, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_stages_list_on_the_command_line(demo_db, tmp_path):
    env = {"TRACKER_DB": demo_db.url}
    result = run_cli("stages", "list", "--project", "ICS", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["#"] for r in rows] == ["1", "2", "3", "4", ""]
    procurement, implementation, project = rows[1], rows[2], rows[-1]
    assert (procurement["Planned end"], procurement["Baseline end"]) == ("30/09/2011", "16/09/2011")
    assert implementation["Forecast end"] == "08/04/2012"
    assert (
        implementation["Forecast cost"] == "1205000" and implementation["Actual cost"] == "760000"
    )
    assert implementation["Time status"] == "at risk (90% of tolerance)"
    assert implementation["Cost status"] == "at risk (96% of tolerance)"
    assert implementation["RAG"] == "Amber" and implementation["Time variance (days)"] == "9"
    assert project["Stage"] == "Project" and project["Planned cost"] == "1300000"
    as_json = json.loads(
        run_cli("stages", "list", "--project", "ics", "-f", "json", env=env).stdout
    )
    assert as_json[2]["forecast_cost_pence"] == 120_500_000
    target = tmp_path / "stages.md"
    written = run_cli("stages", "list", "--project", "ICS", "-f", "markdown", "-o", str(target),
                      env=env)  # fmt: skip
    assert written.returncode == 0 and target.read_text().startswith("|   # | Stage")


def test_progress_from_the_command_line_until_the_project_is_red(demo_db):
    env = {"TRACKER_DB": demo_db.url}
    args = ["stages", "progress", "--project", "ICS", "--stage", "implementation"]
    amber = run_cli(*args, "--actual", "£770,000", "--at-completion", "£1,207,000",
                    "--forecast-end", "09/04/2012", "--percent", "71", env=env)  # fmt: skip
    assert amber.returncode == 0, amber.stderr
    assert "time at risk: +10 days, 100% of the +10 days tolerance" in amber.stdout
    assert "exception" not in amber.stdout
    red = run_cli(*args, "--actual", "£780,000", "--to-complete", "£435,000",
                  "--forecast-end", "10/04/2012", "--percent", "72",
                  "--note", "Attachments loader", env=env)  # fmt: skip
    assert red.returncode == 0, red.stderr
    assert "time and cost forecast beyond tolerance: an exception" in red.stdout
    portfolio = json.loads(run_cli("projects", "list", "-f", "json", env=env).stdout)
    assert next(p for p in portfolio if p["key"] == "ICS")["overall_rag"] == "red"
    history = run_cli("stages", "history", "--project", "ICS", "--stage", "3", "-f", "csv", env=env)
    rows = list(csv.DictReader(io.StringIO(history.stdout)))
    assert [r["As at"] for r in rows][-2:] == ["01/03/2012", "01/03/2012"]
    assert rows[-1]["Estimate to complete"] == "435000" and rows[-1]["Note"] == "Attachments loader"
    queue = json.loads(
        run_cli("stages", "exceptions", "--project", "ICS", "-f", "json", env=env).stdout
    )
    assert [q["stage"] for q in queue] == ["Implementation"]
    preview = run_cli("stages", "report", "--project", "ICS", "--stage", "3", env=env)
    assert preview.returncode == 0, preview.stderr
    assert "# Exception Report (preview, not saved)" in preview.stdout
    with demo_db.read() as session:  # printing a preview saved nothing
        assert session.exec(select(func.count()).select_from(ExceptionReport)).one() == 1


def _counts(db) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (StageProgress, Decision, ToleranceChange)
        )


BAD_COMMANDS = [
    (["stages", "progress", "--project", "ICS", "--stage", "3", "--actual", "lots",
      "--at-completion", "£1m", "--forecast-end", "08/04/2012", "--percent", "70"],
     1, ["actual cost to date: 'lots' is not an amount of money"]),
    (["stages", "progress", "--project", "ICS", "--stage", "3", "--actual", "£1", "--to-complete",
      "£1", "--forecast-end", "31/02/2012", "--percent", "140"],
     1, ["forecast end: '31/02/2012' is not a date", "per cent complete: 140%"]),
    (["stages", "progress", "--project", "ICS", "--stage", "4", "--actual", "£1", "--to-complete",
      "£1", "--forecast-end", "01/05/2012", "--percent", "1"], 1, ["not authorised"]),
    (["stages", "progress", "--project", "ICS", "--stage", "9"], 1, ["ICS has no stage '9'"]),
    (["stages", "progress", "--project", "ICS", "--stage", "3", "--actual", "£1",
      "--to-complete", "£1", "--forecast-end", "08/04/2012", "--percent", "70",
      "--if-version", "99"], 1, ["after you opened it"]),
    (["stages", "progress", "--project", "NOPE", "--stage", "3"], 1, ["no project with key"]),
    (["stages", "progress", "--stage", "3"], 2, ["--project"]),
    (["stages", "tolerance", "--project", "ICS", "--stage", "3", "--set", "cost plus=5%",
      "--set", "cost minus=£5", "--rationale", "r"], 1, ["both sides the same way"]),
    (["stages", "tolerance", "--project", "ICS", "--stage", "3", "--set", "time plus=10",
      "--rationale", "r"], 1, ["no tolerance changed"]),
    (["stages", "tolerance", "--project", "ICS", "--set", "colour=red", "--rationale", "r"],
     1, ["colour: is not a tolerance field"]),
    (["stages", "tolerance", "--project", "ICS", "--set", "nonsense", "--rationale", "r"],
     2, ["expected FIELD=VALUE"]),
    (["stages", "list", "--project", "ICS", "-f", "docx"], 2, ["unknown format 'docx'"]),
    (["stages", "report", "--project", "ICS", "--stage", "3"], 1, ["nothing in it is forecast"]),
    (["stages", "report", "ER-042", "--project", "ICS"], 1, ["ICS has no exception report ER-042"]),
    (["stages", "report", "--project", "ICS", "--stage", "3", "-f", "pdf"], 2, ["choose md"]),
    (["stages", "report", "--project", "ICS", "--stage", "4", "--kind", "end"], 1,
     ["the final stage"]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "fragments"), BAD_COMMANDS)
def test_bad_input_gets_one_line_and_writes_nothing(demo_db, args, code, fragments):
    before = _counts(demo_db)
    result = run_cli(*args, env={"TRACKER_DB": demo_db.url})
    _one_line(result, code, *fragments)
    assert _counts(demo_db) == before


def test_tolerance_and_report_commands(demo_db, tmp_path):
    env = {"TRACKER_DB": demo_db.url, "TRACKER_USER": "clerk"}
    result = run_cli("stages", "tolerance", "--project", "ICS", "--stage", "Implementation",
                     "--set", "time plus=15", "--decided", "29/02/2012",
                     "--rationale", "Easter cutover agreed", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "stage tolerances changed (time), recorded as decision D-0" in result.stdout
    listed = list(csv.DictReader(io.StringIO(
        run_cli("stages", "list", "--project", "ICS", "-f", "csv", env=env).stdout)))  # fmt: skip
    assert listed[2]["Time status"] == "within tolerance (60% of tolerance)"
    trail = run_cli("audit", "--project", "ICS", "--since", "01/01/2020", "-f", "csv", env=env)
    changes = [r for r in csv.DictReader(io.StringIO(trail.stdout)) if r["Table"] == "tolerance"]
    assert {(r["Field"], r["Old"], r["New"], r["Who"]) for r in changes} >= {
        ("plus", "10", "15", "clerk")
    }
    target = tmp_path / "er-001.md"
    printed = run_cli("stages", "report", "ER-001", "--project", "ICS", "-o", str(target), env=env)
    assert printed.returncode == 0, printed.stderr
    text = target.read_text()
    assert text.startswith("**OFFICIAL**") and "# Exception Report ER-001" in text
    assert "contract signature moved beyond the time tolerance" in text
    end = run_cli("stages", "report", "--project", "ICS", "--stage", "3", "--kind", "end", env=env)
    assert end.returncode == 0 and "# End Stage Report (preview, not saved)" in end.stdout


def test_the_headless_parts_do_not_load_textual():
    modules = [
        "tracker.domain.finance",
        "tracker.services.progress",
        "tracker.services.tolerances",
        "tracker.services.exceptions",
        "tracker.services.end_stage",
        "tracker.services.finance",
        "tracker.services.stage_plan",
        "tracker.services.stage_reports",
        "tracker.reports.exception_report",
        "tracker.reports.end_stage_report",
        "tracker.cli.stages",
    ]
    code = f"import sys, {', '.join(modules)}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
