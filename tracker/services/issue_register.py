"""The issue register as the screen, the exports and the board read it.

``issue_view`` answers a filter (words, status, type, awaiting a decision or the board) with the
ordered ids; ``issue_rows`` reads the rows on screen by id; ``issue_detail`` is one issue in full
(with its links to risks); ``issues_awaiting_board`` is the board's queue for its next review:
every open issue not yet decided whose decision is above the project manager's authority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from db.models import Issue, IssueType, Person, PriorityLevel, SeverityLevel
from tracker.domain import change_control as cc
from tracker.services.history import HistoryLine
from tracker.services.issue_changes import change_budget_of, find_issue
from tracker.services.links import LinkView, issue_links
from tracker.services.projects import project_by_key
from tracker.services.registers import IdView, RegisterSort, ordered, words_match

STATUS_FILTERS = ("open", "closed", "all", *cc.STATUSES[:-1])
AWAITING = ("decision", "board")  # awaiting a decision; awaiting the board (above the PM)
SORT_KEYS = (
    "identifier",
    "type",
    "title",
    "priority",
    "severity",
    "status",
    "raised_by",
    "date_raised",
    "owner",
    "decision",
    "decision_date",
    "authority",
)


@dataclass(frozen=True)
class IssueFilter:
    """What the register shows. ``text`` matches every word against the identifier, title,
    description, who raised it and its owner."""

    text: str = ""
    status: str = "open"
    issue_type: str | None = None
    awaiting: str | None = None  # "decision" or "board"


def _rank_of(column):
    """An authority's place on the ladder, in SQL (NULL for none)."""
    return case(
        *((column == name, literal(n)) for n, name in enumerate(cc.AUTHORITIES)), else_=None
    )


def _required_rank():
    by_severity, escalated = _rank_of(SeverityLevel.decided_by), _rank_of(Issue.escalated_to)
    return case(
        (and_(escalated.is_not(None), escalated > by_severity), escalated), else_=by_severity
    )


def _awaiting_condition():
    return or_(
        col(Issue.status).in_((cc.RAISED, cc.EXAMINED, cc.OPTIONS)),
        and_(Issue.status == cc.DECIDED, Issue.decision == cc.ESCALATED),
    )


def status_condition(status: str):
    if status not in STATUS_FILTERS:
        raise ValueError(f"--status: {status!r} is not one of: {', '.join(STATUS_FILTERS)}")
    if status == "all":
        return None
    if status == "open":
        return Issue.status != cc.CLOSED
    return Issue.status == status


def issue_view(
    db, key: str, flt: IssueFilter = IssueFilter(), sort: RegisterSort | None = None
) -> IdView:
    """The ids of the issues that pass ``flt``, in ``sort`` order (default identifier; ties
    always by identifier)."""
    sort = sort or RegisterSort()
    raiser, owner = aliased(Person), aliased(Person)
    with db.read() as session:
        project = project_by_key(session, key)
        query = (
            select(Issue.id)
            .join(IssueType, IssueType.id == Issue.issue_type_id)
            .join(
                SeverityLevel,
                and_(
                    SeverityLevel.project_id == Issue.project_id,
                    SeverityLevel.level == Issue.severity,
                ),
            )
            .outerjoin(raiser, raiser.id == Issue.raised_by_id)
            .outerjoin(owner, owner.id == Issue.owner_id)
            .where(Issue.project_id == project.id)
        )
        condition = status_condition(flt.status)
        if condition is not None:
            query = query.where(condition)
        if flt.issue_type:
            query = query.where(IssueType.name == flt.issue_type)
        if flt.awaiting in AWAITING:
            query = query.where(_awaiting_condition())
            if flt.awaiting == "board":
                query = query.where(_required_rank() > 0)
        words = words_match(
            flt.text,
            [Issue.identifier, Issue.title, Issue.description, raiser.name, owner.name],
        )
        if words is not None:
            query = query.where(words)
        keys = {
            "identifier": Issue.number,
            "type": IssueType.name,
            "title": func.lower(Issue.title),
            "priority": Issue.priority,
            "severity": Issue.severity,
            "status": case(*((Issue.status == s, literal(n)) for n, s in enumerate(cc.STATUSES))),
            "raised_by": func.lower(raiser.name),
            "date_raised": Issue.date_raised,
            "owner": func.lower(owner.name),
            "decision": Issue.decision,
            "decision_date": Issue.decision_date,
            "authority": _required_rank(),
        }
        ids = list(session.execute(ordered(query, sort, keys, Issue.number)).scalars())
        total = session.execute(
            select(func.count()).select_from(Issue).where(Issue.project_id == project.id)
        ).scalar_one()
    return IdView(ids, total)


