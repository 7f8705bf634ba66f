"""The tracker's tables.

Vocabularies that PRINCE2 lets a project tailor (scales, risk categories, response types, issue
types, tolerance aspects) are rows belonging to a project, seeded from a profile, never enums.
Composite foreign keys such as ``(project_id, inherent_probability) -> probability_level`` make the
database itself refuse a value outside the project's own scale, or a response category that does
not fit a threat or an opportunity. Lifecycles fixed by PRINCE2 or by the tracker's own workflow
(risk and issue statuses, board activities, roles) are CHECK constraints.

Money is integer pence (``*_pence``); dates people think in are ``date``; timestamps are aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from db.clock import utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = (
    "executive",
    "senior user",
    "senior supplier",
    "project assurance",
    "change authority",
    "project manager",
    "team manager",
    "project support",
    "team member",
)
PROJECT_STATUSES = ("proposed", "initiation", "in progress", "on hold", "closed")
STAGE_KINDS = ("initiation", "delivery", "final")
STAGE_STATUSES = ("planned", "authorised", "in progress", "completed")
TOLERANCE_UNITS = ("days", "pence", "basis_points")
ASPECT_KINDS = ("time", "cost", "descriptive")
RISK_KINDS = ("threat", "opportunity")
RISK_STATUSES = ("draft", "active", "closed")
PROXIMITY_BANDS = ("imminent", "within stage", "within project", "beyond project")
ISSUE_STATUSES = ("raised", "examined", "options proposed", "decided", "implemented", "closed")
ISSUE_DECISIONS = (
    "approved",
    "rejected",
    "deferred",
    "escalated",
    "request more information",
    "concession",
)
DECISION_AUTHORITIES = ("project manager", "change authority", "project board", "corporate")
ISSUE_RISK_LINKS = ("risk became issue", "issue raised risk")
LESSON_TYPES = ("project", "corporate/programme", "both")
DAILY_LOG_TYPES = ("problem", "action", "event", "comment")
REPORT_STATUSES = ("draft", "issued", "superseded")
RAG_VALUES = ("green", "amber", "red", "blue", "not started")
MEETING_KINDS = ("project board", "programme board", "committee")
MEETING_STATUSES = ("scheduled", "held", "cancelled")
ATTENDANCE = ("present", "apologies", "absent", "in attendance")
BOARD_ACTIVITIES = (
    "authorise initiation",
    "authorise the project",
    "authorise a stage or exception plan",
    "give ad hoc direction",
    "authorise closure",
    "corporate or programme direction",
)
ACTION_STATUSES = ("open", "done", "cancelled")
WORK_PACKAGE_STATUSES = ("pending authorisation", "authorised", "in execution", "completed")
REVIEW_OUTCOMES = ("maintain", "develop", "decommission", "replace")
REPORT_KINDS = ("highlight report", "committee update", "checkpoint report")
FREQUENCIES = ("weekly", "monthly", "quarterly")


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK that ``column`` holds one of ``values`` (NULL passes, as in SQL)."""
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid")


def same_project(
    columns: list[str], parent: str, parent_columns: list[str]
) -> ForeignKeyConstraint:
    """A composite foreign key whose first column is ``project_id``: the parent row must belong
    to the same project as the child."""
    return ForeignKeyConstraint(columns, [f"{parent}.{c}" for c in parent_columns])


def pence() -> BigInteger:
    return BigInteger()


class Timestamped(SQLModel):
    """An editable governance record: when it was made and last changed, and a version that
    every update bumps. SQLAlchemy adds ``AND version = :seen`` to each UPDATE, so saving a
    record someone else changed since it was read fails instead of overwriting their change."""

    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )
    version: int = Field(default=1, nullable=False, sa_column_kwargs={"server_default": "1"})

    @declared_attr
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


# --------------------------------------------------------------------------- portfolio


