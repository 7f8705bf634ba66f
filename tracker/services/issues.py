"""The issue register: validating and recording issues (with issue-report fields where the issue
is handled formally)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from db.models import DECISION_AUTHORITIES, ISSUE_DECISIONS, ISSUE_STATUSES, Issue, Project
from tracker.domain import change_control as cc
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.money import parse_optional_money
from tracker.domain.validation import InvalidValue, Problems, choice, optional_text, required_text
from tracker.services.configuration import Vocabulary
from tracker.services.fields import PeopleResolver, match_name, parse_level
from tracker.services.people import roles_of
from tracker.services.risks import next_number

IMPACT_FIELDS = (
    "impact time",
    "impact cost",
    "impact quality",
    "impact scope",
    "impact benefits",
    "impact risk",
)
# What the issue form and ``tracker issues update`` change.
ISSUE_FIELDS = (
    "type",
    "title",
    "description",
    "date raised",
    "raised by",
    "author",
    "owner",
    "priority",
    "severity",
    "issue report",
    *IMPACT_FIELDS,
    "cost of change",
    "options",
    "recommendation",
    "notes",
)
# What only the lifecycle changes (``advance_issue`` and ``decide_issue``).
LIFECYCLE_FIELDS = (
    "status",
    "decision",
    "decision by",
    "decided by authority",
    "decision date",
    "decision rationale",
    "closure date",
    "escalated to",
)
# Fixed once a decision is recorded: what the decision was about and what it drew.
DECIDED_FIELDS = ("type", "severity", "cost of change")


@dataclass(frozen=True)
class IssueInput:
    issue_type_id: int
    title: str
    description: str
    date_raised: date
    raised_by_id: int | None
    author_id: int | None
    owner_id: int | None
    priority: int
    severity: int
    status: str
    has_issue_report: bool
    impact_time: str
    impact_cost: str
    impact_quality: str
    impact_scope: str
    impact_benefits: str
    impact_risk: str
    cost_of_change_pence: int | None
    options: str
    recommendation: str
    decision: str | None
    decision_by_id: int | None
    decided_by_authority: str | None
    decision_date: date | None
    decision_rationale: str
    closure_date: date | None
    notes: str
    escalated_to: str | None = None


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().casefold()
    if text in ("", "no", "n", "false", "0"):
        return False
    if text in ("yes", "y", "true", "1"):
        return True
    raise InvalidValue(f"{value!r} is not yes or no")


def parse_issue(
    raw: Mapping[str, object],
    vocabulary: Vocabulary,
    people: PeopleResolver,
    *,
    today: date,
    row: int | None = None,
) -> IssueInput:
    """Validate one issue given as raw values keyed by the names in ``ISSUE_FIELDS`` and
    ``LIFECYCLE_FIELDS``: the one path for the form, the command line and the worked example.
    Besides each value it checks that the recorded state holds together: a decided issue has a
    decision made at its severity's level or above by someone who holds a role at that level,
    dates run forwards, a closed issue has its closure date. (How an issue moves from one state
    to the next is ``tracker.domain.change_control``'s, applied by ``advance_issue`` and
    ``decide_issue``.)"""
    problems = Problems(row)

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    type_id = None
    type_name = str(get("type") or "").strip()
    found = match_name(type_name, list(vocabulary.issue_types)) if type_name else None
    if not type_name:
        problems.add("type", "is required")
    elif found is None:
        problems.add("type", f"{type_name!r} is not one of: {', '.join(vocabulary.issue_types)}")
    else:
        type_id = vocabulary.issue_types[found]
    title = problems.take("title", required_text, get("title"), max_length=200)
    raised = problems.take("date raised", parse_optional_date, get("date raised")) or today
    priority = problems.take("priority", parse_level, get("priority"), vocabulary.priority)
    severity = problems.take("severity", parse_level, get("severity"), vocabulary.severity)
    status = problems.take("status", choice, get("status") or "raised", ISSUE_STATUSES)
    decision = problems.take("decision", choice, get("decision"), ISSUE_DECISIONS, required=False)
    authority = problems.take(
        "decided by authority",
        choice,
        get("decided by authority"),
        DECISION_AUTHORITIES,
        required=False,
    )
    escalated_to = problems.take(
        "escalated to", choice, get("escalated to"), DECISION_AUTHORITIES, required=False
    )
    decision_date = problems.take("decision date", parse_optional_date, get("decision date"))
    decision_by = problems.take("decision by", people.resolve, get("decision by"))
    if decision and decision_date is None:
        problems.add("decision date", "is required when a decision is recorded")
    closure = problems.take("closure date", parse_optional_date, get("closure date"))
    if status == "closed" and closure is None:
        problems.add("closure date", "is required to close an issue")
    for name, when in (("decision date", decision_date), ("closure date", closure)):
        if when is not None and when < raised:
            problems.add(name, f"{format_date(when)} is before the issue was raised")
    if status in ("decided", "implemented") and not decision:
        problems.add("decision", f"is required for an issue that is {status}")
    if status == "implemented" and decision and decision != cc.APPROVED:
        problems.add("decision", f"an issue that is implemented was approved, not {decision}")
    if decision and status in cc.OPEN_STATUSES[:3]:
        problems.add("decision", f"is recorded when the issue is decided, not while {status}")
    if decision and not authority:
        problems.add("decided by authority", "is required when a decision is recorded")
    if decision and authority and authority != cc.CORPORATE and decision_by is None:
        problems.add("decision by", "is required when a decision is recorded")
    if decision == cc.ESCALATED and authority:
        escalated_to = problems.take("escalated to", cc.escalation_target, authority, escalated_to)
    if decision and authority and severity is not None:
        level = f"{severity} ({vocabulary.severity[severity].name})"
        by_severity = vocabulary.severity_decided_by[severity]
        if decision == cc.ESCALATED:
            if cc.rank(authority) < cc.rank(by_severity):
                problems.add(
                    "decided by authority",
                    f"severity {level} is already for the {by_severity}: nothing to escalate",
                )
        else:
            required = cc.required_authority(by_severity, escalated_to)
            why = (
                f"severity {level}"
                if required == by_severity
                else f"an issue escalated to the {required}"
            )
            problems.take("decided by authority", cc.check_authority, required, authority, why=why)
    if decision and authority and decision_by is not None:
        problems.take(
            "decision by",
            cc.check_decider,
            authority,
            roles_of(people.session, people.project_id, decision_by),
            people.name_of(decision_by),
        )
    if decision == cc.CONCESSION and found is not None and found != cc.OFF_SPECIFICATION:
        problems.add(
            "decision", f"a concession is granted only for an off-specification, not a {found}"
        )
    if (
        decision == cc.APPROVED
        and type_id is not None
        and vocabulary.issue_type_uses_budget.get(type_id)
        and get("cost of change") in (None, "")
    ):
        problems.add("cost of change", f"is required to approve a {found}")
    issue = IssueInput(
        issue_type_id=type_id,
        title=title,
        description=optional_text(get("description")),
        date_raised=raised,
        raised_by_id=problems.take("raised by", people.resolve, get("raised by")),
        author_id=problems.take("author", people.resolve, get("author")),
        owner_id=problems.take("owner", people.resolve, get("owner")),
        priority=priority,
        severity=severity,
        status=status,
        has_issue_report=bool(problems.take("issue report", _flag, get("issue report"))),
        impact_time=optional_text(get("impact time")),
        impact_cost=optional_text(get("impact cost")),
        impact_quality=optional_text(get("impact quality")),
        impact_scope=optional_text(get("impact scope")),
        impact_benefits=optional_text(get("impact benefits")),
        impact_risk=optional_text(get("impact risk")),
        cost_of_change_pence=problems.take(
            "cost of change", parse_optional_money, get("cost of change")
        ),
        options=optional_text(get("options")),
        recommendation=optional_text(get("recommendation")),
        decision=decision,
        decision_by_id=decision_by,
        decided_by_authority=authority,
        decision_date=decision_date,
        decision_rationale=optional_text(get("decision rationale")),
        closure_date=closure,
        notes=optional_text(get("notes")),
        escalated_to=escalated_to,
    )
    problems.check()
    return issue


def create_issue(
    session: Session, project: Project, data: IssueInput, *, number: int | None = None
) -> Issue:
    """Record a new issue with the next identifier (``I-001``...) unless one is given."""
    number = number or next_number(session, Issue, project.id)
    issue = Issue(
        project_id=project.id, number=number, identifier=f"I-{number:03d}", **data.__dict__
    )
    session.add(issue)
    session.flush()
    return issue


@dataclass(frozen=True)
class IssueRow:
    identifier: str
    issue_type: str
    title: str
    priority: str
    severity: str
    status: str
    raised_by: str
    date_raised: date
    owner: str
    decision: str
    decision_date: date | None


def list_issues(db, key: str) -> list[IssueRow]:
    from sqlalchemy.orm import aliased
    from sqlmodel import select

    from db.models import IssueType, Person
    from tracker.services.configuration import load_vocabulary
    from tracker.services.projects import project_by_key

    raiser, owner = aliased(Person), aliased(Person)
    with db.read() as session:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        rows = session.exec(
            select(Issue, IssueType.name, raiser.name, owner.name)
            .join(IssueType, IssueType.id == Issue.issue_type_id)
            .join(raiser, raiser.id == Issue.raised_by_id, isouter=True)
            .join(owner, owner.id == Issue.owner_id, isouter=True)
            .where(Issue.project_id == project.id)
            .order_by(Issue.number)
        ).all()
        return [
            IssueRow(
                i.identifier,
                type_name,
                i.title,
                vocabulary.priority[i.priority].label,
                vocabulary.severity[i.severity].label,
                i.status,
                raised or "",
                i.date_raised,
                owned or "",
                i.decision or "",
                i.decision_date,
            )
            for i, type_name, raised, owned in rows
        ]
