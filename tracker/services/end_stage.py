"""End Stage Reports and the board's authorisation to proceed.

At a stage boundary the project manager drafts the End Stage Report from the data
(``draft_end_stage_report``): performance against the stage plan and tolerances, products (the
stage's work packages), lessons logged during the stage, open issues and risks above the
project's tolerance line, and the forecast with the next stage's plan. The PM finishes it, issues
it, and the board's authorisation to proceed (``authorise_next_stage``) closes the stage with its
actual figures and authorises the next one: a ``Decision`` with the next stage's plan, which
becomes that stage's baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from db.models import (
    Decision,
    EndStageReport,
    Issue,
    Lesson,
    Person,
    Project,
    Risk,
    Stage,
    WorkPackage,
)
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.money import format_money, parse_optional_money
from tracker.domain.tolerance import expected_end
from tracker.domain.validation import Problems, ValidationError, required_text
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Document, Heading, Paragraph
from tracker.reports.end_stage_report import (
    EndStageReportContent,
    PerformanceRow,
    end_stage_report_document,
)
from tracker.services.exceptions import TO_COMPLETE, project_manager_id
from tracker.services.progress import ProgressInput, add_progress
from tracker.services.records import apply_edit, run_write
from tracker.services.risks import next_number, parse_identifier
from tracker.services.stages import (
    add_baseline,
    allowed_text,
    baselines,
    ensure_baseline,
    find_stage,
    not_after_today,
    plan_text,
    record_decision,
    status_text,
    tolerance_views,
    variance_text,
)
from tracker.services.status import StageStatus, plan_cost_pence, stage_forecast_cost

PREFIX = "ES"
EDITABLE_FIELDS = (
    "manager_report",
    "business_case_review",
    "objectives_review",
    "team_performance",
    "products_review",
    "lessons",
    "issues_and_risks",
    "forecast",
)
AUTHORISATION_FIELDS = (
    "decided on",
    "actual end",
    "actual cost",
    "next planned start",
    "next planned end",
    "next planned cost",
    "rationale",
)


def next_stage(session: Session, stage: Stage) -> Stage | None:
    """The stage after ``stage`` in the sequence, if any."""
    return session.exec(
        select(Stage)
        .where(Stage.project_id == stage.project_id, Stage.sequence > stage.sequence)
        .order_by(Stage.sequence)
        .limit(1)
    ).first()


def _bullets(lines: list[str], none: str) -> str:
    return "\n".join(lines) if lines else none


def draft_fields(
    session: Session, project: Project, stage: Stage, mine: StageStatus, today: date
) -> dict[str, str]:
    """An end stage report's sections drafted from the data."""
    from tracker.services.status import project_status

    end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
    start = stage.actual_start or stage.planned_start
    started = (
        f"started on {format_date(stage.actual_start)} (planned {format_date(stage.planned_start)})"
        if stage.actual_start
        else f"was planned to start on {format_date(stage.planned_start)}"
    )
    manager = (
        f"The {stage.name} stage {started} and is forecast to end on {format_date(end)} against "
        f"the plan's {format_date(stage.planned_end)}: {status_text(mine.time)}. It has cost "
        f"{format_money(stage.actual_cost_pence or 0)} to date and is forecast to cost "
        f"{format_money(stage_forecast_cost(stage))} against the plan's "
        f"{format_money(stage.planned_cost_pence)}: {status_text(mine.cost)}. "
        f"{stage.percent_complete}% complete.\n\n{TO_COMPLETE} the project manager's summary of "
        "the stage: what was achieved, and anything abnormal."
    )
    status = project_status(session, project, today)
    business_case = (
        f"Project cost: {status_text(status.cost)} (plan {format_money(plan_cost_pence(project))}"
        f"). Project time: {status_text(status.time)} (planned end "
        f"{format_date(project.planned_end)}).\n\n{TO_COMPLETE} whether the business case is still "
        "desirable, viable and achievable."
    )
    objectives = [
        line.strip() for line in project.objectives.splitlines() if line.strip().startswith("-")
    ]
    objectives_text = "\n".join(
        ["The project's objectives:", *objectives[:8], "", f"{TO_COMPLETE} progress against each."]
        if objectives
        else [f"{TO_COMPLETE} progress against the project's objectives."]
    )
    packages = session.exec(
        select(WorkPackage).where(WorkPackage.stage_id == stage.id).order_by(WorkPackage.identifier)
    ).all()
    unfinished = [w for w in packages if w.status != "completed"]
    products = (
        f"{len(packages) - len(unfinished)} of {len(packages)} work packages completed."
        + (
            " Not completed: "
            + ", ".join(f"{w.identifier} ({w.percent_complete}%)" for w in unfinished)
            + "."
            if unfinished
            else ""
        )
        + f"\n\n{TO_COMPLETE} quality records, approvals, off-specifications and any phased "
        "handover."
    )
    lessons = session.exec(
        select(Lesson)
        .where(Lesson.project_id == project.id, Lesson.date_logged >= (start or date.min))
        .order_by(Lesson.number)
    ).all()
    lessons_text = (
        _bullets(
            [f"- {lesson.identifier} {lesson.title}" for lesson in lessons],
            "No lessons were logged during the stage.",
        )
        + f"\n\n{TO_COMPLETE} the lessons report for the stage."
    )
    issues = session.exec(
        select(Issue)
        .where(Issue.project_id == project.id, col(Issue.status).not_in(("closed", "implemented")))
        .order_by(Issue.number)
    ).all()
    risks = [
        r
        for r in session.exec(
            select(Risk)
            .where(Risk.project_id == project.id, Risk.status == "active")
            .order_by(Risk.number)
        )
        if (r.residual_score or r.inherent_score or 0) >= project.risk_tolerance_score
    ]
    issues_text = "\n".join(
        [
            "Open issues:",
            *([f"- {i.identifier} {i.title} ({i.status})" for i in issues] or ["- None."]),
            "",
            f"Active risks scoring {project.risk_tolerance_score} or more:",
            *(
                [
                    f"- {r.identifier} {r.title} (score {r.residual_score or r.inherent_score})"
                    for r in risks
                ]
                or ["- None."]
            ),
        ]
    )
    following = next_stage(session, stage)
    if following is not None:
        tolerances = "; ".join(
            f"{v.aspect} {v.text}"
            for v in tolerance_views(session, project.id, following.id)
            if v.is_set
        )
        plan = plan_text(
            following.planned_start, following.planned_end, following.planned_cost_pence
        )
        forecast = (
            f"Next stage, {following.name}: {plan}"
            f"; tolerances {tolerances or 'not yet set'}.\n"
            f"Project: {status_text(status.time)} on time; {status_text(status.cost)} on cost."
            f"\n\n{TO_COMPLETE} the forecast for the project and the next stage."
        )
    else:
        forecast = f"{TO_COMPLETE} the forecast for the project."
    return {
        "manager_report": manager,
        "business_case_review": business_case,
        "objectives_review": objectives_text,
        "team_performance": f"{TO_COMPLETE} how the teams performed.",
        "products_review": products,
        "lessons": lessons_text,
        "issues_and_risks": issues_text,
        "forecast": forecast,
    }