@dataclass(frozen=True)
class IssueRegisterRow:
    id: int
    identifier: str
    issue_type: str
    title: str
    priority: str  # "4 High"
    severity: str  # "4 Major"
    status: str
    raised_by: str
    date_raised: date
    owner: str
    decision: str
    decision_date: date | None
    required: str  # the level that must decide
    awaiting: bool
    for_the_board: bool
    cost_pence: int | None
    updated_at: datetime
    version: int


def _rows_query(project_id: int):
    raiser, owner = aliased(Person), aliased(Person)
    return (
        select(
            Issue,
            IssueType.name,
            raiser.name,
            owner.name,
            PriorityLevel.name,
            SeverityLevel.name,
            SeverityLevel.decided_by,
        )
        .join(IssueType, IssueType.id == Issue.issue_type_id)
        .join(
            SeverityLevel,
            and_(
                SeverityLevel.project_id == Issue.project_id, SeverityLevel.level == Issue.severity
            ),
        )
        .join(
            PriorityLevel,
            and_(
                PriorityLevel.project_id == Issue.project_id, PriorityLevel.level == Issue.priority
            ),
        )
        .outerjoin(raiser, raiser.id == Issue.raised_by_id)
        .outerjoin(owner, owner.id == Issue.owner_id)
        .where(Issue.project_id == project_id)
    )


def issue_rows(db, key: str, ids: Sequence[int]) -> list[IssueRegisterRow]:
    """The register rows for ``ids`` (a screenful), in the order given."""
    if not ids:
        return []
    with db.read() as session:
        project = project_by_key(session, key)
        found = {}
        for issue, type_name, raised, owned, priority, severity, decided_by in session.execute(
            _rows_query(project.id).where(col(Issue.id).in_(list(ids)))
        ):
            required = cc.required_authority(decided_by, issue.escalated_to)
            awaiting = cc.awaiting_decision(issue.status, issue.decision)
            found[issue.id] = IssueRegisterRow(
                id=issue.id,
                identifier=issue.identifier,
                issue_type=type_name,
                title=issue.title,
                priority=f"{issue.priority} {priority}",
                severity=f"{issue.severity} {severity}",
                status=issue.status,
                raised_by=raised or "",
                date_raised=issue.date_raised,
                owner=owned or "",
                decision=issue.decision or "",
                decision_date=issue.decision_date,
                required=required,
                awaiting=awaiting,
                for_the_board=awaiting and cc.for_the_board(required),
                cost_pence=issue.cost_of_change_pence,
                updated_at=issue.updated_at,
                version=issue.version,
            )
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class IssueContext:
    """What the register screen needs once per project: the filters' choices and the change
    budget."""

    key: str
    name: str
    types: tuple[str, ...]
    budget: cc.ChangeBudget


def issue_context(db, key: str) -> IssueContext:
    with db.read() as session:
        project = project_by_key(session, key)
        types = session.execute(
            select(IssueType.name).where(IssueType.project_id == project.id).order_by(IssueType.id)
        ).scalars()
        return IssueContext(
            project.key, project.name, tuple(types), change_budget_of(session, project)
        )


def change_budget(db, key: str) -> cc.ChangeBudget:
    """The project's change budget: what is set, what approved changes drew, what is left."""
    with db.read() as session:
        return change_budget_of(session, project_by_key(session, key))


# --------------------------------------------------------------------------- one issue in full


@dataclass(frozen=True)
class IssueDetail:
    """Everything the register records about one issue: the issue report."""

    id: int
    identifier: str
    issue_type: str
    title: str
    description: str
    date_raised: date
    raised_by: str
    author: str
    owner: str
    priority: str
    severity: str
    status: str
    has_issue_report: bool
    impacts: tuple[tuple[str, str], ...]  # (aspect, impact), time cost quality scope benefits risk
    cost_pence: int | None
    uses_budget: bool
    options: str
    recommendation: str
    decision: str
    decision_by: str
    decided_by_authority: str
    decision_date: date | None
    decision_rationale: str
    closure_date: date | None
    escalated_to: str
    required: str
    awaiting: bool
    for_the_board: bool
    next_statuses: tuple[str, ...]
    links: tuple[LinkView, ...]
    budget: cc.ChangeBudget  # the project's, with every approval including this one
    notes: str
    version: int


