"""The programme board's view: one meeting reviewing several projects (e.g. the Modernisation
and Improvement Programme Board), each with its RAG, current stage, tolerance status, exceptions
and the decisions it needs, ordered by what needs the board most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from db.models import BoardMeeting, EndStageReport, ExceptionReport, Programme, Project
from tracker.errors import NotFound

RAG_WEIGHT = {"red": 3, "amber": 2, "green": 1}


@dataclass(frozen=True)
class ProgrammeProject:
    key: str
    name: str
    status: str
    rag: str | None
    stage: str
    time: str  # the current stage's time status in words
    cost: str
    exceptions: tuple[str, ...]
    issues_for_board: int
    reports_awaiting: tuple[str, ...]  # issued exception and end stage reports
    overdue_actions: int
    next_board: date | None

    @property
    def decisions_needed(self) -> int:
        return self.issues_for_board + len(self.reports_awaiting)

    @property
    def needs(self) -> str:
        parts = []
        if self.exceptions:
            parts.append("exception: " + ", ".join(self.exceptions))
        if self.reports_awaiting:
            parts.append("decide " + ", ".join(self.reports_awaiting))
        if self.issues_for_board:
            n = self.issues_for_board
            parts.append(f"{n} issue{'s' if n != 1 else ''} to decide")
        if self.overdue_actions:
            n = self.overdue_actions
            parts.append(f"{n} overdue action{'s' if n != 1 else ''}")
        return "; ".join(parts) or "nothing: for noting"

    @property
    def urgency(self) -> tuple:
        """Sort key: exceptions first, then decisions needed, then RAG, then overdue actions."""
        return (
            -len(self.exceptions),
            -self.decisions_needed,
            -RAG_WEIGHT.get(self.rag or "", 0),
            -self.overdue_actions,
            self.key,
        )


@dataclass(frozen=True)
class ProgrammeBoard:
    key: str
    name: str
    board_name: str
    next_meeting: date | None
    projects: tuple[ProgrammeProject, ...]


def programme_of(db, project_key: str) -> str | None:
    """The key of the programme a project belongs to, if any."""
    with db.read() as session:
        return session.exec(
            select(Programme.key)
            .join(Project, Project.programme_id == Programme.id)
            .where(Project.key == project_key.strip().upper())
        ).first()


def programme_board(db, key: str, today: date | None = None) -> ProgrammeBoard:
    from tracker.domain.clock import today as clock_today
    from tracker.services.board import overdue_actions
    from tracker.services.issue_register import issues_awaiting_board
    from tracker.services.projects import _next_board
    from tracker.services.stages import status_text
    from tracker.services.status import project_status

    today = today or clock_today()
    with db.read() as session:
        programme = session.exec(select(Programme).where(Programme.key == key.upper())).first()
        if programme is None:
            raise NotFound(f"no programme with key {key.strip().upper()!r}")
        projects = list(
            session.exec(
                select(Project).where(Project.programme_id == programme.id).order_by(Project.key)
            )
        )
        overdue = overdue_actions(session, today)
        next_meeting = session.exec(
            select(func.min(BoardMeeting.meeting_date)).where(
                BoardMeeting.status == "scheduled",
                BoardMeeting.meeting_date >= today,
                (BoardMeeting.programme_id == programme.id)
                | (
                    col(BoardMeeting.project_id).in_([p.id for p in projects])
                    & (BoardMeeting.kind == "programme board")
                ),
            )
        ).first()
        gathered = []
        for project in projects:
            status = project_status(session, project, today)
            stage = status.current_stage
            awaiting = []
            for model in (ExceptionReport, EndStageReport):
                awaiting += session.exec(
                    select(model.identifier)
                    .where(model.project_id == project.id, model.status == "issued")
                    .order_by(model.number)
                ).all()
            gathered.append(
                (project, status, stage, tuple(awaiting), _next_board(session, project.id, today))
            )
        name, board_name = programme.name, programme.board_name
    rows = []
    for project, status, stage, awaiting, next_board in gathered:
        rows.append(
            ProgrammeProject(
                key=project.key,
                name=project.name,
                status=project.status,
                rag=status.overall_rag,
                stage=stage.name if stage else "",
                time=status_text(stage.time) if stage else "",
                cost=status_text(stage.cost) if stage else "",
                exceptions=tuple(status.exceptions),
                issues_for_board=sum(
                    1
                    for q in issues_awaiting_board(db, project.key)
                    if q.required != "change authority"
                ),
                reports_awaiting=awaiting,
                overdue_actions=overdue.get(project.id, 0),
                next_board=next_board,
            )
        )
    rows.sort(key=lambda r: r.urgency)
    return ProgrammeBoard(key.upper(), name, board_name, next_meeting, tuple(rows))