def check_stage_boundary(project: Project, stage: Stage) -> None:
    """Refuse an End Stage Report for the final stage or a stage not under way."""
    if stage.kind == "final":
        raise Conflict(
            f"{project.key}: {stage.name} is the final stage; it closes with an End Project "
            "Report, not an End Stage Report"
        )
    if stage.status not in ("authorised", "in progress"):
        raise Conflict(
            f"{project.key}: {stage.name} is {stage.status}; an End Stage Report is written at "
            "the end of the stage that is under way"
        )


@dataclass(frozen=True)
class DraftedEndStage:
    identifier: str
    created: bool


def find_end_stage_report(session: Session, project: Project, identifier: str) -> EndStageReport:
    from tracker.domain.validation import InvalidValue

    try:
        number = parse_identifier(identifier, PREFIX)
    except InvalidValue as exc:
        raise NotFound(f"{project.key}: {exc}") from None
    report = session.exec(
        select(EndStageReport).where(
            EndStageReport.project_id == project.id, EndStageReport.number == number
        )
    ).first()
    if report is None:
        raise NotFound(f"{project.key} has no end stage report {identifier.upper()}")
    return report


def draft_end_stage_report(
    db, key: str, stage: str | int, *, today: date, actor: str | None = None
) -> DraftedEndStage:
    """Draft the End Stage Report for the stage under way, or return the one already written."""
    from tracker.services.projects import project_by_key
    from tracker.services.status import project_status

    def work(session: Session) -> DraftedEndStage:
        project = project_by_key(session, key)
        found = find_stage(session, project, stage)
        existing = session.exec(
            select(EndStageReport).where(EndStageReport.stage_id == found.id)
        ).first()
        if existing is not None:
            return DraftedEndStage(existing.identifier, False)
        check_stage_boundary(project, found)
        status = project_status(session, project, today)
        mine = next(s for s in status.stages if s.stage_id == found.id)
        following = next_stage(session, found)
        number = next_number(session, EndStageReport, project.id)
        report = EndStageReport(
            project_id=project.id,
            number=number,
            identifier=f"{PREFIX}-{number:03d}",
            stage_id=found.id,
            next_stage_id=following.id if following else None,
            drafted_on=today,
            author_id=project_manager_id(session, project.id),
            **draft_fields(session, project, found, mine, today),
        )
        session.add(report)
        session.flush()
        return DraftedEndStage(report.identifier, True)

    return run_write(db, work, actor=actor)


