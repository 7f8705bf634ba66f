"""Changing the issue register: raising an issue, editing it (the issue report's fields), moving
it through its lifecycle and recording decisions.

Every change is one transaction, validated as a whole by ``parse_issue`` (the one validation
path) after the change-control rules of ``tracker.domain.change_control`` have allowed it, and
refused like any other stale save when someone changed the issue since it was opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import DECISION_AUTHORITIES, ISSUE_DECISIONS, Issue, IssueType, Person, Project
from tracker.domain import change_control as cc
from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.domain.validation import (
    InvalidValue,
    Problems,
    ValidationError,
    choice,
    refuse_unknown_fields,
)
from tracker.errors import NotFound
from tracker.services.configuration import Vocabulary, load_vocabulary
from tracker.services.fields import PeopleResolver
from tracker.services.issues import (
    DECIDED_FIELDS,
    ISSUE_FIELDS,
    LIFECYCLE_FIELDS,
    IssueInput,
    create_issue,
    parse_issue,
)
from tracker.services.people import project_people_names
from tracker.services.records import (
    apply_edit,
    changed_fields,
    refuse_if_moved_on,
    run_edit,
    run_write,
)

DECISION_INPUTS = (
    "decision",
    "decided by authority",
    "decision by",
    "decision date",
    "decision rationale",
    "escalated to",
    "cost of change",
)
CLEARED_ON_REOPENING = (
    "decision",
    "decision by",
    "decided by authority",
    "decision date",
    "decision rationale",
)


@dataclass(frozen=True)
class SavedIssue:
    identifier: str
    version: int
    changed: tuple[str, ...]  # model fields that changed
    issue_id: int | None = None
    status: str = ""


def find_issue(session: Session, project: Project, identifier: str) -> Issue:
    issue = session.exec(
        select(Issue).where(Issue.project_id == project.id, Issue.identifier == identifier.upper())
    ).first()
    if issue is None:
        raise NotFound(f"{project.key} has no issue {identifier.upper()}")
    return issue


def issue_raw_values(session: Session, issue: Issue, vocabulary: Vocabulary) -> dict[str, str]:
    """The issue as the raw text values ``parse_issue`` takes (and the form shows)."""

    def person(person_id: int | None) -> str:
        found = session.get(Person, person_id) if person_id else None
        return found.name if found else ""

    def when(value: date | None) -> str:
        return format_date(value) if value else ""

    values = {
        "type": vocabulary.issue_type_names.get(issue.issue_type_id, ""),
        "title": issue.title,
        "description": issue.description,
        "date raised": format_date(issue.date_raised),
        "raised by": person(issue.raised_by_id),
        "author": person(issue.author_id),
        "owner": person(issue.owner_id),
        "priority": str(issue.priority),
        "severity": str(issue.severity),
        "issue report": "yes" if issue.has_issue_report else "no",
        "impact time": issue.impact_time,
        "impact cost": issue.impact_cost,
        "impact quality": issue.impact_quality,
        "impact scope": issue.impact_scope,
        "impact benefits": issue.impact_benefits,
        "impact risk": issue.impact_risk,
        "cost of change": format_money(issue.cost_of_change_pence),
        "options": issue.options,
        "recommendation": issue.recommendation,
        "notes": issue.notes,
        "status": issue.status,
        "decision": issue.decision or "",
        "decision by": person(issue.decision_by_id),
        "decided by authority": issue.decided_by_authority or "",
        "decision date": when(issue.decision_date),
        "decision rationale": issue.decision_rationale,
        "closure date": when(issue.closure_date),
        "escalated to": issue.escalated_to or "",
    }
    assert set(values) == set(ISSUE_FIELDS) | set(LIFECYCLE_FIELDS)
    return values


def model_changes(issue: Issue, data: IssueInput) -> dict[str, object]:
    return changed_fields(issue, data)


def change_budget_of(session: Session, project: Project, *, excluding: int | None = None):
    """The change budget and what approved changes (of the types that use it) have drawn."""
    query = (
        select(func.coalesce(func.sum(Issue.cost_of_change_pence), 0), func.count(Issue.id))
        .join(IssueType, IssueType.id == Issue.issue_type_id)
        .where(
            Issue.project_id == project.id,
            Issue.decision == cc.APPROVED,
            IssueType.uses_change_budget.is_(True),
            Issue.cost_of_change_pence.is_not(None),
        )
    )
    if excluding is not None:
        query = query.where(Issue.id != excluding)
    drawn, count = session.exec(query).one()
    return cc.ChangeBudget(project.change_budget_pence, int(drawn), int(count))


def refuse_unknown_issue_fields(
    raw: Mapping[str, object], allowed: tuple[str, ...], what: str
) -> None:
    """As ``refuse_unknown_fields``, saying where a lifecycle field is changed instead."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown and unknown[0] in LIFECYCLE_FIELDS:
        raise ValidationError.single(
            unknown[0], f"changes through the lifecycle ({what}), not the issue's fields"
        )
    refuse_unknown_fields(raw, allowed, "issue register")


