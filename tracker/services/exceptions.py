"""Exceptions: forecasts beyond tolerance, the board's queue of them, and Exception Reports.

The escalation ladder: a stage tolerance forecast to be exceeded goes from the project manager to
the project board; a project tolerance forecast to be exceeded goes from the board to corporate
or programme management. ``exceptions_for_board`` lists what the board must hear about now: every
forecast beyond tolerance and every exception report issued and awaiting its decision.

An Exception Report is drafted from the data (``draft_exception_report``): which tolerance and by
how much, the trend behind it, open issues, consequences for the project, the usual options and
recent lessons, with ``[To complete]`` where only the project manager can write. It is finished
(``update_exception_report``), issued (``issue_exception_report``: frozen as the board receives
it) and, for a stage, approved with an exception plan (``approve_exception_plan``) that replaces
the stage plan while the original baseline stays in ``stage_baseline``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from db.models import (
    Decision,
    ExceptionReport,
    Issue,
    Lesson,
    Person,
    Project,
    RoleAssignment,
    Stage,
    StageBaseline,
)
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.money import format_money, parse_optional_money
from tracker.domain.tolerance import BEYOND, ToleranceStatus, expected_end
from tracker.domain.validation import FieldError, Problems, ValidationError, required_text
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Document, Facts, Heading, Paragraph
from tracker.reports.exception_report import ExceptionReportContent, exception_report_document
from tracker.services.records import apply_edit, run_write
from tracker.services.risks import next_number, parse_identifier
from tracker.services.stages import (
    add_baseline,
    baselines,
    ensure_baseline,
    find_stage,
    not_after_today,
    plan_text,
    record_decision,
    status_text,
)
from tracker.services.status import ProjectStatus, plan_cost_pence, stage_forecast_cost

TO_COMPLETE = "[To complete]"
ESCALATE_TO = {"stage": "the project board", "project": "corporate or programme management"}
EDITABLE_FIELDS = (
    "title",
    "deviation",
    "cause",
    "consequences",
    "options",
    "recommendation",
    "lessons",
)
PLAN_FIELDS = ("decided on", "planned end", "planned cost", "rationale")
PREFIX = "ER"
AWAITING_ACTION = ("raised", "examined", "options proposed")


@dataclass(frozen=True)
class BoardException:
    """One entry in the board's exception queue."""

    level: str  # "stage" or "project"
    stage: str  # the stage's name; "" for the project
    stage_sequence: int | None
    beyond: tuple[ToleranceStatus, ...]  # forecasts beyond tolerance now
    escalate_to: str
    report: str  # "ER-002", or "" if none has been drafted
    report_status: str  # draft, issued, or ""

    @property
    def needs(self) -> str:
        """What has to happen next."""
        if not self.report:
            return "the project manager to draft an exception report"
        if self.report_status == "draft":
            return f"the project manager to finish and issue {self.report}"
        return f"a decision by {self.escalate_to} on {self.report}"

    @property
    def summary(self) -> str:
        where = f"{self.stage} stage" if self.stage else "Project"
        if not self.beyond:
            return f"{where}: {self.report} issued, awaiting the decision"
        aspects = " and ".join(check.aspect for check in self.beyond)
        return f"{where} {aspects} beyond tolerance"


def beyond_tolerance(*checks: ToleranceStatus | None) -> tuple[ToleranceStatus, ...]:
    """The checks forecast beyond tolerance: exceptions."""
    return tuple(c for c in checks if c is not None and c.status == BEYOND)


def board_exceptions(
    session: Session, project: Project, status: ProjectStatus
) -> list[BoardException]:
    """The project's exceptions, from its tolerance status and its exception reports."""
    open_reports = {
        r.stage_id: r
        for r in session.exec(
            select(ExceptionReport).where(
                ExceptionReport.project_id == project.id,
                col(ExceptionReport.status).in_(("draft", "issued")),
            )
        )
    }
    found = []

    def entry(level, name, sequence, beyond, report):
        found.append(
            BoardException(
                level,
                name,
                sequence,
                beyond,
                ESCALATE_TO[level],
                report.identifier if report else "",
                report.status if report else "",
            )
        )

    project_beyond = beyond_tolerance(status.time, status.cost)
    report = open_reports.get(None)
    if project_beyond or (report and report.status == "issued"):
        entry("project", "", None, project_beyond, report)
    for stage in status.stages:
        if stage.status not in ("authorised", "in progress"):
            report = open_reports.get(stage.stage_id)
            if report and report.status == "issued":
                entry("stage", stage.name, stage.sequence, (), report)
            continue
        beyond = beyond_tolerance(stage.time, stage.cost)
        report = open_reports.get(stage.stage_id)
        if beyond or (report and report.status == "issued"):
            entry("stage", stage.name, stage.sequence, beyond, report)
    return found


