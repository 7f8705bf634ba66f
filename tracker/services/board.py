"""Board meetings, decisions and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from db.engine import Database
from db.models import Action, BoardMeeting, Decision, MeetingAttendance, Person
from tracker.domain.clock import today as clock_today
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


def list_actions(db: Database, key: str, today: date | None = None) -> list[ActionRow]:
    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        rows = session.exec(
            select(Action, Person.name)
            .join(Person, Person.id == Action.owner_id, isouter=True)
            .where(Action.project_id == project.id)
            .order_by(Action.number)
        ).all()
        return [
            ActionRow(
                a.identifier,
                a.description,
                owner or "",
                a.due_date,
                a.status,
                a.status == "open" and a.due_date is not None and a.due_date < today,
            )
            for a, owner in rows
        ]
