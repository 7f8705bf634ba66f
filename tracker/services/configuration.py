"""Seeding and reading a project's tailored vocabularies (scales, categories, response types,
issue types, tolerance aspects)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from db.models import (
    ImpactLevel,
    IssueType,
    PriorityLevel,
    ProbabilityLevel,
    RiskCategory,
    RiskResponseType,
    SeverityLevel,
    ToleranceAspect,
)
from tracker.domain.profiles import Profile


def apply_profile(session: Session, project_id: int, profile: Profile) -> None:
    """Copy a profile's vocabularies into a new project."""
    rows: list = []
    for level in profile.probability:
        rows.append(
            ProbabilityLevel(
                project_id=project_id,
                level=level.level,
                name=level.name,
                description=level.description,
                percent=level.percent or 0,
            )
        )
    for level in profile.impact:
        rows.append(
            ImpactLevel(
                project_id=project_id,
                level=level.level,
                name=level.name,
                description=level.description,
            )
        )
    for level in profile.priority:
        rows.append(
            PriorityLevel(
                project_id=project_id,
                level=level.level,
                name=level.name,
                description=level.description,
            )
        )
    for level in profile.severity:
        rows.append(
            SeverityLevel(
                project_id=project_id,
                level=level.level,
                name=level.name,
                description=level.description,
                decided_by=level.decided_by,
            )
        )
    for term in profile.risk_categories:
        rows.append(
            RiskCategory(project_id=project_id, name=term.name, description=term.description)
        )
    for kind, terms in (
        ("threat", profile.threat_responses),
        ("opportunity", profile.opportunity_responses),
    ):
        for term in terms:
            rows.append(
                RiskResponseType(
                    project_id=project_id,
                    risk_kind=kind,
                    name=term.name,
                    description=term.description,
                )
            )
    for term, uses_budget in profile.issue_types:
        rows.append(
            IssueType(
                project_id=project_id,
                name=term.name,
                description=term.description,
                uses_change_budget=uses_budget,
            )
        )
    for rank, aspect in enumerate(profile.tolerance_aspects):
        rows.append(
            ToleranceAspect(project_id=project_id, name=aspect.name, kind=aspect.kind, rank=rank)
        )
    session.add_all(rows)
    session.flush()


@dataclass(frozen=True)
class ScaleLevelView:
    level: int
    name: str
    description: str

    @property
    def label(self) -> str:
        return f"{self.level} {self.name}"


@dataclass(frozen=True)
class Vocabulary:
    """A project's vocabularies, loaded once per unit of work for validation and display."""

    probability: dict[int, ScaleLevelView]
    probability_percent: dict[int, int]
    impact: dict[int, ScaleLevelView]
    priority: dict[int, ScaleLevelView]
    severity: dict[int, ScaleLevelView]
    severity_decided_by: dict[int, str]
    categories: dict[str, int]
    responses: dict[tuple[str, str], int]  # (risk kind, name) -> id
    issue_types: dict[str, int]
    aspects: dict[str, tuple[int, str]]  # name -> (id, kind)
    issue_type_uses_budget: dict[int, bool] = field(default_factory=dict)  # type id -> draws?

    @property
    def category_names(self) -> dict[int, str]:
        return {v: k for k, v in self.categories.items()}

    @property
    def response_names(self) -> dict[int, str]:
        return {v: name for (_kind, name), v in self.responses.items()}

    @property
    def issue_type_names(self) -> dict[int, str]:
        return {v: k for k, v in self.issue_types.items()}


def _levels(session: Session, model, project_id: int) -> dict[int, ScaleLevelView]:
    rows = session.exec(select(model).where(model.project_id == project_id).order_by(model.level))
    return {r.level: ScaleLevelView(r.level, r.name, r.description) for r in rows}


def load_vocabulary(session: Session, project_id: int) -> Vocabulary:
    probability_rows = session.exec(
        select(ProbabilityLevel).where(ProbabilityLevel.project_id == project_id)
    ).all()
    severity_rows = session.exec(
        select(SeverityLevel).where(SeverityLevel.project_id == project_id)
    ).all()
    type_rows = session.exec(select(IssueType).where(IssueType.project_id == project_id)).all()
    return Vocabulary(
        probability=_levels(session, ProbabilityLevel, project_id),
        probability_percent={r.level: r.percent for r in probability_rows},
        impact=_levels(session, ImpactLevel, project_id),
        priority=_levels(session, PriorityLevel, project_id),
        severity=_levels(session, SeverityLevel, project_id),
        severity_decided_by={r.level: r.decided_by for r in severity_rows},
        categories={
            r.name: r.id
            for r in session.exec(select(RiskCategory).where(RiskCategory.project_id == project_id))
        },
        responses={
            (r.risk_kind, r.name): r.id
            for r in session.exec(
                select(RiskResponseType).where(RiskResponseType.project_id == project_id)
            )
        },
        issue_types={r.name: r.id for r in type_rows},
        aspects={
            r.name: (r.id, r.kind)
            for r in session.exec(
                select(ToleranceAspect)
                .where(ToleranceAspect.project_id == project_id)
                .order_by(ToleranceAspect.rank)
            )
        },
        issue_type_uses_budget={r.id: r.uses_change_budget for r in type_rows},
    )