def exceptions_for_board(db, key: str, today: date | None = None) -> list[BoardException]:
    """Everything beyond tolerance, or reported and awaiting a decision, for the board's queue
    (the project level first, then stages in order)."""
    from tracker.domain.clock import today as clock_today
    from tracker.services.projects import project_by_key
    from tracker.services.status import project_status

    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        return board_exceptions(session, project, project_status(session, project, today))


# --------------------------------------------------------------------------- drafting


@dataclass(frozen=True)
class DraftedReport:
    identifier: str
    created: bool  # False: the report already in hand was returned


def project_manager_id(session: Session, project_id: int) -> int | None:
    return session.exec(
        select(RoleAssignment.person_id).where(
            RoleAssignment.project_id == project_id,
            RoleAssignment.role == "project manager",
            col(RoleAssignment.end_date).is_(None),
        )
    ).first()


def _stages(session: Session, project: Project) -> list[Stage]:
    return list(
        session.exec(select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence))
    )


def _deviation_lines(
    label: str,
    time: ToleranceStatus | None,
    cost: ToleranceStatus | None,
    *,
    planned_end: date | None,
    forecast_end: date | None,
    planned_cost: int | None,
    forecast_cost: int | None,
) -> list[str]:
    lines = []
    if time is not None:
        lines.append(
            f"- {label} time: forecast end {format_date(forecast_end)} against the plan's "
            f"{format_date(planned_end)}; {status_text(time)}."
        )
    if cost is not None:
        lines.append(
            f"- {label} cost: forecast {format_money(forecast_cost)} against the plan's "
            f"{format_money(planned_cost)}; {status_text(cost)}."
        )
    return lines


def _trend(session: Session, stage: Stage) -> list[str]:
    from tracker.services.progress import progress_lines

    updates = progress_lines(session, stage)[-4:]
    if len(updates) < 2:
        return []
    costs = " → ".join(
        f"{format_money(u.forecast_cost_pence)} ({format_date(u.as_at)})" for u in updates
    )
    ends = " → ".join(f"{format_date(u.forecast_end)} ({format_date(u.as_at)})" for u in updates)
    lines = [
        f"- Forecast at completion over the last {len(updates)} progress updates: {costs}.",
        f"- Forecast end over the same updates: {ends}.",
    ]
    if updates[-1].note:
        lines.append(f"- Latest update ({format_date(updates[-1].as_at)}): {updates[-1].note}")
    return lines


def _open_issues(session: Session, project: Project) -> list[str]:
    rows = session.exec(
        select(Issue)
        .where(
            Issue.project_id == project.id,
            col(Issue.status).in_(AWAITING_ACTION),
        )
        .order_by(Issue.number)
    )
    return [f"- {i.identifier} {i.title} ({i.status})" for i in rows]


def _recent_lessons(session: Session, project: Project, limit: int = 5) -> list[str]:
    rows = session.exec(
        select(Lesson)
        .where(Lesson.project_id == project.id)
        .order_by(col(Lesson.date_logged).desc(), col(Lesson.number).desc())
        .limit(limit)
    )
    return [f"- {lesson.identifier} {lesson.title}" for lesson in rows]


def _project_lines(session: Session, project: Project, status: ProjectStatus, today: date):
    stages = _stages(session, project)
    last = stages[-1] if stages else None
    forecast_end = (
        expected_end(
            project.planned_end,
            last.actual_end if last and last.status == "completed" else None,
            (last.forecast_end or last.planned_end) if last else None,
            today,
        )
        if last
        else None
    )
    forecasts = [stage_forecast_cost(s) for s in stages]
    forecast_cost = sum(forecasts) if forecasts and None not in forecasts else None
    return _deviation_lines(
        "Project",
        status.time,
        status.cost,
        planned_end=project.planned_end,
        forecast_end=forecast_end,
        planned_cost=plan_cost_pence(project),
        forecast_cost=forecast_cost,
    )