class Programme(Timestamped, table=True):
    """A programme whose board oversees several projects (e.g. a Modernisation and Improvement
    Programme Board)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=12, unique=True)
    name: str
    organisation: str = ""
    board_name: str = ""
    description: str = Field(default="", sa_type=Text)

    __table_args__ = (
        CheckConstraint("length(key) BETWEEN 2 AND 12 AND key = upper(key)", name="key_format"),
    )


class Project(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=12, unique=True)
    name: str
    organisation: str = ""
    programme_id: int | None = Field(default=None, foreign_key="programme.id", index=True)
    profile: str = "PRINCE2 2017"
    status: str = "proposed"
    objectives: str = Field(default="", sa_type=Text)
    business_case: str = Field(default="", sa_type=Text)
    budget_pence: int | None = Field(default=None, sa_type=pence())
    change_budget_pence: int | None = Field(default=None, sa_type=pence())
    risk_budget_pence: int | None = Field(default=None, sa_type=pence())
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    risk_tolerance_score: int = 15
    rag_green_max: int = 4
    rag_amber_max: int = 12
    notes: str = Field(default="", sa_type=Text)

    __table_args__ = (
        CheckConstraint("length(key) BETWEEN 2 AND 12 AND key = upper(key)", name="key_format"),
        one_of("status", PROJECT_STATUSES),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="planned_dates_ordered",
        ),
        CheckConstraint("budget_pence IS NULL OR budget_pence >= 0", name="budget_not_negative"),
        CheckConstraint(
            "change_budget_pence IS NULL OR change_budget_pence >= 0",
            name="change_budget_not_negative",
        ),
        CheckConstraint(
            "risk_budget_pence IS NULL OR risk_budget_pence >= 0", name="risk_budget_not_negative"
        ),
        CheckConstraint(
            "0 < rag_green_max AND rag_green_max < rag_amber_max", name="rag_bands_ordered"
        ),
    )


class ReportingSchedule(SQLModel, table=True):
    """When a report is due: monthly highlight reports to the board, quarterly updates to a
    scrutiny committee, and so on."""

    __tablename__ = "reporting_schedule"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    report: str
    audience: str = ""
    frequency: str = "monthly"
    first_due: date

    __table_args__ = (
        one_of("report", REPORT_KINDS),
        one_of("frequency", FREQUENCIES),
        UniqueConstraint("project_id", "report", "audience"),
    )


# --------------------------------------------------------------------------- configuration


class ScaleLevel(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    level: int
    name: str
    description: str = ""


class ProbabilityLevel(ScaleLevel, table=True):
    """A level of the project's probability scale, with the probability used for expected value."""

    __tablename__ = "probability_level"
    percent: int

    __table_args__ = (
        UniqueConstraint("project_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 10", name="level_range"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )


class ImpactLevel(ScaleLevel, table=True):
    __tablename__ = "impact_level"

    __table_args__ = (
        UniqueConstraint("project_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 10", name="level_range"),
    )


class PriorityLevel(ScaleLevel, table=True):
    __tablename__ = "priority_level"

    __table_args__ = (
        UniqueConstraint("project_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 10", name="level_range"),
    )


class SeverityLevel(ScaleLevel, table=True):
    """A severity level and who may decide an issue of that severity."""

    __tablename__ = "severity_level"
    decided_by: str

    __table_args__ = (
        UniqueConstraint("project_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 10", name="level_range"),
        one_of("decided_by", DECISION_AUTHORITIES),
    )


class RiskCategory(SQLModel, table=True):
    __tablename__ = "risk_category"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    name: str
    description: str = ""

    __table_args__ = (UniqueConstraint("project_id", "name"), UniqueConstraint("project_id", "id"))


class RiskResponseType(SQLModel, table=True):
    """A response category, valid for threats or for opportunities (``share`` appears twice)."""

    __tablename__ = "risk_response_type"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    risk_kind: str
    name: str
    description: str = ""

    __table_args__ = (
        one_of("risk_kind", RISK_KINDS),
        UniqueConstraint("project_id", "risk_kind", "name"),
        UniqueConstraint("project_id", "risk_kind", "id"),
    )


class IssueType(SQLModel, table=True):
    __tablename__ = "issue_type"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    name: str
    description: str = ""
    uses_change_budget: bool = False

    __table_args__ = (UniqueConstraint("project_id", "name"), UniqueConstraint("project_id", "id"))


class ToleranceAspect(SQLModel, table=True):
    """Time, cost, scope, quality, risk, benefits (and sustainability in PRINCE2 7)."""

    __tablename__ = "tolerance_aspect"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    name: str
    kind: str = "descriptive"
    rank: int = 0

    __table_args__ = (
        one_of("kind", ASPECT_KINDS),
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("project_id", "id"),
    )


# --------------------------------------------------------------------------- people


class Person(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    job_title: str = ""
    organisation: str = ""
    email: str = ""

    __table_args__ = (
        UniqueConstraint("name", "organisation"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )


class RoleAssignment(SQLModel, table=True):
    """A person holding a PRINCE2 role on a project, possibly as a named deputy."""

    __tablename__ = "role_assignment"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str
    description: str = ""
    deputy_for_id: int | None = Field(default=None, foreign_key="role_assignment.id")
    start_date: date | None = None
    end_date: date | None = None

    __table_args__ = (
        one_of("role", ROLES),
        UniqueConstraint("project_id", "person_id", "role", "start_date"),
        Index(
            "uq_role_assignment_one_executive",
            "project_id",
            unique=True,
            sqlite_where=text("role = 'executive' AND end_date IS NULL AND deputy_for_id IS NULL"),
            postgresql_where=text(
                "role = 'executive' AND end_date IS NULL AND deputy_for_id IS NULL"
            ),
        ),
    )


# --------------------------------------------------------------------------- stages and plans


class Stage(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    sequence: int
    name: str
    kind: str = "delivery"
    description: str = Field(default="", sa_type=Text)
    status: str = "planned"
    planned_start: date | None = None
    planned_end: date | None = None
    planned_cost_pence: int | None = Field(default=None, sa_type=pence())
    actual_start: date | None = None
    actual_end: date | None = None
    actual_cost_pence: int | None = Field(default=None, sa_type=pence())
    forecast_end: date | None = None
    forecast_cost_pence: int | None = Field(default=None, sa_type=pence())
    percent_complete: int = 0
    authorised_on: date | None = None
    notes: str = Field(default="", sa_type=Text)

    __table_args__ = (
        UniqueConstraint("project_id", "sequence"),
        UniqueConstraint("project_id", "id"),
        one_of("kind", STAGE_KINDS),
        one_of("status", STAGE_STATUSES),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="planned_dates_ordered",
        ),
        CheckConstraint(
            "planned_cost_pence IS NULL OR planned_cost_pence >= 0",
            name="planned_cost_not_negative",
        ),
        CheckConstraint(
            "actual_cost_pence IS NULL OR actual_cost_pence >= 0", name="actual_cost_not_negative"
        ),
        CheckConstraint(
            "forecast_cost_pence IS NULL OR forecast_cost_pence >= 0",
            name="forecast_cost_not_negative",
        ),
    )


class Tolerance(SQLModel, table=True):
    """A tolerance for one aspect, for a stage (set by the board) or, with no stage, for the
    project (set by corporate or programme management). Numeric aspects use ``plus``/``minus`` in
    ``unit``; the others are described in words."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    stage_id: int | None = None
    aspect_id: int
    plus: int | None = Field(default=None, sa_type=BigInteger)
    minus: int | None = Field(default=None, sa_type=BigInteger)
    unit: str | None = None
    description: str = ""
    set_on: date | None = None
    set_by: str = ""

    __table_args__ = (
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "aspect_id"], "tolerance_aspect", ["project_id", "id"]),
        one_of("unit", TOLERANCE_UNITS),
        CheckConstraint("(plus IS NULL AND minus IS NULL) OR unit IS NOT NULL", name="unit_given"),
        CheckConstraint(
            "(plus IS NULL OR plus >= 0) AND (minus IS NULL OR minus >= 0)",
            name="bounds_not_negative",
        ),
        Index("uq_tolerance_stage_aspect", "stage_id", "aspect_id", unique=True),
        Index(
            "uq_tolerance_project_aspect",
            "project_id",
            "aspect_id",
            unique=True,
            sqlite_where=text("stage_id IS NULL"),
            postgresql_where=text("stage_id IS NULL"),
        ),
    )


class WorkPackage(Timestamped, table=True):
    """A work package or work stream handed to a team manager."""

    __tablename__ = "work_package"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    stage_id: int | None = None
    identifier: str
    title: str
    description: str = Field(default="", sa_type=Text)
    team_manager_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = "pending authorisation"
    planned_start: date | None = None
    planned_end: date | None = None
    percent_complete: int = 0

    __table_args__ = (
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        UniqueConstraint("project_id", "identifier"),
        one_of("status", WORK_PACKAGE_STATUSES),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
    )


class ReviewedSystem(SQLModel, table=True):
    """A system in a review of the current estate, e.g. the 70+ systems reviewed by a
    Children, Families and Adults ICT strategy group."""

    __tablename__ = "reviewed_system"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    identifier: str
    name: str
    service_area: str = ""
    notes: str = Field(default="", sa_type=Text)

    __table_args__ = (UniqueConstraint("project_id", "identifier"),)


class ReviewedSystemOutcome(SQLModel, table=True):
    """One outcome of a system review; a system may have more than one."""

    __tablename__ = "reviewed_system_outcome"

    reviewed_system_id: int = Field(foreign_key="reviewed_system.id", primary_key=True)
    outcome: str = Field(primary_key=True)

    __table_args__ = (one_of("outcome", REVIEW_OUTCOMES),)


# --------------------------------------------------------------------------- registers


class Risk(Timestamped, table=True):
    """An entry in the risk register: cause, event and effect, inherent and residual scoring on
    the project's scales, proximity, response, one owner."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    kind: str = "threat"
    title: str
    cause: str = Field(default="", sa_type=Text)
    event: str = Field(default="", sa_type=Text)
    effect: str = Field(default="", sa_type=Text)
    category_id: int | None = None
    author_id: int | None = Field(default=None, foreign_key="person.id")
    date_registered: date
    inherent_probability: int
    inherent_impact: int
    inherent_score: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, Computed("inherent_probability * inherent_impact", persisted=True)
        ),
    )
    inherent_cost_impact_pence: int | None = Field(default=None, sa_type=pence())
    residual_probability: int | None = None
    residual_impact: int | None = None
    residual_score: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, Computed("residual_probability * residual_impact", persisted=True)
        ),
    )
    residual_cost_impact_pence: int | None = Field(default=None, sa_type=pence())
    proximity_date: date | None = None
    proximity_band: str | None = None
    response_category_id: int | None = None
    response: str = Field(default="", sa_type=Text)
    early_warning_indicators: str = Field(default="", sa_type=Text)
    status: str = "active"
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    closed_on: date | None = None
    closure_reason: str = ""
    notes: str = Field(default="", sa_type=Text)

    __table_args__ = (
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("project_id", "number"),
        UniqueConstraint("project_id", "id"),
        one_of("kind", RISK_KINDS),
        one_of("status", RISK_STATUSES),
        one_of("proximity_band", PROXIMITY_BANDS),
        same_project(["project_id", "category_id"], "risk_category", ["project_id", "id"]),
        same_project(
            ["project_id", "kind", "response_category_id"],
            "risk_response_type",
            ["project_id", "risk_kind", "id"],
        ),
        same_project(
            ["project_id", "inherent_probability"], "probability_level", ["project_id", "level"]
        ),
        same_project(["project_id", "inherent_impact"], "impact_level", ["project_id", "level"]),
        same_project(
            ["project_id", "residual_probability"], "probability_level", ["project_id", "level"]
        ),
        same_project(["project_id", "residual_impact"], "impact_level", ["project_id", "level"]),
        CheckConstraint(
            "inherent_probability BETWEEN 1 AND 10 AND inherent_impact BETWEEN 1 AND 10",
            name="inherent_in_range",
        ),
        CheckConstraint(
            "(residual_probability IS NULL) = (residual_impact IS NULL)", name="residual_complete"
        ),
        CheckConstraint("status = 'draft' OR owner_id IS NOT NULL", name="owner_required"),
        CheckConstraint("status <> 'closed' OR closed_on IS NOT NULL", name="closed_has_date"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_risk_project_status_score", "project_id", "status", "inherent_score"),
        # The register's default order: current score (residual where assessed, else inherent).
        Index(
            "ix_risk_project_current_score",
            "project_id",
            text("coalesce(residual_score, inherent_score)"),
            "number",
        ),
        Index("ix_risk_owner", "owner_id"),
        # When the register last changed (the screen's in-memory index checks it is current).
        Index("ix_risk_project_updated", "project_id", "updated_at"),
    )


class RiskActionee(SQLModel, table=True):
    """A person who carries out responses to a risk under its owner's direction."""

    __tablename__ = "risk_actionee"

    risk_id: int = Field(foreign_key="risk.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class Issue(Timestamped, table=True):
    """An entry in the issue register, with the fields of an issue report for issues handled
    formally."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    issue_type_id: int
    title: str
    description: str = Field(default="", sa_type=Text)
    date_raised: date
    raised_by_id: int | None = Field(default=None, foreign_key="person.id")
    author_id: int | None = Field(default=None, foreign_key="person.id")
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    priority: int
    severity: int
    status: str = "raised"
    has_issue_report: bool = False
    impact_time: str = Field(default="", sa_type=Text)
    impact_cost: str = Field(default="", sa_type=Text)
    impact_quality: str = Field(default="", sa_type=Text)
    impact_scope: str = Field(default="", sa_type=Text)
    impact_benefits: str = Field(default="", sa_type=Text)
    impact_risk: str = Field(default="", sa_type=Text)
    cost_of_change_pence: int | None = Field(default=None, sa_type=pence())
    options: str = Field(default="", sa_type=Text)
    recommendation: str = Field(default="", sa_type=Text)
    decision: str | None = None
    decision_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_by_authority: str | None = None
    decision_date: date | None = None
    decision_rationale: str = Field(default="", sa_type=Text)
    closure_date: date | None = None
    notes: str = Field(default="", sa_type=Text)
    # Set when a decision escalates the issue: the level that must now decide it.
    escalated_to: str | None = None

    __table_args__ = (
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("project_id", "number"),
        UniqueConstraint("project_id", "id"),
        same_project(["project_id", "issue_type_id"], "issue_type", ["project_id", "id"]),
        same_project(["project_id", "priority"], "priority_level", ["project_id", "level"]),
        same_project(["project_id", "severity"], "severity_level", ["project_id", "level"]),
        one_of("status", ISSUE_STATUSES),
        one_of("decision", ISSUE_DECISIONS),
        one_of("decided_by_authority", DECISION_AUTHORITIES),
        one_of("escalated_to", DECISION_AUTHORITIES),
        CheckConstraint("status <> 'closed' OR closure_date IS NOT NULL", name="closed_has_date"),
        CheckConstraint("decision IS NULL OR decision_date IS NOT NULL", name="decision_has_date"),
        CheckConstraint(
            "cost_of_change_pence IS NULL OR cost_of_change_pence >= 0", name="cost_not_negative"
        ),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_issue_project_status", "project_id", "status"),
    )


class IssueRiskLink(SQLModel, table=True):
    """An escalation link between the registers: a risk that materialised became this issue, or
    this issue raised a risk. Both sides show it."""

    __tablename__ = "issue_risk_link"

    issue_id: int = Field(primary_key=True)
    risk_id: int = Field(primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    kind: str
    linked_on: date

    __table_args__ = (
        same_project(["project_id", "issue_id"], "issue", ["project_id", "id"]),
        same_project(["project_id", "risk_id"], "risk", ["project_id", "id"]),
        one_of("kind", ISSUE_RISK_LINKS),
        Index("ix_issue_risk_link_risk", "risk_id"),
    )


class Lesson(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    lesson_type: str = "project"
    title: str
    event: str = Field(default="", sa_type=Text)
    effect: str = Field(default="", sa_type=Text)
    causes: str = Field(default="", sa_type=Text)
    early_warning_indicators: str = Field(default="", sa_type=Text)
    recommendations: str = Field(default="", sa_type=Text)
    previously_identified_as_risk: bool = False
    risk_id: int | None = None
    date_logged: date
    logged_by_id: int | None = Field(default=None, foreign_key="person.id")
    priority: int | None = None
    action_taken: str = Field(default="", sa_type=Text)

    __table_args__ = (
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("project_id", "number"),
        one_of("lesson_type", LESSON_TYPES),
        same_project(["project_id", "risk_id"], "risk", ["project_id", "id"]),
        same_project(["project_id", "priority"], "priority_level", ["project_id", "level"]),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )


class DailyLogEntry(Timestamped, table=True):
    """The project manager's diary: informal problems, actions, events and comments."""

    __tablename__ = "daily_log_entry"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    entry_date: date
    entry_type: str = "comment"
    description: str = Field(sa_type=Text)
    person_responsible_id: int | None = Field(default=None, foreign_key="person.id")
    target_date: date | None = None
    result: str = Field(default="", sa_type=Text)

    __table_args__ = (
        one_of("entry_type", DAILY_LOG_TYPES),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
    )


# --------------------------------------------------------------------------- reports and the board


class HighlightReport(Timestamped, table=True):
    """A highlight report. While a draft, the narrative is editable; once issued,
    ``issued_content`` holds exactly what the board received and nothing changes it."""

    __tablename__ = "highlight_report"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    stage_id: int | None = None
    period_start: date
    period_end: date
    report_date: date
    author_id: int | None = Field(default=None, foreign_key="person.id")
    distribution: str = Field(default="", sa_type=Text)
    status: str = "draft"
    status_summary: str = Field(default="", sa_type=Text)
    work_completed: str = Field(default="", sa_type=Text)
    work_planned: str = Field(default="", sa_type=Text)
    corrective_actions: str = Field(default="", sa_type=Text)
    issued_at: datetime | None = None
    issued_content: str | None = Field(default=None, sa_type=Text)
    supersedes_id: int | None = Field(default=None, foreign_key="highlight_report.id")

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        UniqueConstraint("project_id", "id"),
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        one_of("status", REPORT_STATUSES),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("status = 'draft' OR issued_at IS NOT NULL", name="issued_has_time"),
        # One draft at a time: the next report is written, issued, then the one after.
        Index(
            "uq_highlight_report_one_draft",
            "project_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )


class HighlightReportRating(SQLModel, table=True):
    """One row of a highlight report's RAG grid (Overall, Time, Cost, ...) for project or stage.
    A draft may hold a comment on a row not rated yet (``rag`` NULL); an issued report cannot."""

    __tablename__ = "highlight_report_rating"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="highlight_report.id", index=True)
    level: str = "project"
    aspect: str
    rag: str | None = None
    comment: str = Field(default="", sa_type=Text)

    __table_args__ = (
        one_of("level", ("project", "stage")),
        one_of("rag", RAG_VALUES),
        UniqueConstraint("report_id", "level", "aspect"),
    )


class RiskSnapshot(SQLModel, table=True):
    """A risk as it stood when a highlight report was issued: the baseline against which the
    register shows each risk's movement (new, up, down, closed) and the report lists changes.
    Written once, when the report is issued, and never changed."""

    __tablename__ = "risk_snapshot"

    report_id: int = Field(foreign_key="highlight_report.id", primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", primary_key=True)
    status: str
    inherent_probability: int
    inherent_impact: int
    residual_probability: int | None = None
    residual_impact: int | None = None

    __table_args__ = (
        one_of("status", RISK_STATUSES),
        CheckConstraint(
            "(residual_probability IS NULL) = (residual_impact IS NULL)", name="residual_complete"
        ),
        Index("ix_risk_snapshot_risk", "risk_id"),
    )


class BoardMeeting(Timestamped, table=True):
    """A project board, programme board or committee meeting."""

    __tablename__ = "board_meeting"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    programme_id: int | None = Field(default=None, foreign_key="programme.id", index=True)
    kind: str = "project board"
    title: str = ""
    meeting_date: date
    location: str = ""
    agenda: str = Field(default="", sa_type=Text)
    minutes: str = Field(default="", sa_type=Text)
    status: str = "scheduled"
    next_meeting_date: date | None = None
    # The agenda item the board review reached (1-based; 0 before it starts), so a review
    # interrupted mid-meeting resumes where it stopped.
    review_item: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    __table_args__ = (
        one_of("kind", MEETING_KINDS),
        one_of("status", MEETING_STATUSES),
        CheckConstraint("(project_id IS NULL) <> (programme_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "next_meeting_date IS NULL OR next_meeting_date > meeting_date", name="next_after"
        ),
    )


class MeetingNote(Timestamped, table=True):
    """What the minutes record under one item of the board review's agenda."""

    __tablename__ = "meeting_note"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="board_meeting.id", index=True)
    item: int
    notes: str = Field(default="", sa_type=Text)

    __table_args__ = (
        UniqueConstraint("meeting_id", "item"),
        CheckConstraint("item BETWEEN 1 AND 20", name="item_valid"),
    )


class MeetingAttendance(SQLModel, table=True):
    __tablename__ = "meeting_attendance"

    meeting_id: int = Field(foreign_key="board_meeting.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    attendance: str = "present"
    capacity: str = ""

    __table_args__ = (one_of("attendance", ATTENDANCE),)


class Decision(Timestamped, table=True):
    """A board decision, typed by the board activity it belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    meeting_id: int | None = Field(default=None, foreign_key="board_meeting.id", index=True)
    decision_date: date
    activity: str
    summary: str = Field(sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    issue_id: int | None = None
    highlight_report_id: int | None = None
    stage_id: int | None = None

    __table_args__ = (
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("project_id", "number"),
        one_of("activity", BOARD_ACTIVITIES),
        same_project(["project_id", "issue_id"], "issue", ["project_id", "id"]),
        same_project(
            ["project_id", "highlight_report_id"], "highlight_report", ["project_id", "id"]
        ),
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        CheckConstraint("length(trim(summary)) > 0", name="summary_not_blank"),
        # Lets the records a decision authorises point at it within the same project.
        Index("uq_decision_project_id", "project_id", "id", unique=True),
    )


class Action(Timestamped, table=True):
    """An action from a board meeting (or the PM), with an owner and a due date."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    meeting_id: int | None = Field(default=None, foreign_key="board_meeting.id", index=True)
    description: str = Field(sa_type=Text)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: date | None = None
    status: str = "open"
    completed_on: date | None = None

    __table_args__ = (
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("project_id", "number"),
        one_of("status", ACTION_STATUSES),
        CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="done_has_date"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
    )


# --------------------------------------------------------------------------- stage control

BASELINE_KINDS = ("stage plan", "exception plan")
TOLERANCE_LEVELS = ("stage", "project")
EXCEPTION_REPORT_STATUSES = ("draft", "issued", "approved")
END_STAGE_REPORT_STATUSES = ("draft", "issued", "approved")
OPEN_REPORT = "status IN ('draft', 'issued')"


class StageBaseline(SQLModel, table=True):
    """A stage plan as it was approved: number 1 is the original baseline, each exception plan
    (or re-planned stage) the board approves adds the next. The stage row holds the current plan;
    these rows are written once and never changed, so the original stays for comparison."""

    __tablename__ = "stage_baseline"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    stage_id: int
    number: int
    kind: str = "stage plan"
    planned_start: date | None = None
    planned_end: date | None = None
    planned_cost_pence: int | None = Field(default=None, sa_type=pence())
    approved_on: date | None = None
    decision_id: int | None = None
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)

    __table_args__ = (
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "decision_id"], "decision", ["project_id", "id"]),
        UniqueConstraint("stage_id", "number"),
        UniqueConstraint("project_id", "id"),
        one_of("kind", BASELINE_KINDS),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="planned_dates_ordered",
        ),
        CheckConstraint(
            "planned_cost_pence IS NULL OR planned_cost_pence >= 0",
            name="planned_cost_not_negative",
        ),
        CheckConstraint(
            "kind <> 'exception plan' OR (number > 1 AND decision_id IS NOT NULL "
            "AND approved_on IS NOT NULL)",
            name="exception_plan_approved",
        ),
    )


