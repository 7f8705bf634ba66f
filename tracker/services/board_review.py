"""The monthly board review: the meeting record (board, attendance, quorum), the agenda the
review walks one item at a time, and every decision and action the board takes at it.

The review reads what the other services already work out (the stage plan and tolerance status,
the risk register's movement since the last issued highlight report, the board's issue queue,
the exception queue) and writes through them: an issue decision goes through
``issue_changes.apply_decision``, an exception plan through ``exceptions.apply_exception_plan``
and a stage boundary through ``end_stage.apply_authorisation``, each in one transaction with the
decision log entry that ties it to the meeting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from db.models import (
    ACTION_STATUSES,
    ATTENDANCE,
    BOARD_ACTIVITIES,
    Action,
    BoardMeeting,
    Decision,
    HighlightReport,
    HighlightReportRating,
    MeetingAttendance,
    MeetingNote,
    Person,
    Project,
    Risk,
    RoleAssignment,
)
from tracker.domain import change_control as cc
from tracker.domain.board import Quorum, describe_weekday_of_month, next_meeting_date, quorum
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.validation import (
    InvalidValue,
    Problems,
    ValidationError,
    choice,
    required_text,
)
from tracker.errors import Conflict, NotFound
from tracker.services.board import ActionRow, DecisionRow, action_rows, decision_rows
from tracker.services.records import apply_edit, run_write
from tracker.services.risks import next_number

if TYPE_CHECKING:
    from tracker.reports.minutes import MinutesContent

BOARD_ROLES = ("executive", "senior user", "senior supplier")


@dataclass(frozen=True)
class AgendaItem:
    number: int
    key: str
    title: str
    purpose: str


AGENDA = (
    AgendaItem(
        1,
        "last meeting",
        "Minutes and actions of the last meeting",
        "Agree the last meeting's minutes; go through its actions and any still open, marking "
        "those done.",
    ),
    AgendaItem(
        2,
        "highlight report",
        "Highlight report",
        "The project manager's latest issued highlight report: note it, or give direction.",
    ),
    AgendaItem(
        3,
        "stages",
        "Stage progress and tolerance status",
        "Each stage's plan, forecast and time and cost status against its tolerances.",
    ),
    AgendaItem(
        4,
        "risks",
        "Risks for the board",
        "Risks new or increased since the last highlight report, on or above the board's risk "
        "tolerance line, or whose proximity falls in the next 30 days.",
    ),
    AgendaItem(
        5,
        "issues",
        "Issues awaiting the board's decision",
        "Approve, reject, defer or ask for more information, with the reason: written straight "
        "to the issue register.",
    ),
    AgendaItem(
        6,
        "exceptions",
        "Exceptions and exception plans",
        "Forecasts beyond tolerance and issued exception reports: approve an exception plan.",
    ),
    AgendaItem(
        7,
        "stage boundary",
        "Stage boundary",
        "An issued End Stage Report: authorise the next stage, or closure after the last.",
    ),
    AgendaItem(
        8,
        "any other business",
        "Any other business",
        "Other decisions (ad hoc direction) and actions, each with an owner and a due date.",
    ),
    AgendaItem(
        9,
        "next meeting",
        "Date of the next meeting",
        "By default the same weekday of next month; close the meeting with its date.",
    ),
)
ITEMS = len(AGENDA)


# --------------------------------------------------------------------------- the meeting record


@dataclass(frozen=True)
class Seat:
    """Someone at (or sent apologies to) the meeting: a board member from the role assignments,
    or someone else recorded as attending."""

    name: str
    role: str  # "Executive", "Senior User", "Deputy Executive", or the capacity recorded
    board: bool
    attendance: str  # present, apologies, absent, in attendance, or "not recorded"
    capacity: str


@dataclass(frozen=True)
class MeetingRecord:
    id: int
    key: str
    project: str
    meeting_date: date
    kind: str
    title: str
    status: str
    location: str
    agenda: str
    minutes: str
    version: int
    review_item: int
    next_meeting_date: date | None
    seats: tuple[Seat, ...]
    quorum: Quorum
    chair: str
    notes: dict[int, tuple[str, int]]  # item -> (text, version)
    decisions: tuple[DecisionRow, ...]
    actions: tuple[ActionRow, ...]

    @property
    def label(self) -> str:
        name = self.title or self.kind
        name = name if name.startswith(self.key) else f"{self.key} {name}"
        return f"{name} of {format_date(self.meeting_date)}"

    @property
    def attendees(self) -> tuple[Seat, ...]:
        return tuple(s for s in self.seats if s.attendance in ("present", "in attendance"))

    @property
    def apologies(self) -> tuple[Seat, ...]:
        return tuple(s for s in self.seats if s.attendance == "apologies")


def _title(role: str, deputy: bool) -> str:
    words = " ".join(w.capitalize() for w in role.split())
    return f"Deputy {words}" if deputy else words


def _board_assignments(session: Session, project_id: int, on: date) -> list[tuple]:
    """(person id, name, role, deputy) for the board on a date, Executive first."""
    rows = session.exec(
        select(RoleAssignment, Person.name)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.project_id == project_id,
            col(RoleAssignment.role).in_(BOARD_ROLES),
            or_(col(RoleAssignment.start_date).is_(None), RoleAssignment.start_date <= on),
            or_(col(RoleAssignment.end_date).is_(None), RoleAssignment.end_date >= on),
        )
    ).all()
    order = {role: n for n, role in enumerate(BOARD_ROLES)}
    found = sorted(
        ((a.person_id, name, a.role, a.deputy_for_id is not None) for a, name in rows),
        key=lambda r: (order[r[2]], r[3], r[1]),
    )
    seen: set[tuple[int, str]] = set()
    unique = []
    for row in found:
        if (row[0], row[2]) not in seen:
            seen.add((row[0], row[2]))
            unique.append(row)
    return unique


def meeting_quorum(session: Session, meeting: BoardMeeting) -> tuple[Quorum, str]:
    """Whether the meeting is quorate, and who chairs it (the Executive, else a named deputy)."""
    project_id = meeting.project_id
    board = _board_assignments(session, project_id, meeting.meeting_date)
    present = {
        pid: name
        for pid, name in session.exec(
            select(MeetingAttendance.person_id, Person.name)
            .join(Person, Person.id == MeetingAttendance.person_id)
            .where(
                MeetingAttendance.meeting_id == meeting.id,
                MeetingAttendance.attendance == "present",
            )
        ).all()
    }
    executives = {pid for pid, _n, role, deputy in board if role == "executive" and not deputy}
    deputies = {pid for pid, _n, role, deputy in board if role == "executive" and deputy}
    found = quorum(present, executives, deputies)
    chair = next((present[p] for p in executives if p in present), "") or next(
        (present[p] for p in sorted(deputies) if p in present), ""
    )
    return found, chair


def find_meeting(
    session: Session, project: Project, meeting_date: date | None, *, default: str = "next"
) -> BoardMeeting:
    """A project's meeting on a date; without one, the next scheduled board meeting
    (``default="next"``) or the last one held (``default="last"``)."""
    query = select(BoardMeeting).where(BoardMeeting.project_id == project.id)
    if meeting_date is not None:
        found = session.exec(query.where(BoardMeeting.meeting_date == meeting_date)).first()
        if found is None:
            raise NotFound(f"{project.key} has no meeting on {format_date(meeting_date)}")
        return found
    boards = query.where(BoardMeeting.kind != "committee")
    if default == "next":
        found = session.exec(
            boards.where(BoardMeeting.status == "scheduled").order_by(BoardMeeting.meeting_date)
        ).first()
        if found is None:
            raise NotFound(f"{project.key} has no board meeting scheduled")
        return found
    found = session.exec(
        boards.where(BoardMeeting.status == "held").order_by(col(BoardMeeting.meeting_date).desc())
    ).first()
    if found is None:
        raise NotFound(f"{project.key} has held no board meeting yet")
    return found


def _meeting_record(session: Session, project: Project, meeting: BoardMeeting) -> MeetingRecord:
    board = _board_assignments(session, project.id, meeting.meeting_date)
    attendance = {
        pid: (status, capacity, name)
        for pid, status, capacity, name in session.exec(
            select(
                MeetingAttendance.person_id,
                MeetingAttendance.attendance,
                MeetingAttendance.capacity,
                Person.name,
            )
            .join(Person, Person.id == MeetingAttendance.person_id)
            .where(MeetingAttendance.meeting_id == meeting.id)
        ).all()
    }
    seats = []
    seated = set()
    for pid, name, role, deputy in board:
        if pid in seated:
            continue
        seated.add(pid)
        status, capacity, _ = attendance.get(pid, ("not recorded", "", name))
        seats.append(Seat(name, _title(role, deputy), True, status, capacity))
    for pid, (status, capacity, name) in sorted(attendance.items(), key=lambda kv: kv[1][2]):
        if pid not in seated:
            seats.append(Seat(name, capacity or "In attendance", False, status, capacity))
    found, chair = meeting_quorum(session, meeting)
    notes = {
        n.item: (n.notes, n.version)
        for n in session.exec(select(MeetingNote).where(MeetingNote.meeting_id == meeting.id))
    }
    return MeetingRecord(
        id=meeting.id,
        key=project.key,
        project=project.name,
        meeting_date=meeting.meeting_date,
        kind=meeting.kind,
        title=meeting.title,
        status=meeting.status,
        location=meeting.location,
        agenda=meeting.agenda,
        minutes=meeting.minutes,
        version=meeting.version,
        review_item=meeting.review_item,
        next_meeting_date=meeting.next_meeting_date,
        seats=tuple(seats),
        quorum=found,
        chair=chair,
        notes=notes,
        decisions=tuple(decision_rows(session, project, meeting_id=meeting.id)),
        actions=tuple(action_rows(session, project, meeting.meeting_date, meeting_id=meeting.id)),
    )


def meeting_record(db, key: str, meeting_date: date | str | None = None) -> MeetingRecord:
    """The record of one meeting (default: the last held), for the minutes."""
    from tracker.services.projects import project_by_key

    wanted = parse_optional_date(meeting_date) if isinstance(meeting_date, str) else meeting_date
    with db.read() as session:
        project = project_by_key(session, key)
        meeting = find_meeting(session, project, wanted, default="last")
        return _meeting_record(session, project, meeting)


# --------------------------------------------------------------------------- the review


@dataclass(frozen=True)
class HighlightSummary:
    number: int
    period_start: date
    period_end: date
    report_date: date
    status_summary: str
    ratings: tuple[tuple[str, str | None, str], ...]  # project level: aspect, rag, comment
    noted_by: str  # the decision at this meeting that noted it, or ""


@dataclass(frozen=True)
class RiskForBoard:
    row: object  # tracker.services.risk_register.RegisterRow
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class BoardReview:
    meeting: MeetingRecord
    today: date
    previous: MeetingRecord | None
    outstanding: tuple[ActionRow, ...]  # open actions from earlier meetings
    highlight: HighlightSummary | None
    plan: object  # tracker.services.stage_plan.StagePlan
    risks: tuple[RiskForBoard, ...]
    risk_baseline: str
    tolerance_score: int
    issues: tuple  # tracker.services.issue_register.BoardQueueItem
    exception_reports: tuple  # (stage view, report line) issued and awaiting the board
    end_stage_reports: tuple  # (stage view, next stage view or None, report line)
    proposed_next: date
    proposed_next_words: str

    @property
    def can_decide(self) -> bool:
        return self.meeting.status == "scheduled" and self.meeting.meeting_date <= self.today


def _highlight(session: Session, project: Project, meeting_id: int) -> HighlightSummary | None:
    report = session.exec(
        select(HighlightReport)
        .where(HighlightReport.project_id == project.id, HighlightReport.status == "issued")
        .order_by(col(HighlightReport.number).desc())
    ).first()
    if report is None:
        return None
    ratings = session.exec(
        select(HighlightReportRating)
        .where(
            HighlightReportRating.report_id == report.id, HighlightReportRating.level == "project"
        )
        .order_by(HighlightReportRating.id)
    ).all()
    noted = session.exec(
        select(Decision.identifier).where(
            Decision.meeting_id == meeting_id, Decision.highlight_report_id == report.id
        )
    ).first()
    return HighlightSummary(
        report.number,
        report.period_start,
        report.period_end,
        report.report_date,
        report.status_summary,
        tuple((r.aspect, r.rag, r.comment) for r in ratings),
        noted or "",
    )


def _risk_candidates(session: Session, project: Project, today: date) -> list[int]:
    """Open risks that might be for the board, narrowed in SQL so a large register stays quick;
    ``register_rows`` then works out their movement and flags exactly."""
    from tracker.services.risk_snapshots import baseline_report

    score = func.coalesce(Risk.residual_score, Risk.inherent_score)
    soon = today + timedelta(days=30)
    conditions = [
        score >= project.risk_tolerance_score,
        Risk.proximity_date <= soon,
        Risk.proximity_band == "imminent",
    ]
    baseline = baseline_report(session, project.id)
    if baseline is not None and baseline.issued_at is not None:
        conditions.append(Risk.updated_at >= baseline.issued_at)
        conditions.append(Risk.date_registered > baseline.period_end)
    return list(
        session.exec(
            select(Risk.id)
            .where(Risk.project_id == project.id, Risk.status != "closed", or_(*conditions))
            .order_by(Risk.number)
        )
    )


def _risks_for_board(db, key: str, ids: list[int], today: date) -> list[RiskForBoard]:
    from tracker.services.risk_register import register_rows

    found = []
    for row in register_rows(db, key, ids, today):
        reasons = []
        if row.movement == "new":
            reasons.append("new")
        if row.movement == "up":
            reasons.append("increased")
        if row.above_tolerance:
            reasons.append("above tolerance")
        if row.proximity_flag == "soon":
            reasons.append("proximity within 30 days")
        if row.proximity_flag == "passed":
            reasons.append("proximity passed")
        if reasons:
            found.append(RiskForBoard(row, tuple(reasons)))
    found.sort(key=lambda r: (-r.row.score, r.row.identifier))
    return found


def board_review(
    db, key: str, meeting_date: date | str | None = None, today: date | None = None
) -> BoardReview:
    """Everything the board review shows, for a meeting (default: the next scheduled)."""
    from tracker.domain.clock import today as clock_today
    from tracker.services.issue_register import issues_awaiting_board
    from tracker.services.projects import project_by_key
    from tracker.services.risk_register import _baseline_label
    from tracker.services.risk_snapshots import baseline_report
    from tracker.services.stage_plan import build_stage_plan

    today = today or clock_today()
    wanted = parse_optional_date(meeting_date) if isinstance(meeting_date, str) else meeting_date
    with db.read() as session:
        project = project_by_key(session, key)
        meeting = find_meeting(session, project, wanted, default="next")
        record = _meeting_record(session, project, meeting)
        earlier = session.exec(
            select(BoardMeeting)
            .where(
                BoardMeeting.project_id == project.id,
                BoardMeeting.kind != "committee",
                BoardMeeting.status == "held",
                BoardMeeting.meeting_date < meeting.meeting_date,
            )
            .order_by(col(BoardMeeting.meeting_date).desc())
        ).first()
        previous = _meeting_record(session, project, earlier) if earlier else None
        outstanding = tuple(
            a
            for a in action_rows(session, project, meeting.meeting_date, open_only=True)
            if a.meeting_date is not None
            and a.meeting_date < meeting.meeting_date
            and (previous is None or a.meeting_date != previous.meeting_date)
        )
        highlight = _highlight(session, project, meeting.id)
        plan = build_stage_plan(session, project, today)
        candidates = _risk_candidates(session, project, today)
        baseline = _baseline_label(baseline_report(session, project.id)) or ""
        tolerance_score = project.risk_tolerance_score
    exception_reports = tuple(
        (stage, report)
        for stage in plan.stages
        for report in stage.reports
        if report.kind == "exception report" and report.status == "issued"
    )
    end_stage_reports = []
    for n, stage in enumerate(plan.stages):
        following = plan.stages[n + 1] if n + 1 < len(plan.stages) else None
        for report in stage.reports:
            if report.kind == "end stage report" and report.status == "issued":
                end_stage_reports.append((stage, following, report))
    proposed = record.next_meeting_date or next_meeting_date(record.meeting_date)
    return BoardReview(
        meeting=record,
        today=today,
        previous=previous,
        outstanding=outstanding,
        highlight=highlight,
        plan=plan,
        risks=tuple(_risks_for_board(db, key, candidates, today)),
        risk_baseline=baseline,
        tolerance_score=tolerance_score,
        issues=tuple(issues_awaiting_board(db, key)),
        exception_reports=exception_reports,
        end_stage_reports=tuple(end_stage_reports),
        proposed_next=proposed,
        proposed_next_words=describe_weekday_of_month(record.meeting_date),
    )


# --------------------------------------------------------------------------- writing


def _open_for_writing(
    session: Session, key: str, meeting_date: date, today: date, *, decision: bool
) -> tuple[Project, BoardMeeting, str]:
    """The meeting, checked: it must be under way (scheduled, on or before today) and, for a
    decision, quorate. Returns the project, the meeting and its chair."""
    from tracker.services.projects import project_by_key

    project = project_by_key(session, key)
    meeting = find_meeting(session, project, meeting_date)
    label = f"{project.key} board meeting of {format_date(meeting.meeting_date)}"
    if meeting.status != "scheduled":
        raise Conflict(f"{label} is {meeting.status}: its record is closed")
    if meeting.meeting_date > today:
        raise Conflict(
            f"{label} has not happened yet (today is {format_date(today)}): nothing can be "
            "recorded for it before the day"
        )
    found, chair = meeting_quorum(session, meeting)
    if decision and not found.quorate:
        raise Conflict(
            f"{label} is not quorate ({found.reason}): the board cannot decide; "
            "record the attendance first"
        )
    return project, meeting, chair


def _decision(
    session: Session,
    project: Project,
    meeting: BoardMeeting,
    *,
    activity: str,
    summary: str,
    rationale: str,
    issue_id: int | None = None,
    highlight_report_id: int | None = None,
    stage_id: int | None = None,
) -> Decision:
    number = next_number(session, Decision, project.id)
    decision = Decision(
        project_id=project.id,
        number=number,
        identifier=f"D-{number:03d}",
        meeting_id=meeting.id,
        decision_date=meeting.meeting_date,
        activity=activity,
        summary=summary,
        rationale=rationale,
        issue_id=issue_id,
        highlight_report_id=highlight_report_id,
        stage_id=stage_id,
    )
    session.add(decision)
    session.flush()
    return decision


def _attach(session: Session, project: Project, meeting: BoardMeeting, identifier: str) -> None:
    """Tie a decision another service recorded to this meeting."""
    decision = session.exec(
        select(Decision).where(Decision.project_id == project.id, Decision.identifier == identifier)
    ).one()
    decision.meeting_id = meeting.id
    session.flush()


def _get(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return str(value).strip() if value is not None else ""


def record_attendance(
    db,
    key: str,
    meeting_date: date,
    attendance: Mapping[str, str],
    *,
    today: date,
    actor: str | None = None,
) -> Quorum:
    """Record who is present, who sent apologies and who is absent (names of people on the
    project -> attendance); returns whether the meeting is now quorate."""
    from tracker.services.fields import PeopleResolver

    def work(session: Session) -> Quorum:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=False
        )
        people = PeopleResolver(session, project.id)
        problems = Problems()
        wanted = {}
        for name, status in attendance.items():
            person = problems.take(name, people.resolve, name, required=True)
            value = problems.take(name, choice, (status or "").strip(), ATTENDANCE)
            if person is not None and value is not None:
                wanted[person] = value
        problems.check()
        for person, value in wanted.items():
            row = session.get(MeetingAttendance, (meeting.id, person))
            if row is None:
                session.add(
                    MeetingAttendance(meeting_id=meeting.id, person_id=person, attendance=value)
                )
            elif row.attendance != value:
                row.attendance = value
        session.flush()
        return meeting_quorum(session, meeting)[0]

    return run_write(db, work, actor=actor)


def mark_action(
    db,
    key: str,
    meeting_date: date,
    identifier: str,
    status: str,
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> str:
    """Mark an action done (on the meeting's date), cancelled, or open again."""
    value = choice(status.strip(), ACTION_STATUSES)

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=False
        )
        action = session.exec(
            select(Action).where(
                Action.project_id == project.id,
                Action.identifier == identifier.strip().upper(),
            )
        ).first()
        if action is None:
            raise NotFound(f"{project.key} has no action {identifier.strip().upper()}")
        changes = {
            "status": value,
            "completed_on": meeting.meeting_date if value == "done" else None,
        }
        apply_edit(
            session, action, opened_version, changes, label=f"{project.key} {action.identifier}"
        )
        return action.identifier

    return run_write(db, work, actor=actor)


