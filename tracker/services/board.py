"""Board meetings, decisions and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.engine import Database
from db.models import (
    Action,
    BoardMeeting,
    Decision,
    EndStageReport,
    ExceptionReport,
    HighlightReport,
    Issue,
    MeetingAttendance,
    Person,
    Project,
    Stage,
    ToleranceAspect,
    ToleranceChange,
)
from tracker.domain.clock import today as clock_today
from tracker.domain.dates import format_date
from tracker.services.projects import project_by_key


@dataclass(frozen=True)
class MeetingRow:
    meeting_date: date
    kind: str
    title: str
    status: str
    present: int
    apologies: int
    decisions: int
    actions: int
    next_meeting_date: date | None


@dataclass(frozen=True)
class ActionRow:
    identifier: str
    description: str
    owner: str
    due_date: date | None
    status: str
    overdue: bool
    meeting_date: date | None = None
    completed_on: date | None = None
    version: int = 1


@dataclass(frozen=True)
class DecisionRow:
    """One entry of the decision log."""

    identifier: str
    decision_date: date
    activity: str
    summary: str
    rationale: str
    meeting: str  # "ICS project board, 14/03/2012", or "" for a decision outside a meeting
    prompted_by: str  # "I-003", "highlight report 6", "ER-001", "ES-002", or ""
    stage: str
    tolerances: str  # the tolerances it set, e.g. "stage time +15 days / -10 days"


def list_meetings(db: Database, key: str) -> list[MeetingRow]:
    with db.read() as session:
        project = project_by_key(session, key)
        meetings = session.exec(
            select(BoardMeeting)
            .where(BoardMeeting.project_id == project.id)
            .order_by(col(BoardMeeting.meeting_date).desc())
        ).all()
        ids = [m.id for m in meetings]

        def counts(model, condition=True):
            rows = session.exec(
                select(model.meeting_id, func.count())
                .where(col(model.meeting_id).in_(ids))
                .where(condition)
                .group_by(model.meeting_id)
            )
            return dict(rows.all())

        present = counts(MeetingAttendance, MeetingAttendance.attendance == "present")
        apologies = counts(MeetingAttendance, MeetingAttendance.attendance == "apologies")
        decisions, actions = counts(Decision), counts(Action)
        return [
            MeetingRow(
                m.meeting_date,
                m.kind,
                m.title,
                m.status,
                present.get(m.id, 0),
                apologies.get(m.id, 0),
                decisions.get(m.id, 0),
                actions.get(m.id, 0),
                m.next_meeting_date,
            )
            for m in meetings
        ]


def action_rows(
    session: Session,
    project: Project,
    today: date,
    *,
    meeting_id: int | None = None,
    open_only: bool = False,
) -> list[ActionRow]:
    """A project's actions in the order they were given (one meeting's with ``meeting_id``);
    an open action past its due date is overdue."""
    query = (
        select(Action, Person.name, BoardMeeting.meeting_date)
        .join(Person, Person.id == Action.owner_id, isouter=True)
        .join(BoardMeeting, BoardMeeting.id == Action.meeting_id, isouter=True)
        .where(Action.project_id == project.id)
        .order_by(Action.number)
    )
    if meeting_id is not None:
        query = query.where(Action.meeting_id == meeting_id)
    if open_only:
        query = query.where(Action.status == "open")
    return [
        ActionRow(
            a.identifier,
            a.description,
            owner or "",
            a.due_date,
            a.status,
            a.status == "open" and a.due_date is not None and a.due_date < today,
            held,
            a.completed_on,
            a.version,
        )
        for a, owner, held in session.exec(query).all()
    ]


def list_actions(db: Database, key: str, today: date | None = None) -> list[ActionRow]:
    """The action log."""
    today = today or clock_today()
    with db.read() as session:
        return action_rows(session, project_by_key(session, key), today)


def overdue_actions(session: Session, today: date) -> dict[int, int]:
    """Project id -> how many of its actions are open past their due date."""
    rows = session.exec(
        select(Action.project_id, func.count())
        .where(Action.status == "open", Action.due_date < today)
        .group_by(Action.project_id)
    )
    return dict(rows.all())


def decision_rows(
    session: Session, project: Project, *, meeting_id: int | None = None
) -> list[DecisionRow]:
    """The decision log (one meeting's with ``meeting_id``): each decision with the meeting, the
    report or issue that prompted it and the tolerances it set."""
    query = (
        select(Decision, BoardMeeting, Stage.name, Issue.identifier, HighlightReport.number)
        .join(BoardMeeting, BoardMeeting.id == Decision.meeting_id, isouter=True)
        .join(Stage, Stage.id == Decision.stage_id, isouter=True)
        .join(Issue, Issue.id == Decision.issue_id, isouter=True)
        .join(HighlightReport, HighlightReport.id == Decision.highlight_report_id, isouter=True)
        .where(Decision.project_id == project.id)
        .order_by(Decision.number)
    )
    if meeting_id is not None:
        query = query.where(Decision.meeting_id == meeting_id)
    rows = session.exec(query).all()
    ids = [d.id for d, *_ in rows]
    reports: dict[int, str] = {}
    for model in (ExceptionReport, EndStageReport):
        for decision_id, identifier in session.exec(
            select(model.decision_id, model.identifier).where(col(model.decision_id).in_(ids))
        ).all():
            reports[decision_id] = identifier
    tolerances: dict[int, list[str]] = {}
    for change, aspect in session.exec(
        select(ToleranceChange, ToleranceAspect.name)
        .join(ToleranceAspect, ToleranceAspect.id == ToleranceChange.aspect_id)
        .where(col(ToleranceChange.decision_id).in_(ids))
        .order_by(ToleranceChange.id)
    ).all():
        from tracker.services.stages import bounds_text

        level = "stage" if change.stage_id else "project"
        setting = (
            bounds_text(change.new_plus, change.new_minus, change.new_unit)
            or change.new_description
        )
        tolerances.setdefault(change.decision_id, []).append(f"{level} {aspect} {setting}")
    found = []
    for decision, meeting, stage, issue, report_number in rows:
        prompted = [
            p
            for p in (
                issue or "",
                f"highlight report {report_number}" if report_number else "",
                reports.get(decision.id, ""),
            )
            if p
        ]
        found.append(
            DecisionRow(
                decision.identifier,
                decision.decision_date,
                decision.activity,
                decision.summary,
                decision.rationale,
                f"{meeting.title or meeting.kind}, {format_date(meeting.meeting_date)}"
                if meeting
                else "",
                ", ".join(prompted),
                stage or "",
                "; ".join(tolerances.get(decision.id, [])),
            )
        )
    return found


def decision_log(db: Database, key: str) -> list[DecisionRow]:
    with db.read() as session:
        return decision_rows(session, project_by_key(session, key))