def _performance(
    session: Session, project: Project, stage: Stage, today: date
) -> tuple[PerformanceRow, ...]:
    from tracker.services.status import project_status

    status = project_status(session, project, today)
    mine = next(s for s in status.stages if s.stage_id == stage.id)
    views = {v.aspect: v for v in tolerance_views(session, project.id, stage.id)}
    rows = []
    end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
    kept = baselines(session, stage.id)
    original = kept[0] if len(kept) > 1 else None
    was_end = (
        f" (original baseline {format_date(original.planned_end)})"
        if original and original.planned_end != stage.planned_end
        else ""
    )
    was_cost = (
        f" (original baseline {format_money(original.planned_cost_pence)})"
        if original and original.planned_cost_pence != stage.planned_cost_pence
        else ""
    )
    if mine.time is not None:
        rows.append(
            PerformanceRow(
                "Time",
                f"end {format_date(stage.planned_end)}{was_end}",
                f"end {format_date(end)}",
                variance_text(mine.time),
                views["time"].text if "time" in views else allowed_text(mine.time),
                mine.time.rag,
                mine.time.status
                + (
                    f", {mine.time.percent_used}% used"
                    if mine.time.percent_used is not None
                    else ""
                ),
            )
        )
    if mine.cost is not None:
        rows.append(
            PerformanceRow(
                "Cost",
                f"{format_money(stage.planned_cost_pence)}{was_cost}",
                format_money(stage_forecast_cost(stage)),
                variance_text(mine.cost),
                views["cost"].text if "cost" in views else allowed_text(mine.cost),
                mine.cost.rag,
                mine.cost.status
                + (
                    f", {mine.cost.percent_used}% used"
                    if mine.cost.percent_used is not None
                    else ""
                ),
            )
        )
    for view in views.values():
        if view.kind == "descriptive" and view.is_set:
            rows.append(PerformanceRow(view.aspect.capitalize(), "", "", "", view.text, None, ""))
    return tuple(rows)