BOARD_ISSUE_DECISIONS = (
    cc.APPROVED,
    cc.REJECTED,
    cc.DEFERRED,
    cc.MORE_INFORMATION,
    cc.CONCESSION,
    cc.ESCALATED,
)
_VERBS = {
    cc.APPROVED: "Approved",
    cc.REJECTED: "Rejected",
    cc.DEFERRED: "Deferred",
    cc.MORE_INFORMATION: "Asked for more information on",
    cc.CONCESSION: "Granted a concession on",
    cc.ESCALATED: "Escalated to corporate or programme management",
}


def decide_issue_at_board(
    db,
    key: str,
    meeting_date: date,
    identifier: str,
    raw: Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> str:
    """The board decides an issue (``decision``, ``rationale``, ``cost of change`` for an
    approval): recorded on the issue register in the chair's name at project board level, and
    in the decision log against this meeting, in one transaction. Returns the decision's
    identifier."""
    from tracker.services.issue_changes import apply_decision, find_issue

    problems = Problems()
    decision = problems.take(
        "decision", choice, _get(raw, "decision").lower(), BOARD_ISSUE_DECISIONS
    )
    rationale = problems.take("rationale", required_text, _get(raw, "rationale"))
    problems.check()

    def work(session: Session) -> str:
        project, meeting, chair = _open_for_writing(
            session, key, meeting_date, today, decision=True
        )
        values: dict[str, object] = {
            "decision": decision,
            "decided by authority": cc.PROJECT_BOARD,
            "decision by": chair,
            "decision date": format_date(meeting.meeting_date),
            "decision rationale": rationale,
        }
        if decision == cc.ESCALATED:
            values["escalated to"] = cc.CORPORATE
        if _get(raw, "cost of change"):
            values["cost of change"] = _get(raw, "cost of change")
        saved = apply_decision(
            session, key, identifier, values, opened_version=opened_version, today=today
        )
        issue = find_issue(session, project, saved.identifier)
        logged = _decision(
            session,
            project,
            meeting,
            activity="give ad hoc direction",
            summary=f"{_VERBS[decision]} {issue.identifier}: {issue.title}.",
            rationale=rationale,
            issue_id=issue.id,
        )
        return logged.identifier

    return run_write(db, work, actor=actor)


def note_highlight_report(
    db,
    key: str,
    meeting_date: date,
    number: int,
    direction: str = "",
    *,
    today: date,
    actor: str | None = None,
) -> str:
    """The board notes an issued highlight report, with any direction it gives."""

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=True
        )
        report = session.exec(
            select(HighlightReport).where(
                HighlightReport.project_id == project.id, HighlightReport.number == number
            )
        ).first()
        if report is None or report.status != "issued":
            raise NotFound(f"{project.key} has no issued highlight report {number}")
        text = direction.strip()
        return _decision(
            session,
            project,
            meeting,
            activity="give ad hoc direction",
            summary=f"Noted highlight report {number}." + (f" {text}" if text else ""),
            rationale="",
            highlight_report_id=report.id,
        ).identifier

    return run_write(db, work, actor=actor)