def draft_fields(
    session: Session, project: Project, stage: Stage | None, status: ProjectStatus, today: date
) -> dict[str, str]:
    """An exception report's sections drafted from the data."""
    project_lines = _project_lines(session, project, status, today)
    project_beyond = beyond_tolerance(status.time, status.cost)
    if stage is not None:
        mine = next(s for s in status.stages if s.stage_id == stage.id)
        beyond = beyond_tolerance(mine.time, mine.cost)
        end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
        cost = stage_forecast_cost(stage)
        deviation = _deviation_lines(
            "Stage",
            mine.time,
            mine.cost,
            planned_end=stage.planned_end,
            forecast_end=end,
            planned_cost=stage.planned_cost_pence,
            forecast_cost=cost,
        )
        aspects = " and ".join(c.aspect for c in beyond)
        title = f"{stage.name} stage: {aspects} forecast beyond tolerance"
        trend = _trend(session, stage)
        option_one = (
            f"1. Approve an exception plan to the current forecast: the {stage.name} stage to "
            f"end on {format_date(end)} at a cost of {format_money(cost)}. Effect on tolerances: "
            "the stage is then measured against the new plan, and the project tolerances stay "
            f"as they are. {TO_COMPLETE} the effect on the business case and on the risks."
        )
    else:
        beyond = project_beyond
        deviation = []
        aspects = " and ".join(c.aspect for c in beyond)
        title = f"Project {aspects} forecast beyond tolerance"
        trend = []
        option_one = (
            "1. Ask corporate or programme management to approve a revised project plan to the "
            f"current forecast. {TO_COMPLETE} the effect on the business case and on the risks."
        )
    if project_beyond:
        which = ", ".join(c.aspect for c in project_beyond)
        corporate = (
            f"The project tolerance is forecast to be exceeded too ({which}): the board must "
            "refer the exception to corporate or programme management."
        )
    else:
        corporate = "none while the project stays within its own tolerances; the board decides."
    issues = _open_issues(session, project)
    lessons = _recent_lessons(session, project)
    cause = [*trend, ""] if trend else []
    if issues:
        cause += ["Open issues that may bear on it:", *issues, ""]
    cause.append(f"{TO_COMPLETE} the cause of the deviation, as the project manager sees it.")
    return {
        "title": title,
        "deviation": "\n".join(deviation + ([""] if deviation else []) + project_lines)
        or "No forecast is beyond tolerance.",
        "cause": "\n".join(cause),
        "consequences": "\n".join(
            [
                "For the project:",
                *project_lines,
                "",
                f"For corporate or programme management: {corporate}",
                "",
                f"{TO_COMPLETE} the consequences for the business case, the benefits and "
                "other projects.",
            ]
        ),
        "options": "\n".join(
            [
                option_one,
                f"2. Recover within the current plan: {TO_COMPLETE} the corrective actions, their "
                "cost and time, and the risk that they do not work.",
                "3. Close the project prematurely: only if the business case no longer holds. "
                f"{TO_COMPLETE} whether it does.",
            ]
        ),
        "recommendation": f"{TO_COMPLETE} the option the project manager recommends, and why.",
        "lessons": "\n".join(
            [
                *(["Lessons already logged that apply:", *lessons, ""] if lessons else []),
                f"{TO_COMPLETE} what this exception teaches the project and the organisation.",
            ]
        ),
    }


def draft_exception_report(
    db, key: str, stage: str | int | None, *, today: date, actor: str | None = None
) -> DraftedReport:
    """Draft an exception report for a stage (or, with ``stage`` None, the project) whose
    forecast is beyond tolerance; if one is already in hand (draft or issued), return it."""
    from tracker.services.projects import project_by_key
    from tracker.services.status import project_status

    def work(session: Session) -> DraftedReport:
        project = project_by_key(session, key)
        found = find_stage(session, project, stage) if stage is not None else None
        in_hand = session.exec(
            select(ExceptionReport).where(
                ExceptionReport.project_id == project.id,
                (ExceptionReport.stage_id == found.id)
                if found
                else col(ExceptionReport.stage_id).is_(None),
                col(ExceptionReport.status).in_(("draft", "issued")),
            )
        ).first()
        if in_hand is not None:
            return DraftedReport(in_hand.identifier, False)
        status = project_status(session, project, today)
        if found is not None:
            mine = next(s for s in status.stages if s.stage_id == found.id)
            checks, where = (mine.time, mine.cost), f"the {found.name} stage"
        else:
            checks, where = (status.time, status.cost), "the project"
        if not beyond_tolerance(*checks):
            described = "; ".join(f"{c.aspect} {status_text(c)}" for c in checks if c) or (
                "no plan or tolerance to measure against"
            )
            raise Conflict(
                f"{project.key}: nothing in {where} is forecast beyond tolerance ({described}); "
                "an exception report is for a forecast beyond tolerance"
            )
        fields = draft_fields(session, project, found, status, today)
        number = next_number(session, ExceptionReport, project.id)
        report = ExceptionReport(
            project_id=project.id,
            number=number,
            identifier=f"{PREFIX}-{number:03d}",
            level="stage" if found else "project",
            stage_id=found.id if found else None,
            drafted_on=today,
            author_id=project_manager_id(session, project.id),
            **fields,
        )
        session.add(report)
        session.flush()
        return DraftedReport(report.identifier, True)

    return run_write(db, work, actor=actor)


