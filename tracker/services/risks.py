"""The risk register: validating and recording risks.

``parse_risk`` is the one validation path for the form, the importer, the command line and the
worked example: it takes raw values keyed by field name and either returns a ``RiskInput`` or
raises ``ValidationError`` naming every bad field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import PROXIMITY_BANDS, RISK_KINDS, RISK_STATUSES, Project, Risk, RiskActionee
from tracker.domain.dates import parse_optional_date
from tracker.domain.money import parse_optional_money
from tracker.domain.validation import InvalidValue, Problems, choice, optional_text, required_text
from tracker.services.configuration import Vocabulary
from tracker.services.fields import PeopleResolver, match_name, parse_level

RISK_FIELDS = (
    "kind",
    "title",
    "cause",
    "event",
    "effect",
    "category",
    "author",
    "date registered",
    "inherent probability",
    "inherent impact",
    "inherent cost impact",
    "residual probability",
    "residual impact",
    "residual cost impact",
    "proximity date",
    "proximity band",
    "response category",
    "response",
    "early warning indicators",
    "status",
    "owner",
    "actionees",
    "closed on",
    "closure reason",
    "notes",
)


@dataclass(frozen=True)
class RiskInput:
    kind: str
    title: str
    cause: str
    event: str
    effect: str
    category_id: int | None
    author_id: int | None
    date_registered: date
    inherent_probability: int
    inherent_impact: int
    inherent_cost_impact_pence: int | None
    residual_probability: int | None
    residual_impact: int | None
    residual_cost_impact_pence: int | None
    proximity_date: date | None
    proximity_band: str | None
    response_category_id: int | None
    response: str
    early_warning_indicators: str
    status: str
    owner_id: int | None
    actionee_ids: tuple[int, ...]
    closed_on: date | None
    closure_reason: str
    notes: str


def _split_names(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


def parse_risk(
    raw: Mapping[str, object],
    vocabulary: Vocabulary,
    people: PeopleResolver,
    *,
    today: date,
    row: int | None = None,
    add_category: Callable[[str], int] | None = None,
) -> RiskInput:
    """Validate one risk given as raw values keyed by the names in ``RISK_FIELDS``.
    ``add_category`` (the importer) takes a category the project does not know yet and returns
    its id; without it an unknown category is refused."""
    problems = Problems(row)

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    kind = problems.take("kind", choice, get("kind") or "threat", RISK_KINDS)
    title = problems.take("title", required_text, get("title"), max_length=200)
    category_id = None
    category = str(get("category") or "").strip()
    if category:
        name = match_name(category, list(vocabulary.categories))
        if name is not None:
            category_id = vocabulary.categories[name]
        elif add_category is not None:
            category_id = add_category(category)
        else:
            problems.add(
                "category", f"{category!r} is not one of: {', '.join(vocabulary.categories)}"
            )
    registered = (
        problems.take("date registered", parse_optional_date, get("date registered")) or today
    )
    inherent_p = problems.take(
        "inherent probability", parse_level, get("inherent probability"), vocabulary.probability
    )
    inherent_i = problems.take(
        "inherent impact", parse_level, get("inherent impact"), vocabulary.impact
    )
    inherent_cost = problems.take(
        "inherent cost impact", parse_optional_money, get("inherent cost impact")
    )
    residual_p = problems.take(
        "residual probability",
        parse_level,
        get("residual probability"),
        vocabulary.probability,
        required=False,
    )
    residual_i = problems.take(
        "residual impact", parse_level, get("residual impact"), vocabulary.impact, required=False
    )
    if (residual_p is None) != (residual_i is None):
        missing = "residual impact" if residual_i is None else "residual probability"
        if not any(e.field == missing for e in problems.errors):
            problems.add(missing, "is required when the other residual value is given")
    residual_cost = problems.take(
        "residual cost impact", parse_optional_money, get("residual cost impact")
    )
    proximity_date = problems.take("proximity date", parse_optional_date, get("proximity date"))
    proximity_band = problems.take(
        "proximity band", choice, get("proximity band"), PROXIMITY_BANDS, required=False
    )
    response_id = None
    response_name = str(get("response category") or "").strip()
    if response_name and kind:
        allowed = [name for (k, name) in vocabulary.responses if k == kind]
        name = match_name(response_name, allowed)
        if name is None:
            problems.add(
                "response category",
                f"{response_name!r} does not fit a {kind}; choose one of: {', '.join(allowed)}",
            )
        else:
            response_id = vocabulary.responses[(kind, name)]
    status = problems.take("status", choice, get("status") or "active", RISK_STATUSES)
    owner_id = problems.take("owner", people.resolve, get("owner"), required=status != "draft")
    actionee_ids = []
    for name in _split_names(raw.get("actionees")):
        person_id = problems.take("actionees", people.resolve, name)
        if person_id is not None and person_id not in actionee_ids:
            actionee_ids.append(person_id)
    author_id = problems.take("author", people.resolve, get("author"))
    closed_on = problems.take("closed on", parse_optional_date, get("closed on"))
    closure_reason = optional_text(get("closure reason"))
    if status == "closed":
        closed_on = closed_on or today
        if not closure_reason:
            problems.add("closure reason", "is required to close a risk")
    problems.check()
    return RiskInput(
        kind=kind,
        title=title,
        cause=optional_text(get("cause")),
        event=optional_text(get("event")),
        effect=optional_text(get("effect")),
        category_id=category_id,
        author_id=author_id,
        date_registered=registered,
        inherent_probability=inherent_p,
        inherent_impact=inherent_i,
        inherent_cost_impact_pence=inherent_cost,
        residual_probability=residual_p,
        residual_impact=residual_i,
        residual_cost_impact_pence=residual_cost,
        proximity_date=proximity_date,
        proximity_band=proximity_band,
        response_category_id=response_id,
        response=optional_text(get("response")),
        early_warning_indicators=optional_text(get("early warning indicators")),
        status=status,
        owner_id=owner_id,
        actionee_ids=tuple(actionee_ids),
        closed_on=closed_on if status == "closed" else None,
        closure_reason=closure_reason,
        notes=optional_text(get("notes")),
    )


def next_number(session: Session, model, project_id: int) -> int:
    current = session.exec(
        select(func.max(model.number)).where(model.project_id == project_id)
    ).first()
    return (current or 0) + 1


def parse_identifier(value: str, prefix: str) -> int:
    """``R-007`` to 7; the number after the project's prefix."""
    text = value.strip().upper()
    if not text.startswith(prefix + "-") or not text[len(prefix) + 1 :].isdigit():
        raise InvalidValue(f"{value!r} is not an identifier like {prefix}-001")
    return int(text[len(prefix) + 1 :])


def create_risk(
    session: Session, project: Project, data: RiskInput, *, number: int | None = None
) -> Risk:
    """Record a new risk with the next identifier (``R-001``...) unless one is given."""
    number = number or next_number(session, Risk, project.id)
    values = {k: v for k, v in data.__dict__.items() if k != "actionee_ids"}
    risk = Risk(project_id=project.id, number=number, identifier=f"R-{number:03d}", **values)
    session.add(risk)
    session.flush()
    for person_id in data.actionee_ids:
        session.add(RiskActionee(risk_id=risk.id, person_id=person_id))
    return risk