def approve_exception_plan_at_board(
    db,
    key: str,
    meeting_date: date,
    identifier: str,
    raw: Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> str:
    """The board approves the exception plan in an issued exception report (``planned end``,
    ``planned cost``, ``rationale``), decided on the meeting's date."""
    from db.models import Stage
    from tracker.services.exceptions import (
        apply_exception_plan,
        find_exception_report,
        parse_exception_plan,
    )

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=True
        )
        report = find_exception_report(session, project, identifier)
        stage = session.get(Stage, report.stage_id) if report.stage_id else None
        data = parse_exception_plan(
            dict(raw) | {"decided on": format_date(meeting.meeting_date)},
            stage_start=(stage.actual_start or stage.planned_start) if stage else None,
            issued_on=report.issued_on,
            today=today,
        )
        approved = apply_exception_plan(
            session, project, report, data, opened_version=opened_version
        )
        _attach(session, project, meeting, approved.decision)
        return approved.decision

    return run_write(db, work, actor=actor)


def authorise_at_stage_boundary(
    db,
    key: str,
    meeting_date: date,
    identifier: str,
    raw: Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> str:
    """On an issued End Stage Report: authorise the next stage (or, after the last, closure),
    decided on the meeting's date."""
    from tracker.services.end_stage import apply_authorisation

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=True
        )
        done = apply_authorisation(
            session,
            project.key,
            identifier,
            dict(raw) | {"decided on": format_date(meeting.meeting_date)},
            today=today,
            opened_version=opened_version,
        )
        _attach(session, project, meeting, done.decision)
        return done.decision

    return run_write(db, work, actor=actor)