# --------------------------------------------------------------------------- the report itself


def find_exception_report(session: Session, project: Project, identifier: str) -> ExceptionReport:
    from tracker.domain.validation import InvalidValue

    try:
        number = parse_identifier(identifier, PREFIX)
    except InvalidValue as exc:
        raise NotFound(f"{project.key}: {exc}") from None
    report = session.exec(
        select(ExceptionReport).where(
            ExceptionReport.project_id == project.id, ExceptionReport.number == number
        )
    ).first()
    if report is None:
        raise NotFound(f"{project.key} has no exception report {identifier.upper()}")
    return report


def _decision_text(decision: Decision | None) -> str:
    if decision is None:
        return ""
    text = f"{decision.identifier} on {format_date(decision.decision_date)}: {decision.summary}"
    return text + (f" Rationale: {decision.rationale}" if decision.rationale else "")


def _plan_facts(session: Session, report: ExceptionReport) -> tuple[tuple[str, str], ...]:
    if report.exception_plan_id is None:
        return ()
    plan = session.get(StageBaseline, report.exception_plan_id)
    rows = baselines(session, plan.stage_id)
    original = rows[0]
    return (
        (
            "Exception plan",
            plan_text(plan.planned_start, plan.planned_end, plan.planned_cost_pence),
        ),
        ("Approved", format_date(plan.approved_on)),
        (
            "Original baseline",
            plan_text(original.planned_start, original.planned_end, original.planned_cost_pence),
        ),
    )


def report_content(session: Session, report: ExceptionReport) -> ExceptionReportContent:
    project = session.get(Project, report.project_id)
    stage = session.get(Stage, report.stage_id) if report.stage_id else None
    author = session.get(Person, report.author_id) if report.author_id else None
    issue = session.get(Issue, report.issue_id) if report.issue_id else None
    decision = session.get(Decision, report.decision_id) if report.decision_id else None
    return ExceptionReportContent(
        identifier=report.identifier,
        title=report.title,
        status=report.status,
        project_key=project.key,
        project_name=project.name,
        organisation=project.organisation,
        level=report.level,
        stage=stage.name if stage else "",
        escalate_to=ESCALATE_TO[report.level],
        author=author.name if author else "",
        drafted_on=report.drafted_on,
        issued_on=report.issued_on,
        issue=f"{issue.identifier} {issue.title}" if issue else "",
        deviation=report.deviation,
        cause=report.cause,
        consequences=report.consequences,
        options=report.options,
        recommendation=report.recommendation,
        lessons=report.lessons,
        decision=_decision_text(decision),
        exception_plan=_plan_facts(session, report),
    )


def report_document(session: Session, report: ExceptionReport) -> Document:
    """The report: once issued, exactly the copy the board received, with the decision recorded
    after it; before that, built from the draft."""
    if report.issued_content is None:
        return exception_report_document(report_content(session, report))
    document = Document.from_json(report.issued_content)
    if report.decision_id is not None:
        content = report_content(session, report)
        document.add(Heading("Decision (recorded after issue)"), Paragraph(content.decision))
        if content.exception_plan:
            document.add(Facts(content.exception_plan))
    return document


@dataclass(frozen=True)
class ExceptionReportView:
    """A report as the screen shows it: its document and what can be done with it."""

    identifier: str
    status: str
    level: str
    stage: str
    version: int
    fields: dict[str, str]
    document: Document
    issued_on: date | None
    planned_start: date | None  # of the stage: the earliest an exception plan can end
    forecast_end: date | None  # proposed defaults for the exception plan
    forecast_cost_pence: int | None


