"""Scale generator: a realistic council portfolio of any size, built through tracker's own services.

    python -m benchmarks.generate --db FILE --projects P --risks R --issues I [--seed N]

``--risks`` and ``--issues`` are per project. The same seed gives the same portfolio. Text is
plausible council prose of realistic length; dates spread over several years; a tenth of the
risks are edited afterwards so the audit trail (the register's history) has rows; each project
gets monthly highlight reports and board meetings with decisions and actions.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from db.engine import Database, open_database
from db.models import (
    Action,
    BoardMeeting,
    Decision,
    HighlightReport,
    HighlightReportRating,
    MeetingAttendance,
    Person,
    Risk,
    RoleAssignment,
    Stage,
    Tolerance,
)
from tracker.services.configuration import load_vocabulary
from tracker.services.issues import IssueInput, create_issue
from tracker.services.projects import ProjectInput, create_project
from tracker.services.risks import RiskInput, create_risk

BATCH = 2000

SUBJECTS = [
    "the case management system",
    "data migration from the legacy system",
    "the implementation partner",
    "the OJEU procurement",
    "social work teams",
    "the interface with the finance system",
    "the training programme",
    "the business change team",
    "the hosting contract",
    "the data warehouse",
    "the adult social care module",
    "the records retention schedule",
    "the citizen portal",
    "the payments module",
    "the ICT shared service",
    "the information governance board",
]
CAUSES = [
    "Because {s} depends on staff who are also needed for front-line work,",
    "As {s} has not been tested with a full year of live data,",
    "Owing to the tight timetable set after the inspection,",
    "Because the supplier's resourcing plan for {s} is not yet confirmed,",
    "Given that budgets for 2012/13 are still to be agreed by Council,",
    "Since the council's requirements for {s} changed after the Munro Review,",
    "As the existing system is out of support from the end of the financial year,",
]
EVENTS = [
    "there is a risk that {s} is delivered later than the stage plan allows",
    "{s} may not meet the quality criteria agreed by the Senior User",
    "the cost of {s} may exceed the provision in the capital programme",
    "key staff may leave or be redeployed before {s} is complete",
    "{s} may fail acceptance testing and need rework",
    "the council may be unable to evidence progress on {s} to inspectors",
]
EFFECTS = [
    "which would delay go-live and use most of the stage time tolerance.",
    "leading to additional costs that would have to be met from the risk budget.",
    "so that social workers keep relying on manual workarounds, affecting case records.",
    "which would damage the council's reputation and could attract a limiting judgement.",
    "meaning benefits in the business case would be realised later than planned.",
]
RESPONSES = [
    "Weekly checkpoint with the supplier; contingency of two weeks held in the stage plan.",
    "Backfill posts funded from the risk budget; training delivered in short sessions.",
    "Escalate to the project board if slippage exceeds five working days.",
    "Agree fixed-price variation with the implementation partner before work starts.",
    "Run a second trial migration and reconcile record counts with the service.",
]
ISSUE_TITLES = [
    "Change to the assessment form layout",
    "Interface file rejected by the finance system",
    "Trainers not available for the east locality",
    "Report on timeliness of assessments missing",
    "Additional licences needed for agency staff",
    "Address data fails validation on import",
]
TITLE_ENDINGS = ["delay", "overspend", "quality shortfall", "capacity", "adoption", "savings"]
PEOPLE = [
    "Helen Marsh",
    "Gareth Lloyd",
    "Sarah Whitcombe",
    "Daniel Cross",
    "Joanne Pike",
    "Claire Boyd",
    "Mark Felton",
    "Nadia Qureshi",
    "Richard Ellison",
    "Amira Patel",
    "Tom Hughes",
    "Fiona Grant",
]


def _sentence(rng: random.Random, templates: list[str]) -> str:
    return rng.choice(templates).format(s=rng.choice(SUBJECTS))


def _risk_input(
    rng: random.Random, vocabulary, people: list[int], start: date, span_days: int
) -> RiskInput:
    kind = "opportunity" if rng.random() < 0.1 else "threat"
    responses = [rid for (k, _), rid in vocabulary.responses.items() if k == kind]
    p, i = rng.randint(1, 5), rng.randint(1, 5)
    has_residual = rng.random() < 0.7
    rp, ri = (
        (max(1, p - rng.randint(0, 2)), max(1, i - rng.randint(0, 1)))
        if has_residual
        else (None, None)
    )
    registered = start + timedelta(days=rng.randrange(span_days))
    subject = rng.choice(SUBJECTS)
    cost = rng.choice([None, None, rng.randrange(5_000, 400_000) * 100])
    return RiskInput(
        kind=kind,
        title=f"{subject.capitalize()}: {rng.choice(TITLE_ENDINGS)}",
        cause=_sentence(rng, CAUSES),
        event=_sentence(rng, EVENTS),
        effect=rng.choice(EFFECTS),
        category_id=rng.choice(list(vocabulary.categories.values())),
        author_id=rng.choice(people),
        date_registered=registered,
        inherent_probability=p,
        inherent_impact=i,
        inherent_cost_impact_pence=cost,
        residual_probability=rp,
        residual_impact=ri,
        residual_cost_impact_pence=cost // 2 if cost and has_residual else None,
        proximity_date=registered + timedelta(days=rng.randrange(15, 400))
        if rng.random() < 0.6
        else None,
        proximity_band=rng.choice(["imminent", "within stage", "within project", "beyond project"]),
        response_category_id=rng.choice(responses),
        response=rng.choice(RESPONSES),
        early_warning_indicators="Checkpoint reports show slippage of more than five days.",
        status="active",
        owner_id=rng.choice(people),
        actionee_ids=(rng.choice(people),),
        closed_on=None,
        closure_reason="",
        notes="",
    )


def _people(session, project_id: int, organisation: str) -> list[int]:
    ids = []
    roles = ["executive", "senior user", "senior supplier", "project manager"]
    for n, name in enumerate(PEOPLE):
        person = session.exec(
            select(Person).where(Person.name == name, Person.organisation == organisation)
        ).first()
        if person is None:
            person = Person(name=name, organisation=organisation, job_title="Officer")
            session.add(person)
            session.flush()
        session.add(
            RoleAssignment(
                project_id=project_id,
                person_id=person.id,
                role=roles[n] if n < len(roles) else "team member",
            )
        )
        ids.append(person.id)
    session.flush()
    return ids


def _stages(session, project_id: int, aspects, start: date) -> list[int]:
    ids = []
    names = [
        ("Initiation", "initiation"),
        ("Procurement", "delivery"),
        ("Implementation", "delivery"),
        ("Closure", "final"),
    ]
    cursor = start
    for seq, (name, kind) in enumerate(names, start=1):
        length = 60 if kind != "delivery" else 240
        end = cursor + timedelta(days=length)
        planned = 50_000_00 if kind != "delivery" else 600_000_00
        stage = Stage(
            project_id=project_id,
            sequence=seq,
            name=name,
            kind=kind,
            status="completed" if seq <= 2 else ("in progress" if seq == 3 else "planned"),
            planned_start=cursor,
            planned_end=end,
            planned_cost_pence=planned,
            actual_end=end if seq <= 2 else None,
            actual_cost_pence=planned if seq <= 2 else planned // 2,
            forecast_end=end + timedelta(days=5) if seq == 3 else None,
            forecast_cost_pence=planned + 20_000_00 if seq == 3 else None,
            percent_complete=100 if seq <= 2 else (55 if seq == 3 else 0),
        )
        session.add(stage)
        session.flush()
        session.add(
            Tolerance(
                project_id=project_id,
                stage_id=stage.id,
                aspect_id=aspects["time"][0],
                plus=10,
                minus=10,
                unit="days",
            )
        )
        session.add(
            Tolerance(
                project_id=project_id,
                stage_id=stage.id,
                aspect_id=aspects["cost"][0],
                plus=500,
                minus=500,
                unit="basis_points",
            )
        )
        ids.append(stage.id)
        cursor = end + timedelta(days=1)
    session.flush()
    return ids


def _reports_and_meetings(
    session,
    project_id: int,
    stage_id: int,
    people: list[int],
    start: date,
    months: int,
    rng: random.Random,
) -> None:
    for n in range(months):
        first = (start.replace(day=1) + timedelta(days=32 * n)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        report = HighlightReport(
            project_id=project_id,
            number=n + 1,
            stage_id=stage_id,
            period_start=first,
            period_end=last,
            report_date=last + timedelta(days=5),
            author_id=people[3],
            status="issued",
            issued_at=datetime.combine(last + timedelta(days=5), datetime.min.time(), tzinfo=UTC),
            status_summary="The stage is progressing broadly to plan. " * 3,
            work_completed="- Configuration workshops held\n- Trial migration completed",
            work_planned="- User acceptance testing\n- Training for team managers",
        )
        session.add(report)
        session.flush()
        for aspect in ("overall", "time", "cost", "scope", "quality", "benefits", "risk"):
            session.add(
                HighlightReportRating(
                    report_id=report.id, aspect=aspect, rag=rng.choice(["green", "green", "amber"])
                )
            )
        meeting = BoardMeeting(
            project_id=project_id,
            title="Project board",
            meeting_date=last + timedelta(days=12),
            status="held",
            next_meeting_date=last + timedelta(days=40),
        )
        session.add(meeting)
        session.flush()
        for person_id in people[:4]:
            session.add(MeetingAttendance(meeting_id=meeting.id, person_id=person_id))
        session.add(
            Decision(
                project_id=project_id,
                number=n + 1,
                identifier=f"D-{n + 1:03d}",
                meeting_id=meeting.id,
                decision_date=meeting.meeting_date,
                activity="give ad hoc direction",
                summary="The board noted the highlight report.",
                highlight_report_id=report.id,
            )
        )
        session.add(
            Action(
                project_id=project_id,
                number=n + 1,
                identifier=f"A-{n + 1:03d}",
                meeting_id=meeting.id,
                description="Circulate the revised stage plan.",
                owner_id=people[3],
                due_date=meeting.meeting_date + timedelta(days=14),
                status="done" if n < months - 1 else "open",
                completed_on=meeting.meeting_date + timedelta(days=10) if n < months - 1 else None,
            )
        )
    session.flush()


def generate(
    db: Database,
    *,
    projects: int = 1,
    risks: int = 1000,
    issues: int = 100,
    seed: int = 1,
    progress: bool = False,
) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"projects": 0, "risks": 0, "issues": 0, "risk edits": 0}
    for p in range(projects):
        key = f"GEN{p + 1:03d}"
        start = date(2009, 4, 1) + timedelta(days=rng.randrange(0, 900))
        span = 365 * 3
        with db.write(actor="benchmarks.generate") as session:
            project = create_project(
                session,
                ProjectInput(
                    key=key,
                    name=f"Generated council ICT project {p + 1}",
                    organisation="Generated Borough Council",
                    planned_start=start,
                    planned_end=start + timedelta(days=span),
                    budget_pence=2_000_000_00,
                ),
            )
            project.status = "in progress"
            project_id = project.id
            vocabulary = load_vocabulary(session, project_id)
            people = _people(session, project_id, "Generated Borough Council")
            stages = _stages(session, project_id, vocabulary.aspects, start)
            _reports_and_meetings(session, project_id, stages[2], people, start, 12, rng)
        counts["projects"] += 1
        made = 0
        while made < risks:
            with db.write(actor="benchmarks.generate") as session:
                project = session.get(type(project), project_id)
                for _ in range(min(BATCH, risks - made)):
                    create_risk(
                        session,
                        project,
                        _risk_input(rng, vocabulary, people, start, span),
                        number=made + 1,
                    )
                    made += 1
            if progress:
                print(f"  {key}: {made} risks", file=sys.stderr)
        counts["risks"] += made
        with db.write(actor="benchmarks.generate") as session:
            project = session.get(type(project), project_id)
            type_ids = list(vocabulary.issue_types.values())
            for n in range(issues):
                raised = start + timedelta(days=rng.randrange(span))
                create_issue(
                    session,
                    project,
                    IssueInput(
                        issue_type_id=rng.choice(type_ids),
                        title=rng.choice(ISSUE_TITLES),
                        description=_sentence(rng, CAUSES) + " " + _sentence(rng, EVENTS) + ".",
                        date_raised=raised,
                        raised_by_id=rng.choice(people),
                        author_id=people[3],
                        owner_id=rng.choice(people),
                        priority=rng.randint(1, 5),
                        severity=rng.randint(1, 5),
                        status=rng.choice(["raised", "examined", "options proposed", "closed"]),
                        has_issue_report=False,
                        impact_time="",
                        impact_cost="",
                        impact_quality="",
                        impact_scope="",
                        impact_benefits="",
                        impact_risk="",
                        cost_of_change_pence=None,
                        options="",
                        recommendation="",
                        decision=None,
                        decision_by_id=None,
                        decided_by_authority=None,
                        decision_date=None,
                        decision_rationale="",
                        closure_date=raised + timedelta(days=30),
                        notes="",
                    ),
                )
                if (n + 1) % BATCH == 0:
                    session.flush()
        counts["issues"] += issues
        edits = risks // 10
        with db.write(actor="benchmarks.generate") as session:
            chosen = sorted(rng.sample(range(1, risks + 1), edits)) if edits else []
            for start_at in range(0, len(chosen), 500):
                numbers = chosen[start_at : start_at + 500]
                for risk in session.exec(
                    select(Risk).where(Risk.project_id == project_id, Risk.number.in_(numbers))
                ):
                    if rng.random() < 0.3:
                        risk.status, risk.closed_on, risk.closure_reason = (
                            "closed",
                            risk.date_registered + timedelta(days=200),
                            "Risk has passed.",
                        )
                    else:
                        risk.residual_probability = rng.randint(1, 5)
                        risk.residual_impact = rng.randint(1, 5)
                session.flush()
        counts["risk edits"] += edits
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--db", required=True, help="database file to create (must not exist)")
    parser.add_argument("--projects", type=int, default=1)
    parser.add_argument("--risks", type=int, default=1000, help="risks per project")
    parser.add_argument("--issues", type=int, default=100, help="issues per project")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = Path(args.db)
    if path.exists():
        parser.error(f"{path} already exists; the generator only builds new databases")
    started = time.perf_counter()
    db = open_database(str(path))
    counts = generate(
        db,
        projects=args.projects,
        risks=args.risks,
        issues=args.issues,
        seed=args.seed,
        progress=True,
    )
    db.dispose()
    print(
        f"Built {path} in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
