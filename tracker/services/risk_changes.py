"""Changing a recorded risk: the record shown as the form's raw values, and a versioned save
that runs the change through ``parse_risk`` (the one validation path) before writing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from db.clock import utcnow
from db.models import Person, Project, Risk, RiskActionee
from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.domain.validation import ValidationError, refuse_unknown_fields
from tracker.errors import NotFound
from tracker.services.configuration import Vocabulary, load_vocabulary
from tracker.services.fields import PeopleResolver
from tracker.services.records import (
    apply_edit,
    changed_fields,
    refuse_if_moved_on,
    run_edit,
    run_write,
)
from tracker.services.risks import RISK_FIELDS, RiskInput, parse_risk


@dataclass(frozen=True)
class SavedRisk:
    identifier: str
    version: int
    changed: tuple[str, ...]  # model fields that changed
    risk_id: int | None = None


def find_risk(session: Session, project: Project, identifier: str) -> Risk:
    risk = session.exec(
        select(Risk).where(Risk.project_id == project.id, Risk.identifier == identifier.upper())
    ).first()
    if risk is None:
        raise NotFound(f"{project.key} has no risk {identifier.upper()}")
    return risk


def risk_raw_values(session: Session, risk: Risk, vocabulary: Vocabulary) -> dict[str, str]:
    """The risk as the raw text values ``parse_risk`` takes (and a form shows)."""

    def person(person_id: int | None) -> str:
        found = session.get(Person, person_id) if person_id else None
        return found.name if found else ""

    def level(value: int | None) -> str:
        return "" if value is None else str(value)

    def money(pence: int | None) -> str:
        return "" if pence is None else format_money(pence)

    actionees = session.exec(
        select(Person.name)
        .join(RiskActionee, RiskActionee.person_id == Person.id)
        .where(RiskActionee.risk_id == risk.id)
        .order_by(Person.name)
    ).all()
    values = {
        "kind": risk.kind,
        "title": risk.title,
        "cause": risk.cause,
        "event": risk.event,
        "effect": risk.effect,
        "category": vocabulary.category_names.get(risk.category_id, ""),
        "author": person(risk.author_id),
        "date registered": format_date(risk.date_registered),
        "inherent probability": level(risk.inherent_probability),
        "inherent impact": level(risk.inherent_impact),
        "inherent cost impact": money(risk.inherent_cost_impact_pence),
        "residual probability": level(risk.residual_probability),
        "residual impact": level(risk.residual_impact),
        "residual cost impact": money(risk.residual_cost_impact_pence),
        "proximity date": format_date(risk.proximity_date) if risk.proximity_date else "",
        "proximity band": risk.proximity_band or "",
        "response category": vocabulary.response_names.get(risk.response_category_id, ""),
        "response": risk.response,
        "early warning indicators": risk.early_warning_indicators,
        "status": risk.status,
        "owner": person(risk.owner_id),
        "actionees": ", ".join(actionees),
        "closed on": format_date(risk.closed_on) if risk.closed_on else "",
        "closure reason": risk.closure_reason,
        "notes": risk.notes,
    }
    assert set(values) == set(RISK_FIELDS)
    return values


def model_changes(risk: Risk, data: RiskInput) -> dict[str, object]:
    return changed_fields(risk, data, leaving=("actionee_ids",))


def change_risk(
    db,
    key: str,
    identifier: str,
    changes: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
    opened: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> SavedRisk:
    """Apply raw field ``changes`` (names as in ``RISK_FIELDS``) to a risk, validated as a whole
    by ``parse_risk``, provided nobody saved it after ``opened_version``. ``opened`` (the raw
    values the editor started from) lets a conflict show what each side changed."""
    from tracker.services.projects import project_by_key

    refuse_unknown_fields(changes, RISK_FIELDS, "risk register")

    def work(session: Session) -> SavedRisk:
        project = project_by_key(session, key)
        risk = find_risk(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        label = f"{project.key} {risk.identifier}"
        current = risk_raw_values(session, risk, vocabulary)
        refuse_if_moved_on(
            session, risk, label, opened_version, changes, current=current, opened=opened
        )
        raw = current | dict(changes)
        data = parse_risk(raw, vocabulary, PeopleResolver(session, project.id), today=today)
        fields = model_changes(risk, data)
        links = list(session.exec(select(RiskActionee).where(RiskActionee.risk_id == risk.id)))
        current = {link.person_id for link in links}
        wanted = set(data.actionee_ids)
        # A change of actionees alone still makes a new version of the risk.
        stamp = {"updated_at": utcnow()} if current != wanted and not fields else {}
        apply_edit(session, risk, risk.version, fields | stamp, label=label)
        for link in links:
            if link.person_id not in wanted:
                session.delete(link)
        for person_id in sorted(wanted - current):
            session.add(RiskActionee(risk_id=risk.id, person_id=person_id))
        session.flush()
        return SavedRisk(risk.identifier, risk.version, tuple(fields), risk.id)

    return run_edit(db, work, opened_version=opened_version, actor=actor)


def add_risk(
    db, key: str, raw: Mapping[str, object], *, today: date, actor: str | None = None
) -> SavedRisk:
    """Register a new risk from raw field values (the form's or the command line's), validated
    by ``parse_risk``; it takes the next identifier."""
    from tracker.services.projects import project_by_key
    from tracker.services.risks import create_risk

    refuse_unknown_fields(raw, RISK_FIELDS, "risk register")

    def work(session: Session) -> SavedRisk:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        data = parse_risk(raw, vocabulary, PeopleResolver(session, project.id), today=today)
        risk = create_risk(session, project, data)
        return SavedRisk(risk.identifier, risk.version, tuple(RISK_FIELDS), risk.id)

    return run_write(db, work, actor=actor)


def close_risk(
    db,
    key: str,
    identifier: str,
    *,
    reason: str,
    closed_on: str = "",
    opened_version: int | None,
    today: date,
    actor: str | None = None,
) -> SavedRisk:
    """Close a risk, with the reason the register keeps (required) and the date (default
    today); refused like any other stale save."""
    if not reason.strip():
        raise ValidationError.single("closure reason", "is required to close a risk")
    return change_risk(
        db,
        key,
        identifier,
        {"status": "closed", "closure reason": reason, "closed on": closed_on},
        opened_version=opened_version,
        today=today,
        actor=actor,
    )


@dataclass(frozen=True)
class RiskFormChoices:
    """What the risk form offers, from the project's own vocabularies and people."""

    kinds: tuple[str, ...]
    categories: tuple[str, ...]
    responses: dict[str, tuple[str, ...]]  # kind -> response categories that fit it
    probability: tuple[tuple[int, str], ...]  # (level, "3 Medium")
    impact: tuple[tuple[int, str], ...]
    proximity_bands: tuple[str, ...]
    statuses: tuple[str, ...]
    people: tuple[str, ...]