class StageProgress(SQLModel, table=True):
    """A progress update for a stage: actual cost to date, estimate to complete (so the forecast
    at completion), forecast end and per cent complete, as at a date. Every update is kept, so the
    trend of the forecasts can be shown; the stage row carries the latest."""

    __tablename__ = "stage_progress"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    stage_id: int
    as_at: date
    actual_cost_pence: int = Field(sa_type=pence())
    estimate_to_complete_pence: int = Field(sa_type=pence())
    forecast_cost_pence: int = Field(sa_type=pence())
    forecast_end: date
    percent_complete: int
    note: str = Field(default="", sa_type=Text)
    recorded_by: str = ""
    recorded_at: datetime = Field(default_factory=utcnow, nullable=False)

    __table_args__ = (
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(
            "actual_cost_pence >= 0 AND estimate_to_complete_pence >= 0", name="costs_not_negative"
        ),
        CheckConstraint(
            "forecast_cost_pence = actual_cost_pence + estimate_to_complete_pence",
            name="forecast_adds_up",
        ),
        Index("ix_stage_progress_stage_as_at", "stage_id", "as_at"),
    )


class ToleranceChange(SQLModel, table=True):
    """A tolerance changed by a board (or corporate) decision: the values before and after. The
    tolerance row holds the current values; this is the history, with the decision behind it."""

    __tablename__ = "tolerance_change"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    stage_id: int | None = None
    aspect_id: int
    decision_id: int
    old_plus: int | None = Field(default=None, sa_type=BigInteger)
    old_minus: int | None = Field(default=None, sa_type=BigInteger)
    old_unit: str | None = None
    old_description: str = Field(default="", sa_type=Text)
    new_plus: int | None = Field(default=None, sa_type=BigInteger)
    new_minus: int | None = Field(default=None, sa_type=BigInteger)
    new_unit: str | None = None
    new_description: str = Field(default="", sa_type=Text)

    __table_args__ = (
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "aspect_id"], "tolerance_aspect", ["project_id", "id"]),
        same_project(["project_id", "decision_id"], "decision", ["project_id", "id"]),
        one_of("old_unit", TOLERANCE_UNITS),
        one_of("new_unit", TOLERANCE_UNITS),
        CheckConstraint(
            "(new_plus IS NULL AND new_minus IS NULL) OR new_unit IS NOT NULL",
            name="new_unit_given",
        ),
        CheckConstraint(
            "(new_plus IS NULL OR new_plus >= 0) AND (new_minus IS NULL OR new_minus >= 0)",
            name="new_bounds_not_negative",
        ),
        Index("ix_tolerance_change_decision", "decision_id"),
    )