def report_content(session: Session, report: EndStageReport, today: date) -> EndStageReportContent:
    project = session.get(Project, report.project_id)
    stage = session.get(Stage, report.stage_id)
    following = session.get(Stage, report.next_stage_id) if report.next_stage_id else None
    author = session.get(Person, report.author_id) if report.author_id else None
    decision = session.get(Decision, report.decision_id) if report.decision_id else None
    packages = session.exec(
        select(WorkPackage).where(WorkPackage.stage_id == stage.id).order_by(WorkPackage.identifier)
    ).all()
    next_plan: tuple[tuple[str, str], ...] = ()
    if following is not None:
        tolerances = [
            (f"{v.aspect.capitalize()} tolerance", v.text)
            for v in tolerance_views(session, project.id, following.id)
            if v.is_set
        ]
        next_plan = (
            (
                "Plan",
                plan_text(
                    following.planned_start, following.planned_end, following.planned_cost_pence
                ),
            ),
            ("Status", following.status),
            *tolerances,
        )
    return EndStageReportContent(
        identifier=report.identifier,
        status=report.status,
        project_key=project.key,
        project_name=project.name,
        organisation=project.organisation,
        stage=stage.name,
        author=author.name if author else "",
        drafted_on=report.drafted_on,
        issued_on=report.issued_on,
        manager_report=report.manager_report,
        business_case_review=report.business_case_review,
        objectives_review=report.objectives_review,
        team_performance=report.team_performance,
        products_review=report.products_review,
        lessons=report.lessons,
        issues_and_risks=report.issues_and_risks,
        forecast=report.forecast,
        performance=_performance(session, project, stage, today),
        products=tuple((w.identifier, w.title, w.status, w.percent_complete) for w in packages),
        next_stage=following.name if following else "",
        next_stage_plan=next_plan,
        decision=(
            f"{decision.identifier} on {format_date(decision.decision_date)}: {decision.summary}"
            + (f" Rationale: {decision.rationale}" if decision.rationale else "")
        )
        if decision
        else "",
    )


def report_document(session: Session, report: EndStageReport, today: date) -> Document:
    if report.issued_content is None:
        return end_stage_report_document(report_content(session, report, today))
    document = Document.from_json(report.issued_content)
    if report.decision_id is not None:
        content = report_content(session, report, today)
        document.add(Heading("Authorisation to proceed (recorded after issue)"))
        document.add(Paragraph(content.decision))
    return document


@dataclass(frozen=True)
class EndStageReportView:
    identifier: str
    status: str
    stage: str
    next_stage: str
    version: int
    fields: dict[str, str]
    document: Document
    issued_on: date | None
    defaults: dict[str, str]  # proposed values for the authorisation form


def end_stage_report(
    db, key: str, identifier: str, *, today: date | None = None
) -> EndStageReportView:
    from tracker.domain.clock import today as clock_today
    from tracker.services.projects import project_by_key

    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        report = find_end_stage_report(session, project, identifier)
        stage = session.get(Stage, report.stage_id)
        following = session.get(Stage, report.next_stage_id) if report.next_stage_id else None
        end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
        defaults = {
            "decided on": format_date(today),
            "actual end": format_date(min(end, today) if end else today),
            "actual cost": format_money(stage.actual_cost_pence or 0),
            "next planned start": format_date(following.planned_start) if following else "",
            "next planned end": format_date(following.planned_end) if following else "",
            "next planned cost": format_money(following.planned_cost_pence) if following else "",
            "rationale": "",
        }
        return EndStageReportView(
            report.identifier,
            report.status,
            stage.name,
            following.name if following else "",
            report.version,
            {name: getattr(report, name) for name in EDITABLE_FIELDS},
            report_document(session, report, today),
            report.issued_on,
            defaults,
        )


def _refuse_unless_draft(project: Project, report: EndStageReport) -> None:
    if report.status != "draft":
        raise Conflict(
            f"{project.key} {report.identifier} was issued on {format_date(report.issued_on)}; "
            "an issued report is not changed"
        )