def exception_report(
    db, key: str, identifier: str, *, today: date | None = None
) -> ExceptionReportView:
    from tracker.domain.clock import today as clock_today
    from tracker.services.projects import project_by_key

    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        report = find_exception_report(session, project, identifier)
        stage = session.get(Stage, report.stage_id) if report.stage_id else None
        return ExceptionReportView(
            report.identifier,
            report.status,
            report.level,
            stage.name if stage else "",
            report.version,
            {name: getattr(report, name) for name in EDITABLE_FIELDS},
            report_document(session, report),
            report.issued_on,
            (stage.actual_start or stage.planned_start) if stage else None,
            expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
            if stage
            else None,
            stage_forecast_cost(stage) if stage else None,
        )


def _refuse_unless_draft(project: Project, report: ExceptionReport) -> None:
    if report.status != "draft":
        raise Conflict(
            f"{project.key} {report.identifier} was issued on {format_date(report.issued_on)}; "
            "an issued report is not changed (draft a new one if the forecast moves again)"
        )


def parse_sections(raw: Mapping[str, str]) -> dict[str, str]:
    """Validate edited sections of a draft (any of ``EDITABLE_FIELDS``): the title must stay."""
    unknown = sorted(set(raw) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError.single(unknown[0], "is not a section of an exception report")
    problems = Problems()
    cleaned = {name: (value or "").strip() for name, value in raw.items()}
    if "title" in cleaned:
        problems.take("title", required_text, cleaned["title"], max_length=200)
    problems.check()
    return cleaned


def update_exception_report(
    db,
    key: str,
    identifier: str,
    changes: Mapping[str, str],
    *,
    opened_version: int | None,
    actor: str | None = None,
) -> int:
    """Finish a draft: set any of ``EDITABLE_FIELDS``. Returns the new version."""
    from tracker.services.projects import project_by_key

    cleaned = parse_sections(changes)

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        report = find_exception_report(session, project, identifier)
        _refuse_unless_draft(project, report)
        fields = {k: v for k, v in cleaned.items() if getattr(report, k) != v}
        apply_edit(
            session, report, opened_version, fields, label=f"{project.key} {report.identifier}"
        )
        return report.version

    return run_write(db, work, actor=actor)


def unfinished_sections(fields: Mapping[str, str]) -> list[FieldError]:
    return [
        FieldError(name, f"still has {TO_COMPLETE}: finish it before the report is issued")
        for name in EDITABLE_FIELDS
        if TO_COMPLETE in (fields.get(name) or "")
    ] + [
        FieldError(name, "is empty: write it before the report is issued")
        for name in ("title", "cause", "consequences", "options", "recommendation")
        if not (fields.get(name) or "").strip()
    ]


def issue_exception_report(
    db,
    key: str,
    identifier: str,
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> int:
    """Issue a finished draft to the board (or, for a project exception, to corporate or
    programme management): its document is frozen as issued. Returns the new version."""
    from tracker.services.projects import project_by_key

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        report = find_exception_report(session, project, identifier)
        _refuse_unless_draft(project, report)
        problems = unfinished_sections({n: getattr(report, n) for n in EDITABLE_FIELDS})
        if problems:
            raise ValidationError(problems)
        label = f"{project.key} {report.identifier}"
        apply_edit(session, report, opened_version, {}, label=label)
        freeze_issued(session, report, today)
        return report.version

    return run_write(db, work, actor=actor)


def freeze_issued(session: Session, report: ExceptionReport, issued_on: date) -> None:
    """Mark the report issued, keeping its document exactly as the board receives it."""
    content = replace(report_content(session, report), status="issued", issued_on=issued_on)
    report.status, report.issued_on = "issued", issued_on
    report.issued_content = exception_report_document(content).to_json()
    session.flush()


# --------------------------------------------------------------------------- exception plans


@dataclass(frozen=True)
class ExceptionPlanInput:
    decided_on: date
    planned_end: date
    planned_cost_pence: int
    rationale: str


def parse_exception_plan(
    raw: Mapping[str, object],
    *,
    stage_start: date | None,
    issued_on: date | None,
    today: date,
) -> ExceptionPlanInput:
    """Validate the board's approval of an exception plan: when it was decided (default today;
    not before the report was issued), the plan's new end and cost, and why."""
    problems = Problems()

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    decided_on = problems.take("decided on", parse_optional_date, get("decided on")) or today
    problems.take("decided on", not_after_today, decided_on, today)
    if issued_on is not None and decided_on < issued_on:
        problems.add(
            "decided on",
            f"{format_date(decided_on)} is before the report was issued ({format_date(issued_on)})",
        )
    planned_end = problems.take("planned end", parse_optional_date, get("planned end"))
    if planned_end is None and not any(e.field == "planned end" for e in problems.errors):
        problems.add("planned end", "is required")
    if planned_end is not None and stage_start is not None and planned_end < stage_start:
        problems.add(
            "planned end",
            f"{format_date(planned_end)} is before the stage starts ({format_date(stage_start)})",
        )
    cost = problems.take("planned cost", parse_optional_money, get("planned cost"))
    if cost is None and not any(e.field == "planned cost" for e in problems.errors):
        problems.add("planned cost", "is required")
    rationale = problems.take("rationale", required_text, get("rationale"))
    problems.check()
    return ExceptionPlanInput(decided_on, planned_end, cost, rationale)


@dataclass(frozen=True)
class ApprovedPlan:
    decision: str
    baseline: int  # the new baseline's number (1 is the original)
    version: int  # of the report


def apply_exception_plan(
    session: Session,
    project: Project,
    report: ExceptionReport,
    data: ExceptionPlanInput,
    *,
    opened_version: int | None = None,
) -> ApprovedPlan:
    """Inside the caller's transaction: the board's decision, the stage's new plan, the new
    baseline (the original is kept) and the report marked approved."""
    label = f"{project.key} {report.identifier}"
    if report.status != "issued":
        state = "still a draft" if report.status == "draft" else "already approved"
        raise Conflict(f"{label} is {state}: the board approves an issued exception report")
    if report.level != "stage":
        raise Conflict(
            f"{label} is a project exception: corporate or programme management decides it; "
            "record their decision as new project tolerances"
        )
    stage = session.get(Stage, report.stage_id)
    apply_edit(session, report, opened_version, {}, label=label)
    before = plan_text(stage.planned_start, stage.planned_end, stage.planned_cost_pence)
    decision = record_decision(
        session,
        project,
        activity="authorise a stage or exception plan",
        decided_on=data.decided_on,
        summary=(
            f"Approved the exception plan in {report.identifier} for the {stage.name} stage: "
            f"to end on {format_date(data.planned_end)} at a cost of "
            f"{format_money(data.planned_cost_pence)} (the plan was {before})."
        ),
        rationale=data.rationale,
        stage=stage,
        issue_id=report.issue_id,
    )
    baseline = adopt_exception_plan(session, report, stage, decision, data)
    return ApprovedPlan(decision.identifier, baseline.number, report.version)


def adopt_exception_plan(
    session: Session,
    report: ExceptionReport,
    stage: Stage,
    decision: Decision,
    data: ExceptionPlanInput,
) -> StageBaseline:
    """The exception plan replaces the stage plan, on ``decision``: the original baseline is
    kept (recorded first if the stage had none), the new plan becomes the next baseline and the
    report is marked approved."""
    ensure_baseline(session, stage)
    stage.planned_end = data.planned_end
    stage.planned_cost_pence = data.planned_cost_pence
    session.flush()
    baseline = add_baseline(
        session,
        stage,
        kind="exception plan",
        approved_on=data.decided_on,
        decision=decision,
        note=f"Exception plan from {report.identifier}",
    )
    report.status = "approved"
    report.decided_on = data.decided_on
    report.decision_id = decision.id
    report.exception_plan_id = baseline.id
    session.flush()
    return baseline


def approve_exception_plan(
    db,
    key: str,
    identifier: str,
    data: ExceptionPlanInput | Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> ApprovedPlan:
    """Record the board's approval of the exception plan in an issued report."""
    from tracker.services.projects import project_by_key

    def work(session: Session) -> ApprovedPlan:
        project = project_by_key(session, key)
        report = find_exception_report(session, project, identifier)
        typed = data
        if not isinstance(typed, ExceptionPlanInput):
            stage = session.get(Stage, report.stage_id) if report.stage_id else None
            typed = parse_exception_plan(
                typed,
                stage_start=(stage.actual_start or stage.planned_start) if stage else None,
                issued_on=report.issued_on,
                today=today,
            )
        return apply_exception_plan(session, project, report, typed, opened_version=opened_version)

    return run_write(db, work, actor=actor)


def reports_for(session: Session, project_id: int) -> list[ExceptionReport]:
    return list(
        session.exec(
            select(ExceptionReport)
            .where(ExceptionReport.project_id == project_id)
            .order_by(ExceptionReport.number)
        )
    )