def add_decision(
    db,
    key: str,
    meeting_date: date,
    raw: Mapping[str, object],
    *,
    today: date,
    actor: str | None = None,
) -> str:
    """Any other decision of the board at this meeting: ``activity`` (default ad hoc
    direction), ``summary``, ``rationale``."""
    problems = Problems()
    activity = problems.take(
        "activity", choice, _get(raw, "activity") or "give ad hoc direction", BOARD_ACTIVITIES
    )
    summary = problems.take("summary", required_text, _get(raw, "summary"))
    problems.check()

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=True
        )
        return _decision(
            session,
            project,
            meeting,
            activity=activity,
            summary=summary,
            rationale=_get(raw, "rationale"),
        ).identifier

    return run_write(db, work, actor=actor)


def add_action(
    db,
    key: str,
    meeting_date: date,
    raw: Mapping[str, object],
    *,
    today: date,
    actor: str | None = None,
) -> str:
    """An action from the meeting: ``description``, ``owner`` (a person on the project) and
    ``due`` (a date after the meeting)."""
    from tracker.services.fields import PeopleResolver

    def work(session: Session) -> str:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=False
        )
        problems = Problems()
        description = problems.take("description", required_text, _get(raw, "description"))
        owner = problems.take(
            "owner", PeopleResolver(session, project.id).resolve, _get(raw, "owner"), required=True
        )
        due = problems.take("due", parse_optional_date, _get(raw, "due"))
        if due is None and not any(e.field == "due" for e in problems.errors):
            problems.add("due", "is required")
        if due is not None and due <= meeting.meeting_date:
            problems.add(
                "due", f"{format_date(due)} is not after the meeting ({format_date(meeting_date)})"
            )
        problems.check()
        number = next_number(session, Action, project.id)
        action = Action(
            project_id=project.id,
            number=number,
            identifier=f"A-{number:03d}",
            meeting_id=meeting.id,
            description=description,
            owner_id=owner,
            due_date=due,
        )
        session.add(action)
        session.flush()
        return action.identifier

    return run_write(db, work, actor=actor)