class ExceptionReport(Timestamped, table=True):
    """An Exception Report: drafted from the data when a forecast goes beyond tolerance, finished
    by the project manager, issued to the board (``issued_content`` then holds exactly what the
    board received), and approved with an exception plan (a new stage baseline)."""

    __tablename__ = "exception_report"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    level: str = "stage"
    stage_id: int | None = None
    issue_id: int | None = None
    title: str
    drafted_on: date
    author_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = "draft"
    deviation: str = Field(default="", sa_type=Text)
    cause: str = Field(default="", sa_type=Text)
    consequences: str = Field(default="", sa_type=Text)
    options: str = Field(default="", sa_type=Text)
    recommendation: str = Field(default="", sa_type=Text)
    lessons: str = Field(default="", sa_type=Text)
    issued_on: date | None = None
    issued_content: str | None = Field(default=None, sa_type=Text)
    decided_on: date | None = None
    decision_id: int | None = None
    exception_plan_id: int | None = None

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        UniqueConstraint("project_id", "identifier"),
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "issue_id"], "issue", ["project_id", "id"]),
        same_project(["project_id", "decision_id"], "decision", ["project_id", "id"]),
        same_project(["project_id", "exception_plan_id"], "stage_baseline", ["project_id", "id"]),
        one_of("level", TOLERANCE_LEVELS),
        one_of("status", EXCEPTION_REPORT_STATUSES),
        CheckConstraint("(level = 'stage') = (stage_id IS NOT NULL)", name="level_matches_stage"),
        CheckConstraint(
            "status = 'draft' OR (issued_on IS NOT NULL AND issued_content IS NOT NULL)",
            name="issued_is_frozen",
        ),
        CheckConstraint(
            "status <> 'approved' OR (decision_id IS NOT NULL AND decided_on IS NOT NULL "
            "AND exception_plan_id IS NOT NULL)",
            name="approved_has_plan",
        ),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("number > 0", name="number_positive"),
        # At most one report in hand (draft or with the board) per stage, and per project.
        Index(
            "uq_exception_report_open_stage",
            "stage_id",
            unique=True,
            sqlite_where=text(f"stage_id IS NOT NULL AND {OPEN_REPORT}"),
            postgresql_where=text(f"stage_id IS NOT NULL AND {OPEN_REPORT}"),
        ),
        Index(
            "uq_exception_report_open_project",
            "project_id",
            unique=True,
            sqlite_where=text(f"stage_id IS NULL AND {OPEN_REPORT}"),
            postgresql_where=text(f"stage_id IS NULL AND {OPEN_REPORT}"),
        ),
    )