def risk_form_choices(db, key: str) -> RiskFormChoices:
    from db.models import PROXIMITY_BANDS, RISK_KINDS, RISK_STATUSES
    from tracker.services.people import project_people
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        people_ids = set(project_people(session, project.id).values())
        people = sorted(
            (p.name for p in session.exec(select(Person)) if p.id in people_ids),
            key=str.casefold,
        )
        return RiskFormChoices(
            kinds=RISK_KINDS,
            categories=tuple(sorted(vocabulary.categories, key=str.casefold)),
            responses={
                kind: tuple(name for (k, name) in vocabulary.responses if k == kind)
                for kind in RISK_KINDS
            },
            probability=tuple((lv, v.label) for lv, v in vocabulary.probability.items()),
            impact=tuple((lv, v.label) for lv, v in vocabulary.impact.items()),
            proximity_bands=PROXIMITY_BANDS,
            statuses=RISK_STATUSES,
            people=tuple(people),
        )


def risk_for_editing(db, key: str, identifier: str) -> tuple[dict[str, str], int]:
    """The risk's raw field values as the form shows them, and the version they were read at."""
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        risk = find_risk(session, project, identifier)
        vocabulary = load_vocabulary(session, project.id)
        return risk_raw_values(session, risk, vocabulary), risk.version