def parse_sections(raw: Mapping[str, str]) -> dict[str, str]:
    """Validate edited sections of a draft (any of ``EDITABLE_FIELDS``)."""
    unknown = sorted(set(raw) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError.single(unknown[0], "is not a section of an end stage report")
    return {name: (value or "").strip() for name, value in raw.items()}


def update_end_stage_report(
    db,
    key: str,
    identifier: str,
    changes: Mapping[str, str],
    *,
    opened_version: int | None,
    actor: str | None = None,
) -> int:
    from tracker.services.projects import project_by_key

    cleaned = parse_sections(changes)

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        report = find_end_stage_report(session, project, identifier)
        _refuse_unless_draft(project, report)
        fields = {k: v for k, v in cleaned.items() if getattr(report, k) != v}
        apply_edit(
            session, report, opened_version, fields, label=f"{project.key} {report.identifier}"
        )
        return report.version

    return run_write(db, work, actor=actor)


def issue_end_stage_report(
    db,
    key: str,
    identifier: str,
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> int:
    from tracker.domain.validation import FieldError
    from tracker.services.projects import project_by_key

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        report = find_end_stage_report(session, project, identifier)
        _refuse_unless_draft(project, report)
        problems = [
            FieldError(name, f"still has {TO_COMPLETE}: finish it before the report is issued")
            for name in EDITABLE_FIELDS
            if TO_COMPLETE in getattr(report, name)
        ]
        if problems:
            raise ValidationError(problems)
        apply_edit(session, report, opened_version, {}, label=f"{project.key} {report.identifier}")
        content = replace(report_content(session, report, today), status="issued", issued_on=today)
        report.status, report.issued_on = "issued", today
        report.issued_content = end_stage_report_document(content).to_json()
        session.flush()
        return report.version

    return run_write(db, work, actor=actor)


# --------------------------------------------------------------------------- authorisation


@dataclass(frozen=True)
class StageAuthorisationInput:
    decided_on: date
    actual_end: date
    actual_cost_pence: int
    next_planned_start: date | None
    next_planned_end: date | None
    next_planned_cost_pence: int | None
    rationale: str


def parse_authorisation(
    raw: Mapping[str, object],
    *,
    stage_start: date | None,
    issued_on: date | None,
    has_next: bool,
    today: date,
) -> StageAuthorisationInput:
    """Validate the board's authorisation to proceed: when, how the stage ended (date and actual
    cost), the next stage's plan, and why."""
    problems = Problems()

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    def required(field: str, parse):
        value = problems.take(field, parse, get(field))
        if value is None and not any(e.field == field for e in problems.errors):
            problems.add(field, "is required")
        return value

    decided_on = problems.take("decided on", parse_optional_date, get("decided on")) or today
    problems.take("decided on", not_after_today, decided_on, today)
    if issued_on is not None and decided_on < issued_on:
        problems.add(
            "decided on",
            f"{format_date(decided_on)} is before the report was issued ({format_date(issued_on)})",
        )
    actual_end = required("actual end", parse_optional_date)
    if actual_end is not None:
        problems.take("actual end", not_after_today, actual_end, today)
        if stage_start is not None and actual_end < stage_start:
            problems.add(
                "actual end",
                f"{format_date(actual_end)} is before the stage started "
                f"({format_date(stage_start)})",
            )
    actual_cost = required("actual cost", parse_optional_money)
    start = end = cost = None
    if has_next:
        start = required("next planned start", parse_optional_date)
        end = required("next planned end", parse_optional_date)
        cost = problems.take("next planned cost", parse_optional_money, get("next planned cost"))
        if start and end and end < start:
            problems.add(
                "next planned end",
                f"{format_date(end)} is before the next stage's start ({format_date(start)})",
            )
    rationale = problems.take("rationale", required_text, get("rationale"))
    problems.check()
    return StageAuthorisationInput(decided_on, actual_end, actual_cost, start, end, cost, rationale)


@dataclass(frozen=True)
class Authorised:
    decision: str
    closed: str
    next_stage: str


def authorise_next_stage(
    db,
    key: str,
    identifier: str,
    data: StageAuthorisationInput | Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> Authorised:
    """On an issued End Stage Report: close the stage with its actual figures (a final progress
    update), authorise the next stage with its plan (a decision; the plan is its baseline), and
    mark the report approved."""
    return run_write(
        db,
        lambda session: apply_authorisation(
            session, key, identifier, data, today=today, opened_version=opened_version
        ),
        actor=actor,
    )


def apply_authorisation(
    session: Session,
    key: str,
    identifier: str,
    data: StageAuthorisationInput | Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
) -> Authorised:
    """``authorise_next_stage`` inside the caller's transaction. On the End Stage Report of the
    last stage the board's decision is to authorise closure, and the project closes."""
    from tracker.services.projects import project_by_key

    project = project_by_key(session, key)
    report = find_end_stage_report(session, project, identifier)
    label = f"{project.key} {report.identifier}"
    if report.status != "issued":
        state = "still a draft" if report.status == "draft" else "already approved"
        raise Conflict(f"{label} is {state}: the board authorises on an issued report")
    stage = session.get(Stage, report.stage_id)
    following = session.get(Stage, report.next_stage_id) if report.next_stage_id else None
    typed = data
    if not isinstance(typed, StageAuthorisationInput):
        typed = parse_authorisation(
            typed,
            stage_start=stage.actual_start or stage.planned_start,
            issued_on=report.issued_on,
            has_next=following is not None,
            today=today,
        )
    apply_edit(session, report, opened_version, {}, label=label)
    if stage.status not in ("authorised", "in progress"):
        raise Conflict(f"{project.key}: {stage.name} is {stage.status}")
    add_progress(
        session,
        stage,
        ProgressInput(
            as_at=typed.actual_end,
            started_on=None if stage.actual_start else (stage.planned_start or typed.actual_end),
            actual_cost_pence=typed.actual_cost_pence,
            estimate_to_complete_pence=0,
            forecast_cost_pence=typed.actual_cost_pence,
            forecast_end=typed.actual_end,
            percent_complete=100,
            note=f"Stage closed on the board's authorisation ({report.identifier}).",
        ),
        recorded_by=session.info.get("actor", ""),
    )
    stage.status = "completed"
    stage.actual_end = typed.actual_end
    stage.actual_cost_pence = typed.actual_cost_pence
    stage.forecast_end = typed.actual_end
    stage.forecast_cost_pence = typed.actual_cost_pence
    stage.percent_complete = 100
    session.flush()
    if following is not None:
        ensure_baseline(session, following)
        plan = plan_text(
            typed.next_planned_start, typed.next_planned_end, typed.next_planned_cost_pence
        )
        summary = (
            f"Authorised the {following.name} stage ({plan})"
            f" on {report.identifier}, the End Stage Report for {stage.name}, which closed on "
            f"{format_date(typed.actual_end)} at {format_money(typed.actual_cost_pence)}."
        )
    else:
        summary = (
            f"Authorised closure of the project on {report.identifier}, the End Stage Report "
            f"for {stage.name}, the last stage, which closed on "
            f"{format_date(typed.actual_end)} at {format_money(typed.actual_cost_pence)}."
        )
        project.status = "closed"
        project.actual_end = typed.actual_end
    decision = record_decision(
        session,
        project,
        activity="authorise a stage or exception plan" if following else "authorise closure",
        decided_on=typed.decided_on,
        summary=summary,
        rationale=typed.rationale,
        stage=following or stage,
    )
    if following is not None:
        original = baselines(session, following.id)[0]
        following.planned_start = typed.next_planned_start
        following.planned_end = typed.next_planned_end
        following.planned_cost_pence = typed.next_planned_cost_pence
        following.status = "authorised"
        following.authorised_on = typed.decided_on
        session.flush()
        if (original.planned_start, original.planned_end, original.planned_cost_pence) != (
            following.planned_start,
            following.planned_end,
            following.planned_cost_pence,
        ):
            add_baseline(
                session,
                following,
                kind="stage plan",
                approved_on=typed.decided_on,
                decision=decision,
                note=f"Stage plan authorised on {report.identifier}",
            )
    report.status = "approved"
    report.decided_on = typed.decided_on
    report.decision_id = decision.id
    session.flush()
    return Authorised(decision.identifier, stage.name, following.name if following else "")


def reports_for(session: Session, project_id: int) -> list[EndStageReport]:
    return list(
        session.exec(
            select(EndStageReport)
            .where(EndStageReport.project_id == project_id)
            .order_by(EndStageReport.number)
        )
    )