class EndStageReport(Timestamped, table=True):
    """An End Stage Report: drafted from the data at a stage boundary, finished by the project
    manager, issued to the board, and approved when the board authorises the next stage."""

    __tablename__ = "end_stage_report"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    number: int
    identifier: str
    stage_id: int
    next_stage_id: int | None = None
    drafted_on: date
    author_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = "draft"
    manager_report: str = Field(default="", sa_type=Text)
    business_case_review: str = Field(default="", sa_type=Text)
    objectives_review: str = Field(default="", sa_type=Text)
    team_performance: str = Field(default="", sa_type=Text)
    products_review: str = Field(default="", sa_type=Text)
    lessons: str = Field(default="", sa_type=Text)
    issues_and_risks: str = Field(default="", sa_type=Text)
    forecast: str = Field(default="", sa_type=Text)
    issued_on: date | None = None
    issued_content: str | None = Field(default=None, sa_type=Text)
    decided_on: date | None = None
    decision_id: int | None = None

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        UniqueConstraint("project_id", "identifier"),
        UniqueConstraint("stage_id"),
        same_project(["project_id", "stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "next_stage_id"], "stage", ["project_id", "id"]),
        same_project(["project_id", "decision_id"], "decision", ["project_id", "id"]),
        one_of("status", END_STAGE_REPORT_STATUSES),
        CheckConstraint(
            "next_stage_id IS NULL OR next_stage_id <> stage_id", name="next_is_another_stage"
        ),
        CheckConstraint(
            "status = 'draft' OR (issued_on IS NOT NULL AND issued_content IS NOT NULL)",
            name="issued_is_frozen",
        ),
        CheckConstraint(
            "status <> 'approved' OR (decision_id IS NOT NULL AND decided_on IS NOT NULL)",
            name="approved_has_decision",
        ),
        CheckConstraint("number > 0", name="number_positive"),
    )


# --------------------------------------------------------------------------- audit


class AuditEntry(SQLModel, table=True):
    """Append-only record of every insert, update and delete of governance data. Written in the
    same transaction as the change (see ``db.audit``); nothing in the app updates or deletes it."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow)
    actor: str
    project_id: int | None = Field(default=None, index=True)
    table_name: str
    record_id: str
    action: str
    field: str | None = None
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)

    __table_args__ = (
        one_of("action", ("insert", "update", "delete")),
        Index("ix_audit_entry_record", "table_name", "record_id"),
    )