def issue_detail(db, key: str, identifier: str) -> IssueDetail:
    with db.read() as session:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        _, type_name, raised, owned, priority, severity, decided_by = session.execute(
            _rows_query(project.id).where(Issue.id == issue.id)
        ).one()
        uses_budget = bool(
            session.execute(
                select(IssueType.uses_change_budget).where(IssueType.id == issue.issue_type_id)
            ).scalar()
        )

        def name(person_id: int | None) -> str:
            person = session.get(Person, person_id) if person_id else None
            return person.name if person else ""

        required = cc.required_authority(decided_by, issue.escalated_to)
        awaiting = cc.awaiting_decision(issue.status, issue.decision)
        return IssueDetail(
            id=issue.id,
            identifier=issue.identifier,
            issue_type=type_name,
            title=issue.title,
            description=issue.description,
            date_raised=issue.date_raised,
            raised_by=raised or "",
            author=name(issue.author_id),
            owner=owned or "",
            priority=f"{issue.priority} {priority}",
            severity=f"{issue.severity} {severity}",
            status=issue.status,
            has_issue_report=issue.has_issue_report,
            impacts=(
                ("Time", issue.impact_time),
                ("Cost", issue.impact_cost),
                ("Quality", issue.impact_quality),
                ("Scope", issue.impact_scope),
                ("Benefits", issue.impact_benefits),
                ("Risk", issue.impact_risk),
            ),
            cost_pence=issue.cost_of_change_pence,
            uses_budget=uses_budget,
            options=issue.options,
            recommendation=issue.recommendation,
            decision=issue.decision or "",
            decision_by=name(issue.decision_by_id),
            decided_by_authority=issue.decided_by_authority or "",
            decision_date=issue.decision_date,
            decision_rationale=issue.decision_rationale,
            closure_date=issue.closure_date,
            escalated_to=issue.escalated_to or "",
            required=required,
            awaiting=awaiting,
            for_the_board=awaiting and cc.for_the_board(required),
            next_statuses=cc.next_statuses(issue.status, issue.decision),
            links=issue_links(session, issue.id),
            budget=change_budget_of(session, project),
            notes=issue.notes,
            version=issue.version,
        )


def issue_detail_by_id(db, key: str, issue_id: int) -> IssueDetail | None:
    """The detail of the issue with this internal id (the screen's rows), if it is still there."""
    with db.read() as session:
        project = project_by_key(session, key)
        identifier = session.execute(
            select(Issue.identifier).where(Issue.project_id == project.id, Issue.id == issue_id)
        ).scalar_one_or_none()
    return issue_detail(db, key, identifier) if identifier else None


# --------------------------------------------------------------------------- the board's queue


@dataclass(frozen=True)
class BoardQueueItem:
    """An issue waiting for a decision above the project manager's authority."""

    identifier: str
    title: str
    issue_type: str
    severity: str
    status: str
    required: str  # change authority, project board or corporate
    escalated: bool
    ready: bool  # options proposed (or escalated): the board can decide it at this review
    date_raised: date
    owner: str
    recommendation: str
    cost_pence: int | None


def issues_awaiting_board(db, key: str) -> list[BoardQueueItem]:
    """The board's queue for its next review: every open issue not yet decided (or escalated)
    whose decision is above the project manager's authority, highest level first, then by
    severity and identifier."""
    with db.read() as session:
        project = project_by_key(session, key)
        rows = session.execute(
            _rows_query(project.id)
            .where(_awaiting_condition(), _required_rank() > 0)
            .order_by(_required_rank().desc(), Issue.severity.desc(), Issue.number)
        ).all()
        return [
            BoardQueueItem(
                identifier=issue.identifier,
                title=issue.title,
                issue_type=type_name,
                severity=f"{issue.severity} {severity}",
                status=issue.status,
                required=cc.required_authority(decided_by, issue.escalated_to),
                escalated=issue.decision == cc.ESCALATED,
                ready=issue.status in (cc.OPTIONS, cc.DECIDED),
                date_raised=issue.date_raised,
                owner=owned or "",
                recommendation=issue.recommendation,
                cost_pence=issue.cost_of_change_pence,
            )
            for issue, type_name, _raised, owned, _priority, severity, decided_by in rows
        ]


# --------------------------------------------------------------------------- history


def issue_history(db, key: str, identifier: str) -> list[HistoryLine]:
    """Every recorded change to an issue, oldest first, in the register's words: its fields,
    its lifecycle and decisions, and its links to risks."""
    from tracker.services.history import HistoryWords, audit_history, people_names
    from tracker.services.links import issue_link_reader

    with db.read() as session:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        people = people_names(session)
        types = dict(
            session.execute(
                select(IssueType.id, IssueType.name).where(IssueType.project_id == project.id)
            ).all()
        )
        words = HistoryWords(
            created="raised",
            label=issue.identifier,
            names={"issue_type_id": "type", "has_issue_report": "issue report"},
            lookups={
                "issue_type_id": types,
                "raised_by_id": people,
                "author_id": people,
                "owner_id": people,
                "decision_by_id": people,
            },
            money=frozenset({"cost_of_change_pence"}),
            dates=frozenset({"date_raised", "decision_date", "closure_date"}),
            flags=frozenset({"has_issue_report"}),
        )
        return audit_history(
            session,
            "issue",
            issue.id,
            words,
            [issue_link_reader(session, project.id, issue_id=issue.id)],
        )