def add_issue(
    db, key: str, raw: Mapping[str, object], *, today: date, actor: str | None = None
) -> SavedIssue:
    """Raise a new issue from raw field values (the form's or the command line's). It takes
    the next identifier and starts its lifecycle as raised."""
    from tracker.services.projects import project_by_key

    refuse_unknown_issue_fields(raw, ISSUE_FIELDS, "a new issue starts raised")

    def work(session: Session) -> SavedIssue:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        values = dict(raw) | {"status": cc.RAISED}
        data = parse_issue(values, vocabulary, PeopleResolver(session, project.id), today=today)
        issue = create_issue(session, project, data)
        return SavedIssue(issue.identifier, issue.version, tuple(ISSUE_FIELDS), issue.id, "raised")

    return run_write(db, work, actor=actor)


def change_issue(
    db,
    key: str,
    identifier: str,
    changes: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
    opened: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> SavedIssue:
    """Apply raw field ``changes`` (names as in ``ISSUE_FIELDS``) to an issue, validated as a
    whole by ``parse_issue``. Status and decisions change only through ``advance_issue`` and
    ``decide_issue``; once decided, the type, severity and cost of change are fixed."""
    from tracker.services.projects import project_by_key

    refuse_unknown_issue_fields(changes, ISSUE_FIELDS, "advance or decide")

    def work(session: Session) -> SavedIssue:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        label = f"{project.key} {issue.identifier}"
        current = issue_raw_values(session, issue, vocabulary)
        refuse_if_moved_on(
            session, issue, label, opened_version, changes, current=current, opened=opened
        )
        if issue.decision:
            for name in DECIDED_FIELDS:
                if name in changes and str(changes[name] or "").strip() != current[name]:
                    raise ValidationError.single(
                        name,
                        f"is fixed once {issue.identifier} is decided ({issue.decision}); "
                        "raise a new issue to change it",
                    )
        raw = current | dict(changes)
        data = parse_issue(raw, vocabulary, PeopleResolver(session, project.id), today=today)
        fields = model_changes(issue, data)
        apply_edit(session, issue, issue.version, fields, label=label)
        return SavedIssue(issue.identifier, issue.version, tuple(fields), issue.id, issue.status)

    return run_edit(db, work, opened_version=opened_version, actor=actor)


def advance_issue(
    db,
    key: str,
    identifier: str,
    *,
    to: str,
    on: str = "",
    opened_version: int | None,
    today: date,
    actor: str | None = None,
) -> SavedIssue:
    """Move an issue to its next status in the lifecycle (examined, options proposed,
    implemented, closed; or back for more work after a deferral or a request for more
    information). ``on`` is the closure date (default today). A decision is not a move: it is
    recorded by ``decide_issue``."""
    from tracker.services.projects import project_by_key

    problems = Problems()
    target = problems.take("status", choice, to, cc.STATUSES)
    problems.check()
    if target == cc.DECIDED:
        raise ValidationError.single(
            "status", "an issue is decided by recording the decision (who, at what level, why)"
        )

    def work(session: Session) -> SavedIssue:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        label = f"{project.key} {issue.identifier}"
        current = issue_raw_values(session, issue, vocabulary)
        refuse_if_moved_on(
            session, issue, label, opened_version, {"status": target}, current=current, opened=None
        )
        moves = Problems()
        moves.take(
            "status",
            cc.check_transition,
            issue.status,
            target,
            issue.decision,
            who=issue.identifier,
        )
        moves.check()
        raw = current | {"status": target}
        if target == cc.CLOSED:
            raw["closure date"] = on or format_date(today)
        if issue.status == cc.DECIDED and target in (cc.EXAMINED, cc.OPTIONS):
            # Back for more work: the deferral or request for more information stays in the
            # history; the issue now waits for a new decision.
            raw |= dict.fromkeys(CLEARED_ON_REOPENING, "")
        data = parse_issue(raw, vocabulary, PeopleResolver(session, project.id), today=today)
        fields = model_changes(issue, data)
        apply_edit(session, issue, issue.version, fields, label=label)
        return SavedIssue(issue.identifier, issue.version, tuple(fields), issue.id, issue.status)

    return run_edit(db, work, opened_version=opened_version, actor=actor)


def decide_issue(
    db,
    key: str,
    identifier: str,
    raw: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
    actor: str | None = None,
) -> SavedIssue:
    """Record a decision on an issue (raw values keyed by ``DECISION_INPUTS``): approved,
    rejected, deferred, escalated, request more information or a concession, at a level of
    authority and by a person holding a role at that level. Refused when the issue is not ready
    for a decision, when the level is below the one its severity (or an escalation) requires,
    and when an approval would overspend the change budget below the project board."""
    return run_edit(
        db,
        lambda session: apply_decision(
            session, key, identifier, raw, opened_version=opened_version, today=today
        ),
        opened_version=opened_version,
        actor=actor,
    )


def apply_decision(
    session: Session,
    key: str,
    identifier: str,
    raw: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
) -> SavedIssue:
    """``decide_issue`` inside the caller's transaction (the board review records its own
    decision log entry in the same one)."""
    from tracker.services.projects import project_by_key

    unknown = sorted(set(raw) - set(DECISION_INPUTS))
    if unknown:
        raise ValidationError.single(unknown[0], "is not part of a decision")
    project = project_by_key(session, key)
    issue = find_issue(session, project, identifier)
    vocabulary = load_vocabulary(session, project.id)
    label = f"{project.key} {issue.identifier}"
    current = issue_raw_values(session, issue, vocabulary)
    refuse_if_moved_on(
        session, issue, label, opened_version, dict(raw), current=current, opened=None
    )
    type_name = vocabulary.issue_type_names[issue.issue_type_id]
    problems = Problems()
    decision = problems.take("decision", choice, _text(raw, "decision"), ISSUE_DECISIONS)
    authority = problems.take(
        "decided by authority",
        choice,
        _text(raw, "decided by authority"),
        DECISION_AUTHORITIES,
    )
    if decision:
        problems.take(
            "decision",
            cc.check_decision,
            issue.status,
            issue.decision,
            decision,
            type_name,
            who=issue.identifier,
        )
    problems.check()
    values = current | {
        "status": cc.DECIDED,
        "decision": decision,
        "decided by authority": authority,
        "decision by": _text(raw, "decision by"),
        "decision date": _text(raw, "decision date") or format_date(today),
        "decision rationale": _text(raw, "decision rationale"),
    }
    if decision == cc.ESCALATED:
        values["escalated to"] = _text(raw, "escalated to")
    if "cost of change" in raw:
        values["cost of change"] = _text(raw, "cost of change")
    data = parse_issue(values, vocabulary, PeopleResolver(session, project.id), today=today)
    if (
        decision == cc.ESCALATED
        and issue.escalated_to
        and cc.rank(authority) < cc.rank(issue.escalated_to)
    ):
        raise ValidationError.single(
            "decided by authority",
            f"{issue.identifier} is already escalated to the {issue.escalated_to}",
        )
    if decision == cc.APPROVED and vocabulary.issue_type_uses_budget.get(issue.issue_type_id):
        budget = change_budget_of(session, project, excluding=issue.id)
        cost = data.cost_of_change_pence or 0
        checked = Problems()
        checked.take("decision", cc.check_draw, budget, cost, authority)
        checked.check()
    fields = model_changes(issue, data)
    apply_edit(session, issue, issue.version, fields, label=label)
    return SavedIssue(issue.identifier, issue.version, tuple(fields), issue.id, issue.status)


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


# --------------------------------------------------------------------------- for the screens


@dataclass(frozen=True)
class IssueFormChoices:
    """What the issue form offers, from the project's own vocabularies and people."""

    types: tuple[str, ...]
    priority: tuple[tuple[int, str], ...]  # (level, "4 High")
    severity: tuple[tuple[int, str], ...]  # (level, "4 Major: project board")
    people: tuple[str, ...]


def issue_form_choices(db, key: str) -> IssueFormChoices:
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        return IssueFormChoices(
            types=tuple(vocabulary.issue_types),
            priority=tuple((lv, v.label) for lv, v in vocabulary.priority.items()),
            severity=tuple(
                (lv, f"{v.label}: {vocabulary.severity_decided_by[lv]}")
                for lv, v in vocabulary.severity.items()
            ),
            people=project_people_names(session, project.id),
        )


def issue_for_editing(db, key: str, identifier: str) -> tuple[dict[str, str], int]:
    """The issue's raw field values as the form shows them, and the version they were read at."""
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        return issue_raw_values(session, issue, vocabulary), issue.version


@dataclass(frozen=True)
class LifecycleChoices:
    """What the decide and advance dialogs need to know about one issue."""

    identifier: str
    title: str
    issue_type: str
    status: str
    decision: str | None
    version: int
    severity: str  # "4 Major"
    required: str  # the level that must decide now
    escalated_to: str | None
    next_statuses: tuple[str, ...]  # moves other than a decision
    can_decide: bool
    decisions: tuple[str, ...]  # the decisions open to it
    authorities: tuple[str, ...]  # the levels that may decide it
    people: tuple[str, ...]
    deciders: dict[str, tuple[str, ...]]  # level -> people who hold a role at that level
    uses_budget: bool
    cost_pence: int | None
    budget: cc.ChangeBudget  # without this issue's own draw


def lifecycle_choices(db, key: str, identifier: str) -> LifecycleChoices:
    from db.models import RoleAssignment
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        issue = find_issue(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        type_name = vocabulary.issue_type_names[issue.issue_type_id]
        by_severity = vocabulary.severity_decided_by[issue.severity]
        required = cc.required_authority(by_severity, issue.escalated_to)
        roles: dict[str, set[str]] = {}
        for name, role in session.exec(
            select(Person.name, RoleAssignment.role)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(RoleAssignment.project_id == project.id)
        ):
            roles.setdefault(name, set()).add(role)
        people = project_people_names(session, project.id)
        deciders = {
            level: tuple(
                p
                for p in people
                if level not in cc.DECIDER_ROLES
                or roles.get(p, set()) & set(cc.DECIDER_ROLES[level])
            )
            for level in cc.AUTHORITIES
        }
        can_decide = True
        try:
            cc.check_decision(issue.status, issue.decision, cc.APPROVED, type_name)
        except InvalidValue:
            can_decide = False
        decisions = tuple(
            d
            for d in ISSUE_DECISIONS
            if (d != cc.CONCESSION or type_name == cc.OFF_SPECIFICATION)
            and (d != cc.ESCALATED or required != cc.CORPORATE)
        )
        return LifecycleChoices(
            identifier=issue.identifier,
            title=issue.title,
            issue_type=type_name,
            status=issue.status,
            decision=issue.decision,
            version=issue.version,
            severity=vocabulary.severity[issue.severity].label,
            required=required,
            escalated_to=issue.escalated_to,
            next_statuses=tuple(
                s for s in cc.next_statuses(issue.status, issue.decision) if s != cc.DECIDED
            ),
            can_decide=can_decide,
            decisions=decisions,
            authorities=cc.AUTHORITIES[cc.rank(required) :],
            people=people,
            deciders=deciders,
            uses_budget=bool(vocabulary.issue_type_uses_budget.get(issue.issue_type_id)),
            cost_pence=issue.cost_of_change_pence,
            budget=change_budget_of(session, project, excluding=issue.id),
        )