def save_notes(
    db,
    key: str,
    meeting_date: date,
    item: int,
    text: str,
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> int:
    """What the minutes record under an agenda item; returns the note's new version."""
    if not 1 <= item <= ITEMS:
        raise ValidationError.single("item", f"{item} is not an agenda item (1 to {ITEMS})")

    def work(session: Session) -> int:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=False
        )
        note = session.exec(
            select(MeetingNote).where(
                MeetingNote.meeting_id == meeting.id, MeetingNote.item == item
            )
        ).first()
        if note is None:
            note = MeetingNote(meeting_id=meeting.id, item=item, notes=text.strip())
            session.add(note)
            session.flush()
            return note.version
        apply_edit(
            session,
            note,
            opened_version,
            {"notes": text.strip()},
            label=f"{project.key} minutes, item {item}",
        )
        return note.version

    return run_write(db, work, actor=actor)


def remember_item(
    db, key: str, meeting_date: date, item: int, *, today: date, actor: str | None = None
) -> bool:
    """Keep the agenda item the review reached, so it resumes there. Quietly does nothing for a
    meeting that is not under way (browsing an agenda ahead of the day writes nothing)."""
    item = max(1, min(ITEMS, item))

    def work(session: Session) -> bool:
        try:
            _project, meeting, _chair = _open_for_writing(
                session, key, meeting_date, today, decision=False
            )
        except Conflict:
            return False
        if meeting.review_item != item:
            meeting.review_item = item
            session.flush()
        return True

    return run_write(db, work, actor=actor)


