"""Method profiles: the vocabularies a project starts with.

PRINCE2 asks each project to choose its scales, risk categories, response types, issue types and
tolerance aspects in its management approaches. A profile is the starting set; the rows copied
into the project are then the project's own to tailor.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.validation import InvalidValue


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    description: str = ""
    percent: int | None = None  # probability levels: the probability used for expected value
    decided_by: str | None = None  # severity levels: who may decide


@dataclass(frozen=True)
class Term:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Aspect:
    name: str
    kind: str  # time, cost or descriptive


@dataclass(frozen=True)
class Profile:
    name: str
    probability: tuple[Level, ...]
    impact: tuple[Level, ...]
    priority: tuple[Level, ...]
    severity: tuple[Level, ...]
    risk_categories: tuple[Term, ...]
    threat_responses: tuple[Term, ...]
    opportunity_responses: tuple[Term, ...]
    issue_types: tuple[tuple[Term, bool], ...]  # (type, uses the change budget)
    tolerance_aspects: tuple[Aspect, ...]


PROBABILITY = (
    Level(1, "Very low", "less than 10%", percent=5),
    Level(2, "Low", "11% to 30%", percent=20),
    Level(3, "Medium", "31% to 50%", percent=40),
    Level(4, "High", "51% to 70%", percent=60),
    Level(5, "Very high", "more than 70%", percent=85),
)
IMPACT = (
    Level(1, "Very low", "negligible effect on time, cost, quality or benefits"),
    Level(2, "Low", "minor effect, absorbed within stage tolerance"),
    Level(3, "Medium", "noticeable effect, may use most of a stage tolerance"),
    Level(4, "High", "significant effect, likely to exceed stage tolerance"),
    Level(5, "Very high", "severe effect, threatens project tolerance or the business case"),
)
SEVERITY = (
    Level(1, "Minor", "within the project manager's authority", decided_by="project manager"),
    Level(2, "Moderate", "within the project manager's authority", decided_by="project manager"),
    Level(3, "Significant", "referred to the Change Authority", decided_by="change authority"),
    Level(4, "Major", "referred to the project board", decided_by="project board"),
    Level(
        5,
        "Critical",
        "beyond project tolerance: corporate or programme management",
        decided_by="corporate",
    ),
)
RISK_CATEGORIES = (
    Term("Strategic", "fit with council priorities and the business case"),
    Term("Schedule", "timescales and dependencies"),
    Term("Financial", "budget, funding and cost"),
    Term("Legal and regulatory", "statute, inspection and procurement law"),
    Term("Commercial", "suppliers, contracts and procurement"),
    Term("Organisational and people", "capacity, skills and change"),
    Term("Technical", "systems, data and infrastructure"),
    Term("Quality", "fitness for purpose of the products"),
    Term("Reputational", "public confidence and political standing"),
)
THREAT_RESPONSES_2017 = (
    Term("avoid", "make the threat impossible or irrelevant"),
    Term("reduce", "lower the probability or the impact"),
    Term("fallback", "a plan to carry out if the threat occurs"),
    Term("transfer", "pass the financial impact to a third party"),
    Term("share", "share gain and pain with a partner"),
    Term("accept", "take the chance, and watch it"),
)
OPPORTUNITY_RESPONSES_2017 = (
    Term("exploit", "make the opportunity certain"),
    Term("enhance", "raise the probability or the impact"),
    Term("share", "share gain and pain with a partner"),
    Term("reject", "choose not to pursue it"),
)
ISSUE_TYPES_2017 = (
    (Term("request for change", "a proposal to change a baseline"), True),
    (
        Term("off-specification", "something that should be provided but is not, or will not be"),
        True,
    ),
    (Term("problem/concern", "anything else the project manager must resolve or escalate"), False),
)
ASPECTS_2017 = (
    Aspect("time", "time"),
    Aspect("cost", "cost"),
    Aspect("scope", "descriptive"),
    Aspect("quality", "descriptive"),
    Aspect("risk", "descriptive"),
    Aspect("benefits", "descriptive"),
)

PRINCE2_2017 = Profile(
    name="PRINCE2 2017",
    probability=PROBABILITY,
    impact=IMPACT,
    priority=(
        Level(1, "Cosmetic"),
        Level(2, "Low"),
        Level(3, "Medium"),
        Level(4, "High"),
        Level(5, "Critical"),
    ),
    severity=SEVERITY,
    risk_categories=RISK_CATEGORIES,
    threat_responses=THREAT_RESPONSES_2017,
    opportunity_responses=OPPORTUNITY_RESPONSES_2017,
    issue_types=ISSUE_TYPES_2017,
    tolerance_aspects=ASPECTS_2017,
)

PRINCE2_7 = Profile(
    name="PRINCE2 7",
    probability=PROBABILITY,
    impact=IMPACT,
    priority=(
        Level(1, "Won't have", "not this time"),
        Level(2, "Could have"),
        Level(3, "Should have"),
        Level(4, "Must have"),
    ),
    severity=SEVERITY,
    risk_categories=(*RISK_CATEGORIES, Term("Sustainability", "environmental and social impact")),
    threat_responses=(
        Term("avoid", "make the threat impossible or irrelevant"),
        Term("reduce", "lower the probability or the impact"),
        Term("transfer", "pass the financial impact to a third party"),
        Term("share", "share gain and pain with a partner"),
        Term("accept", "take the chance, and watch it"),
        Term("prepare contingent plans", "a plan to carry out if the threat occurs"),
    ),
    opportunity_responses=(
        Term("exploit", "make the opportunity certain"),
        Term("enhance", "raise the probability or the impact"),
        Term("transfer", "pass part of the opportunity to a third party"),
        Term("share", "share gain and pain with a partner"),
        Term("reject", "choose not to pursue it"),
        Term("prepare contingent plans", "a plan to seize the opportunity if it arises"),
    ),
    issue_types=(
        *ISSUE_TYPES_2017,
        (Term("business opportunity", "a chance to add value beyond the plan"), False),
        (Term("external event", "something outside the project that affects it"), False),
    ),
    tolerance_aspects=(*ASPECTS_2017, Aspect("sustainability", "descriptive")),
)

PROFILES = {p.name: p for p in (PRINCE2_2017, PRINCE2_7)}
DEFAULT_PROFILE = PRINCE2_2017.name


def profile_named(name: str | None) -> Profile:
    text = (name or DEFAULT_PROFILE).strip()
    for key, profile in PROFILES.items():
        if key.casefold() == text.casefold():
            return profile
    raise InvalidValue(f"{text!r} is not a known profile: {', '.join(PROFILES)}")
