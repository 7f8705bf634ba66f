"""Escalation links between the risk and issue registers.

A risk that materialises becomes an issue: the issue is raised from the risk (and, unless the
project manager keeps it open, the risk is closed saying which issue it became). An issue can
raise a risk: an impact analysis that finds a new uncertainty puts it in the risk register. Each
link is one row both registers read, so the risk's detail and the issue's report each name the
other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from db.models import Issue, IssueRiskLink, Risk
from tracker.domain.dates import format_date
from tracker.domain.validation import ValidationError
from tracker.services.history import HistoryLine, Related
from tracker.services.records import apply_edit, run_write

BECAME_ISSUE, RAISED_RISK = "risk became issue", "issue raised risk"


@dataclass(frozen=True)
class LinkView:
    """One end of a link as the other register shows it."""

    identifier: str  # the other record: I-007 on a risk, R-014 on an issue
    title: str
    kind: str
    linked_on: date

    def on_risk(self) -> str:
        if self.kind == BECAME_ISSUE:
            return f"materialised as issue {self.identifier} on {format_date(self.linked_on)}"
        return f"raised by issue {self.identifier} on {format_date(self.linked_on)}"

    def on_issue(self) -> str:
        if self.kind == BECAME_ISSUE:
            return (
                f"from risk {self.identifier}, which materialised on {format_date(self.linked_on)}"
            )
        return f"raised risk {self.identifier} on {format_date(self.linked_on)}"


def link(session: Session, issue: Issue, risk: Risk, kind: str, on: date) -> IssueRiskLink:
    row = IssueRiskLink(
        project_id=issue.project_id, issue_id=issue.id, risk_id=risk.id, kind=kind, linked_on=on
    )
    session.add(row)
    session.flush()
    return row


def risk_links(session: Session, risk_id: int) -> tuple[LinkView, ...]:
    rows = session.execute(
        select(Issue.identifier, Issue.title, IssueRiskLink.kind, IssueRiskLink.linked_on)
        .join(Issue, Issue.id == IssueRiskLink.issue_id)
        .where(IssueRiskLink.risk_id == risk_id)
        .order_by(IssueRiskLink.linked_on, Issue.number)
    ).all()
    return tuple(LinkView(*row) for row in rows)


def issue_links(session: Session, issue_id: int) -> tuple[LinkView, ...]:
    rows = session.execute(
        select(Risk.identifier, Risk.title, IssueRiskLink.kind, IssueRiskLink.linked_on)
        .join(Risk, Risk.id == IssueRiskLink.risk_id)
        .where(IssueRiskLink.issue_id == issue_id)
        .order_by(IssueRiskLink.linked_on, Risk.number)
    ).all()
    return tuple(LinkView(*row) for row in rows)


def issue_link_reader(
    session: Session, project_id: int, *, risk_id: int | None = None, issue_id: int | None = None
) -> Related:
    """The link rows in a risk's or an issue's history ("issue linked: I-007")."""
    issues = dict(
        session.execute(
            select(Issue.id, Issue.identifier).where(Issue.project_id == project_id)
        ).all()
    )
    risks = dict(
        session.execute(select(Risk.id, Risk.identifier).where(Risk.project_id == project_id)).all()
    )

    def describe(entry) -> HistoryLine | None:
        linked_issue, linked_risk = (int(part) for part in entry.record_id.split(":"))
        other = (
            risks.get(linked_risk, str(linked_risk))
            if issue_id is not None
            else issues.get(linked_issue, str(linked_issue))
        )
        what = "risk" if issue_id is not None else "issue"
        if entry.action == "insert":
            return HistoryLine(
                entry.occurred_at, entry.actor, f"{what} linked", f"{what}s", "", other
            )
        if entry.action == "delete":
            return HistoryLine(
                entry.occurred_at, entry.actor, f"{what} unlinked", f"{what}s", other, ""
            )
        return None

    pattern = f"%:{risk_id}" if risk_id is not None else f"{issue_id}:%"
    return Related("issue_risk_link", pattern, describe)


# --------------------------------------------------------------------------- making links


@dataclass(frozen=True)
class Escalated:
    """What an escalation made: the new record, and what happened to the one it came from."""

    issue: str
    risk: str
    issue_id: int
    risk_id: int
    identifier: str  # the new record (for the screens' notice)
    version: int  # the new record's
    risk_closed: bool = False


def _raised_from_risk(risk: Risk, people_name, today: date) -> dict[str, str]:
    """The issue a materialised risk becomes, before the person adds to it."""
    description = " ".join(
        part
        for part in (
            f"Risk {risk.identifier} has materialised.",
            f"Event: {risk.event}" if risk.event else "",
            f"Effect: {risk.effect}" if risk.effect else "",
        )
        if part
    )
    return {
        "type": "problem/concern",
        "title": risk.title,
        "description": description,
        "date raised": format_date(today),
        "raised by": people_name(risk.owner_id),
        "owner": people_name(risk.owner_id),
    }


def materialise_risk(
    db,
    key: str,
    risk_identifier: str,
    raw: Mapping[str, object],
    *,
    close_risk: bool = True,
    today: date,
    actor: str | None = None,
) -> Escalated:
    """A risk has materialised: raise it as an issue (raw issue fields, over defaults taken
    from the risk) linked to the risk, and close the risk saying which issue it became unless
    ``close_risk`` is False. One transaction: the issue, the link and the closure, or nothing."""
    from tracker.services.configuration import load_vocabulary
    from tracker.services.fields import PeopleResolver
    from tracker.services.issue_changes import refuse_unknown_issue_fields
    from tracker.services.issues import ISSUE_FIELDS, create_issue, parse_issue
    from tracker.services.projects import project_by_key
    from tracker.services.risk_changes import find_risk, model_changes, risk_raw_values
    from tracker.services.risks import parse_risk

    refuse_unknown_issue_fields(raw, ISSUE_FIELDS, "a new issue starts raised")

    def work(session: Session) -> Escalated:
        project = project_by_key(session, key)
        risk = find_risk(session, project, risk_identifier)
        label = f"{project.key} {risk.identifier}"
        vocabulary = load_vocabulary(session, project.id)
        people = PeopleResolver(session, project.id)
        values = _raised_from_risk(risk, people.name_of, today)
        values |= {k: v for k, v in raw.items() if v not in (None, "")}
        values["status"] = "raised"
        data = parse_issue(values, vocabulary, people, today=today)
        issue = create_issue(session, project, data)
        link(session, issue, risk, BECAME_ISSUE, data.date_raised)
        closed = False
        if close_risk and risk.status != "closed":
            current = risk_raw_values(session, risk, vocabulary)
            reason = f"Materialised: became issue {issue.identifier}."
            changed = parse_risk(
                current
                | {"status": "closed", "closure reason": reason, "closed on": format_date(today)},
                vocabulary,
                people,
                today=today,
            )
            apply_edit(session, risk, risk.version, model_changes(risk, changed), label=label)
            closed = True
        return Escalated(
            issue.identifier,
            risk.identifier,
            issue.id,
            risk.id,
            issue.identifier,
            issue.version,
            closed,
        )

    return run_write(db, work, actor=actor)


def raise_risk_from_issue(
    db,
    key: str,
    issue_identifier: str,
    raw: Mapping[str, object],
    *,
    today: date,
    actor: str | None = None,
) -> Escalated:
    """An issue raises a risk: register the risk (raw risk fields, validated by ``parse_risk``)
    linked to the issue that raised it."""
    from tracker.services.configuration import load_vocabulary
    from tracker.services.fields import PeopleResolver
    from tracker.services.issue_changes import find_issue
    from tracker.services.projects import project_by_key
    from tracker.services.risks import RISK_FIELDS, create_risk, parse_risk

    unknown = sorted(set(raw) - set(RISK_FIELDS))
    if unknown:
        raise ValidationError.single(unknown[0], "is not a field of the risk register")

    def work(session: Session) -> Escalated:
        project = project_by_key(session, key)
        issue = find_issue(session, project, issue_identifier)
        vocabulary = load_vocabulary(session, project.id)
        values = dict(raw)
        if not str(values.get("notes") or "").strip():
            values["notes"] = f"Raised by issue {issue.identifier}."
        data = parse_risk(values, vocabulary, PeopleResolver(session, project.id), today=today)
        risk = create_risk(session, project, data)
        link(session, issue, risk, RAISED_RISK, data.date_registered)
        return Escalated(
            issue.identifier, risk.identifier, issue.id, risk.id, risk.identifier, risk.version
        )

    return run_write(db, work, actor=actor)


def materialise_defaults(
    db, key: str, risk_identifier: str, *, today: date
) -> tuple[dict[str, str], str]:
    """The issue a materialised risk would become (raw fields the person then adjusts), and the
    risk's title."""
    from tracker.services.fields import PeopleResolver
    from tracker.services.projects import project_by_key
    from tracker.services.risk_changes import find_risk

    with db.read() as session:
        project = project_by_key(session, key)
        risk = find_risk(session, project, risk_identifier)
        people = PeopleResolver(session, project.id)
        return _raised_from_risk(risk, people.name_of, today), risk.title
