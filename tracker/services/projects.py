"""Projects and the portfolio: creating a project, the home screen's table, a project's overview."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.engine import Database
from db.models import (
    BoardMeeting,
    HighlightReport,
    Issue,
    Person,
    Programme,
    Project,
    ReportingSchedule,
    Risk,
    RoleAssignment,
    Stage,
)
from tracker.domain.calendar import next_due
from tracker.domain.clock import today as clock_today
from tracker.domain.dates import parse_optional_date
from tracker.domain.money import parse_optional_money
from tracker.domain.profiles import DEFAULT_PROFILE, profile_named
from tracker.domain.scoring import score_rag
from tracker.domain.validation import InvalidValue, Problems, optional_text, required_text
from tracker.errors import Conflict, NotFound
from tracker.services.configuration import apply_profile
from tracker.services.status import ProjectStatus, current_stage, project_status

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]{1,11}$")
OPEN_ISSUE = col(Issue.status) != "closed"
OPEN_RISK = col(Risk.status) != "closed"


def parse_key(value: str | None) -> str:
    key = required_text(value).upper()
    if not KEY_PATTERN.match(key):
        raise InvalidValue(
            f"{key!r} must be 2 to 12 letters, digits or hyphens, starting with a letter (e.g. ICS)"
        )
    return key


@dataclass(frozen=True)
class ProjectInput:
    key: str
    name: str
    organisation: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    budget_pence: int | None = None
    profile: str = DEFAULT_PROFILE


def parse_project_input(
    *,
    key: str | None,
    name: str | None,
    organisation: str | None = None,
    start: str | None = None,
    end: str | None = None,
    budget: str | None = None,
    profile: str | None = None,
) -> ProjectInput:
    """Validate a new project as typed in a form or on the command line."""
    problems = Problems()
    parsed_key = problems.take("key", parse_key, key)
    parsed_name = problems.take("name", required_text, name, max_length=200)
    planned_start = problems.take("start", parse_optional_date, start)
    planned_end = problems.take("end", parse_optional_date, end)
    budget_pence = problems.take("budget", parse_optional_money, budget)
    chosen = problems.take("profile", profile_named, profile)
    if planned_start and planned_end and planned_end < planned_start:
        problems.add("end", f"{planned_end:%d/%m/%Y} is before the start {planned_start:%d/%m/%Y}")
    problems.check()
    return ProjectInput(
        key=parsed_key,
        name=parsed_name,
        organisation=optional_text(organisation),
        planned_start=planned_start,
        planned_end=planned_end,
        budget_pence=budget_pence,
        profile=chosen.name,
    )


def create_project(session: Session, data: ProjectInput, **extra) -> Project:
    """Create a project with its vocabularies and a monthly highlight report schedule."""
    if session.exec(select(Project.id).where(Project.key == data.key)).first() is not None:
        raise Conflict(f"project {data.key} already exists")
    project = Project(
        key=data.key,
        name=data.name,
        organisation=data.organisation,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        budget_pence=data.budget_pence,
        profile=data.profile,
        **extra,
    )
    session.add(project)
    session.flush()
    apply_profile(session, project.id, profile_named(data.profile))
    return project


def add_project(db: Database, data: ProjectInput, *, actor: str | None = None) -> str:
    with db.write(actor) as session:
        project = create_project(session, data)
        first_due = (data.planned_start or clock_today()) + relativedelta(months=1)
        session.add(
            ReportingSchedule(
                project_id=project.id,
                report="highlight report",
                audience="Project board",
                frequency="monthly",
                first_due=first_due,
            )
        )
        return project.key


def project_by_key(session: Session, key: str) -> Project:
    project = session.exec(select(Project).where(Project.key == key.strip().upper())).first()
    if project is None:
        raise NotFound(f"no project with key {key.strip().upper()!r}")
    return project


# --------------------------------------------------------------------------- portfolio


@dataclass(frozen=True)
class PortfolioRow:
    key: str
    name: str
    organisation: str
    programme: str
    status: str
    current_stage: str
    overall_rag: str | None
    exceptions: tuple[str, ...]
    open_risks: int
    open_issues: int
    next_board: date | None
    next_highlight_due: date | None
    highlight_overdue: bool
    budget_pence: int | None
    overdue_actions: int = 0


def _counts(session: Session, model, condition) -> dict[int, int]:
    rows = session.exec(
        select(model.project_id, func.count()).where(condition).group_by(model.project_id)
    )
    return dict(rows.all())


def _next_board(session: Session, project_id: int, today: date) -> date | None:
    upcoming = session.exec(
        select(func.min(BoardMeeting.meeting_date)).where(
            BoardMeeting.project_id == project_id,
            BoardMeeting.meeting_date >= today,
            BoardMeeting.status == "scheduled",
        )
    ).first()
    if upcoming:
        return upcoming
    return session.exec(
        select(BoardMeeting.next_meeting_date)
        .where(
            BoardMeeting.project_id == project_id,
            BoardMeeting.kind == "project board",
            BoardMeeting.status == "held",
        )
        .order_by(col(BoardMeeting.meeting_date).desc())
    ).first()


def next_highlight_due(session: Session, project_id: int) -> date | None:
    """The due date after the one the last issued highlight report answered (the first due date
    after the end of its period), whenever it was actually sent."""
    schedule = session.exec(
        select(ReportingSchedule).where(
            ReportingSchedule.project_id == project_id,
            ReportingSchedule.report == "highlight report",
        )
    ).first()
    if schedule is None:
        return None
    last_period_end = session.exec(
        select(func.max(HighlightReport.period_end)).where(
            HighlightReport.project_id == project_id, HighlightReport.status != "draft"
        )
    ).first()
    if last_period_end is None:
        return schedule.first_due
    answered = next_due(schedule.first_due, schedule.frequency, last_period_end + timedelta(days=1))
    return next_due(schedule.first_due, schedule.frequency, answered + timedelta(days=1))


def list_portfolio(db: Database, today: date | None = None) -> list[PortfolioRow]:
    today = today or clock_today()
    with db.read() as session:
        risks = _counts(session, Risk, OPEN_RISK)
        issues = _counts(session, Issue, OPEN_ISSUE)
        programmes = {p.id: p.key for p in session.exec(select(Programme))}
        from tracker.services.board import overdue_actions

        overdue = overdue_actions(session, today)
        rows = []
        for project in session.exec(select(Project).order_by(Project.key)):
            status = project_status(session, project, today)
            stage = status.current_stage
            due = next_highlight_due(session, project.id) if project.status != "closed" else None
            rows.append(
                PortfolioRow(
                    key=project.key,
                    name=project.name,
                    organisation=project.organisation,
                    programme=programmes.get(project.programme_id, ""),
                    status=project.status,
                    current_stage=stage.name if stage else "",
                    overall_rag=status.overall_rag,
                    exceptions=tuple(status.exceptions),
                    open_risks=risks.get(project.id, 0),
                    open_issues=issues.get(project.id, 0),
                    next_board=_next_board(session, project.id, today)
                    if project.status != "closed"
                    else None,
                    next_highlight_due=due,
                    highlight_overdue=due is not None and due < today,
                    budget_pence=project.budget_pence,
                    overdue_actions=overdue.get(project.id, 0),
                )
            )
        return rows


def project_keys(db: Database) -> list[tuple[str, str]]:
    """(key, name) of every project, for pickers and the command palette."""
    with db.read() as session:
        return [(p.key, p.name) for p in session.exec(select(Project).order_by(Project.key))]


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class BoardMember:
    role: str
    name: str
    job_title: str
    description: str
    deputy: bool


@dataclass(frozen=True)
class StageLine:
    sequence: int
    name: str
    kind: str
    status: str
    planned_start: date | None
    planned_end: date | None
    planned_cost_pence: int | None
    actual_start: date | None
    actual_end: date | None
    actual_cost_pence: int | None
    forecast_end: date | None
    forecast_cost_pence: int | None
    percent_complete: int
    rag: str | None


@dataclass(frozen=True)
class RiskLine:
    identifier: str
    title: str
    kind: str
    probability: int
    impact: int
    score: int
    rag: str | None
    owner: str
    proximity: date | None
    status: str


@dataclass(frozen=True)
class ProjectOverview:
    key: str
    name: str
    organisation: str
    status: str
    profile: str
    objectives: str
    business_case: str
    budget_pence: int | None
    planned_start: date | None
    planned_end: date | None
    notes: str
    board: tuple[BoardMember, ...]
    stages: tuple[StageLine, ...]
    top_risks: tuple[RiskLine, ...]
    tolerance: ProjectStatus
    current_stage: str


ROLE_ORDER = {
    "executive": 0,
    "senior user": 1,
    "senior supplier": 2,
    "project assurance": 3,
    "change authority": 4,
    "project manager": 5,
    "team manager": 6,
    "project support": 7,
    "team member": 8,
}


def project_overview(
    db: Database, key: str, today: date | None = None, top: int = 5
) -> ProjectOverview:
    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        board_rows = session.exec(
            select(RoleAssignment, Person)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.project_id == project.id,
                RoleAssignment.role != "team member",
                col(RoleAssignment.end_date).is_(None),
            )
        ).all()
        board = sorted(
            (
                BoardMember(a.role, p.name, p.job_title, a.description, a.deputy_for_id is not None)
                for a, p in board_rows
            ),
            key=lambda m: (ROLE_ORDER[m.role], m.deputy, m.name),
        )
        status = project_status(session, project, today)
        rag_by_stage = {s.stage_id: s.rag for s in status.stages}
        stages = list(
            session.exec(
                select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence)
            )
        )
        stage_lines = tuple(
            StageLine(
                s.sequence,
                s.name,
                s.kind,
                s.status,
                s.planned_start,
                s.planned_end,
                s.planned_cost_pence,
                s.actual_start,
                s.actual_end,
                s.actual_cost_pence,
                s.forecast_end,
                s.forecast_cost_pence,
                s.percent_complete,
                rag_by_stage.get(s.id),
            )
            for s in stages
        )
        current_score = func.coalesce(Risk.residual_score, Risk.inherent_score)
        risk_rows = session.exec(
            select(Risk, Person.name)
            .join(Person, Person.id == Risk.owner_id, isouter=True)
            .where(Risk.project_id == project.id, Risk.status == "active")
            .order_by(current_score.desc(), Risk.number)
            .limit(top)
        ).all()
        top_risks = tuple(
            RiskLine(
                r.identifier,
                r.title,
                r.kind,
                r.residual_probability or r.inherent_probability,
                r.residual_impact or r.inherent_impact,
                r.residual_score or r.inherent_score,
                score_rag(
                    r.residual_score or r.inherent_score,
                    project.rag_green_max,
                    project.rag_amber_max,
                ),
                owner or "",
                r.proximity_date,
                r.status,
            )
            for r, owner in risk_rows
        )
        stage = current_stage(stages)
        return ProjectOverview(
            key=project.key,
            name=project.name,
            organisation=project.organisation,
            status=project.status,
            profile=project.profile,
            objectives=project.objectives,
            business_case=project.business_case,
            budget_pence=project.budget_pence,
            planned_start=project.planned_start,
            planned_end=project.planned_end,
            notes=project.notes,
            board=tuple(board),
            stages=stage_lines,
            top_risks=top_risks,
            tolerance=status,
            current_stage=stage.name if stage else "",
        )