def close_meeting(
    db,
    key: str,
    meeting_date: date,
    next_date: str | date | None,
    *,
    today: date,
    actor: str | None = None,
) -> date:
    """End the meeting: it is held, with the date of the next one (default the same weekday of
    next month), which is scheduled. Returns the next meeting's date."""

    def work(session: Session) -> date:
        project, meeting, _chair = _open_for_writing(
            session, key, meeting_date, today, decision=False
        )
        problems = Problems()
        chosen = problems.take(
            "next meeting",
            parse_optional_date,
            next_date if isinstance(next_date, date) else (next_date or "").strip() or None,
        )
        problems.check()
        chosen = chosen or next_meeting_date(meeting.meeting_date)
        if chosen <= meeting.meeting_date:
            raise ValidationError.single(
                "next meeting",
                f"{format_date(chosen)} is not after this meeting ({format_date(meeting_date)})",
            )
        meeting.status = "held"
        meeting.next_meeting_date = chosen
        meeting.review_item = ITEMS
        session.flush()
        exists = session.exec(
            select(BoardMeeting.id).where(
                BoardMeeting.project_id == project.id, BoardMeeting.meeting_date == chosen
            )
        ).first()
        if exists is None:
            session.add(
                BoardMeeting(
                    project_id=project.id,
                    kind=meeting.kind,
                    title=meeting.title,
                    meeting_date=chosen,
                    location=meeting.location,
                    status="scheduled",
                )
            )
            session.flush()
        return chosen

    return run_write(db, work, actor=actor)


def parse_next_meeting(value: str) -> date | None:
    """A typed next-meeting date (blank for the default)."""
    try:
        return parse_optional_date(value.strip() or None)
    except InvalidValue as exc:
        raise ValidationError.single("next meeting", str(exc)) from None


# --------------------------------------------------------------------------- minutes


def minutes_content(record: MeetingRecord) -> MinutesContent:
    from tracker.reports.minutes import MinutesContent

    def people(seats) -> tuple[tuple[str, str], ...]:
        return tuple((s.name, s.role) for s in seats)

    return MinutesContent(
        project_key=record.key,
        project_name=record.project,
        title=record.title or record.kind,
        meeting_date=record.meeting_date,
        location=record.location,
        status=record.status,
        chair=record.chair,
        quorate=record.quorum.quorate,
        quorum_reason=record.quorum.reason,
        present=people(s for s in record.seats if s.attendance == "present"),
        in_attendance=people(s for s in record.seats if s.attendance == "in attendance"),
        apologies=people(record.apologies),
        agenda=record.agenda,
        items=tuple(
            (item.number, item.title, record.notes[item.number][0])
            for item in AGENDA
            if record.notes.get(item.number, ("", 0))[0]
        ),
        narrative=record.minutes,
        decisions=tuple(
            (d.identifier, d.activity, d.summary, d.rationale, d.prompted_by, d.tolerances)
            for d in record.decisions
        ),
        actions=tuple(
            (a.identifier, a.description, a.owner, a.due_date, a.status) for a in record.actions
        ),
        next_meeting=record.next_meeting_date,
    )


def minutes_document(db, key: str, meeting_date: date | str | None = None):
    """The minutes of a meeting (default: the last held) as a ``Document``."""
    from tracker.reports.minutes import minutes_document as build

    return build(minutes_content(meeting_record(db, key, meeting_date)))
