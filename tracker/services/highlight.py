"""Highlight reports: drafts the project manager writes, issuing and freezing, correcting an
issued report with a superseding one, the Reports tab's overview and the reporting calendar.

The figures come from the registers (``tracker.services.highlight_data``); the project manager
writes the narrative and rates the descriptive aspects, and the draft is saved with optimistic
locking. Issuing stores the report's ``Document`` as JSON together with a snapshot of the risk
register, in one transaction; nothing changes an issued report afterwards (the database refuses
it too), and ``report_document`` reprints it from that JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.clock import utcnow
from db.engine import Database
from db.models import (
    RAG_VALUES,
    HighlightReport,
    HighlightReportRating,
    Person,
    Project,
    ReportingSchedule,
    RoleAssignment,
    Stage,
)
from tracker.domain.calendar import due_dates, next_due
from tracker.domain.clock import today as clock_today
from tracker.domain.dates import format_date, parse_date
from tracker.domain.highlight import ASPECTS, LEVELS, Key, check_period, default_period
from tracker.domain.validation import InvalidValue, Problems, ValidationError, choice
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Document
from tracker.reports.highlight import (
    PROSE_FIELDS,
    HighlightData,
    Narrative,
    build_highlight_report,
    grid,
    judged_keys,
    problems_before_issue,
    rating_field,
)
from tracker.services.highlight_data import (
    Frame,
    gather_report,
    report_ratings,
)
from tracker.services.projects import project_by_key
from tracker.services.records import apply_edit, conflict_between, run_write
from tracker.services.risk_snapshots import take_risk_snapshot
from tracker.services.status import (
    current_stage,
)

PROSE_MAX = 20_000
COMMENT_MAX = 2_000


# --------------------------------------------------------------------------- reading rows


def _report(session: Session, project: Project, number: int) -> HighlightReport:
    report = session.exec(
        select(HighlightReport).where(
            HighlightReport.project_id == project.id, HighlightReport.number == number
        )
    ).first()
    if report is None:
        raise NotFound(f"{project.key} has no highlight report {number}")
    return report


def _draft(session: Session, project_id: int) -> HighlightReport | None:
    return session.exec(
        select(HighlightReport).where(
            HighlightReport.project_id == project_id, HighlightReport.status == "draft"
        )
    ).first()


def _last_issued(session: Session, project_id: int) -> HighlightReport | None:
    """The issued report covering the latest period: where a new report's period starts."""
    return session.exec(
        select(HighlightReport)
        .where(HighlightReport.project_id == project_id, HighlightReport.status == "issued")
        .order_by(col(HighlightReport.period_end).desc(), col(HighlightReport.number).desc())
        .limit(1)
    ).first()


def _person_name(session: Session, person_id: int | None) -> str:
    person = session.get(Person, person_id) if person_id else None
    return person.name if person else ""


def _project_manager(session: Session, project_id: int) -> int | None:
    return session.exec(
        select(RoleAssignment.person_id).where(
            RoleAssignment.project_id == project_id,
            RoleAssignment.role == "project manager",
            col(RoleAssignment.end_date).is_(None),
            col(RoleAssignment.deputy_for_id).is_(None),
        )
    ).first()


def _board_distribution(session: Session, project_id: int) -> str:
    rows = session.exec(
        select(RoleAssignment.role, Person.name)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.project_id == project_id,
            col(RoleAssignment.role).in_(
                ("executive", "senior user", "senior supplier", "project assurance")
            ),
            col(RoleAssignment.end_date).is_(None),
        )
        .order_by(RoleAssignment.id)
    ).all()
    return "; ".join(f"{name} ({role})" for role, name in rows)


def _next_number(session: Session, project_id: int) -> int:
    current = session.exec(
        select(func.max(HighlightReport.number)).where(HighlightReport.project_id == project_id)
    ).first()
    return (current or 0) + 1


# --------------------------------------------------------------------------- the narrative


@dataclass(frozen=True)
class NarrativeInput:
    period_end: date
    narrative: Narrative


def _prose(value: object, limit: int) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InvalidValue(f"is {len(text):,} characters long; at most {limit:,} are allowed")
    return text


def parse_narrative(
    raw: Mapping[str, object], *, period_start: date, today: date
) -> NarrativeInput:
    """Validate the project manager's part of a report as typed in the Reports tab: the prose
    sections, the period end, and a rating word and comment per grid row (blank: not rated)."""
    problems = Problems()
    prose = {
        attr: problems.take(name, _prose, raw.get(name), PROSE_MAX) or ""
        for name, attr in PROSE_FIELDS.items()
    }
    period_end = problems.take("period end", parse_date, str(raw.get("period end") or ""))
    if period_end is not None:
        problems.take("period end", check_period, period_start, period_end, today)
    judged: dict[Key, str | None] = {}
    comments: dict[Key, str] = {}
    for level in LEVELS:
        for aspect in ASPECTS:
            name = rating_field(level, aspect)
            if aspect != "overall":
                judged[(level, aspect)] = problems.take(
                    name, choice, str(raw.get(name) or ""), RAG_VALUES, required=False
                )
            comment = problems.take(
                f"{name} comment", _prose, raw.get(f"{name} comment"), COMMENT_MAX
            )
            if comment:
                comments[(level, aspect)] = comment
    problems.check()
    return NarrativeInput(period_end, Narrative(judged=judged, comments=comments, **prose))


def _narrative(report: HighlightReport | None, ratings: Mapping[Key, tuple]) -> Narrative:
    if report is None:
        return Narrative()
    return Narrative(
        status_summary=report.status_summary,
        work_completed=report.work_completed,
        work_planned=report.work_planned,
        corrective_actions=report.corrective_actions,
        judged={key: rag for key, (rag, _) in ratings.items()},
        comments={key: comment for key, (_, comment) in ratings.items() if comment},
    )


def raw_values(report: HighlightReport, ratings: Mapping[Key, tuple]) -> dict[str, str]:
    """A draft as the raw text values ``parse_narrative`` takes (and the editor shows)."""
    values = {name: getattr(report, attr) for name, attr in PROSE_FIELDS.items()}
    values["period end"] = format_date(report.period_end)
    for level in LEVELS:
        for aspect in ASPECTS:
            rag, comment = ratings.get((level, aspect), (None, ""))
            if aspect != "overall":
                values[rating_field(level, aspect)] = rag or ""
            values[f"{rating_field(level, aspect)} comment"] = comment or ""
    return values


def _frame_for(session: Session, project: Project, report: HighlightReport, **changes) -> Frame:
    author = _person_name(session, report.author_id)
    supersedes = None
    if report.supersedes_id:
        old = session.get(HighlightReport, report.supersedes_id)
        supersedes = old.number if old else None
    frame = Frame(
        number=report.number,
        status=report.status,
        period_start=report.period_start,
        period_end=report.period_end,
        report_date=report.report_date,
        as_at=report.report_date,
        stage_id=report.stage_id,
        author=author,
        distribution=report.distribution,
        report_id=report.id,
        supersedes=supersedes,
    )
    return replace(frame, **changes)


def _preview_frame(
    session: Session, project: Project, period_end: date | None, today: date
) -> Frame:
    """A report that has not been drafted: the next number, the default period."""
    last = _last_issued(session, project.id)
    start, end = default_period(
        last.period_end if last else None, project.actual_start or project.planned_start, today
    )
    if start > today:
        raise InvalidValue(
            f"highlight report {last.number} covers the period to {format_date(last.period_end)}: "
            f"nothing to report until {format_date(start)}"
        )
    if period_end is not None:
        check_period(start, period_end, today)
        end = period_end
    stages = list(session.exec(select(Stage).where(Stage.project_id == project.id)))
    stage = current_stage(stages)
    manager = _project_manager(session, project.id)
    return Frame(
        number=_next_number(session, project.id),
        status="draft",
        period_start=start,
        period_end=end,
        report_date=today,
        as_at=today,
        stage_id=stage.id if stage else None,
        author=_person_name(session, manager),
        distribution=(last.distribution if last else "")
        or _board_distribution(session, project.id),
    )


# --------------------------------------------------------------------------- documents


def _period_end_arg(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    problems = Problems()
    parsed = problems.take("period end", parse_date, value)
    problems.check()
    return parsed


def highlight_document(
    db: Database, key: str, *, period_end: date | str | None = None, today: date | None = None
) -> Document:
    """The report as it would be issued now: the draft (if there is one) with its narrative,
    else the next report with no narrative yet. ``period_end`` overrides the draft's."""
    today = today or clock_today()
    wanted = _period_end_arg(period_end)
    with db.read() as session:
        project = project_by_key(session, key)
        draft = _draft(session, project.id)
        if draft is None:
            try:
                frame = _preview_frame(session, project, wanted, today)
            except InvalidValue as exc:
                raise ValidationError.single("period end", str(exc)) from None
            return build_highlight_report(gather_report(session, project, frame), Narrative())
        changes: dict = {"report_date": today, "as_at": today}
        if wanted is not None:
            try:
                check_period(draft.period_start, wanted, today)
            except InvalidValue as exc:
                raise ValidationError.single("period end", str(exc)) from None
            changes["period_end"] = wanted
        frame = _frame_for(session, project, draft, **changes)
        ratings = report_ratings(session, draft.id)
        return build_highlight_report(
            gather_report(session, project, frame), _narrative(draft, ratings)
        )


@dataclass(frozen=True)
class ReportCopy:
    """A report as the board received it."""

    number: int
    status: str
    document: Document
    frozen: bool  # False: rebuilt from its recorded narrative and ratings (no frozen copy)
    superseded_by: int | None


def recorded_document(session: Session, project: Project, report: HighlightReport) -> Document:
    """A report issued before the tracker held highlight reports, rebuilt from what was recorded
    of it (narrative, ratings, the risk snapshot taken at the time) and the registers' dates."""
    frame = _frame_for(session, project, report, recorded=True)
    ratings = report_ratings(session, report.id)
    return build_highlight_report(
        gather_report(session, project, frame), _narrative(report, ratings)
    )


def report_document(db: Database, key: str, number: int) -> ReportCopy:
    """An issued (or superseded) report exactly as it was issued: its frozen Document."""
    with db.read() as session:
        project = project_by_key(session, key)
        report = _report(session, project, number)
        if report.status == "draft":
            raise NotFound(
                f"{project.key} highlight report {number} is a draft and has not been issued; "
                "print the draft without --issued"
            )
        successor = session.exec(
            select(HighlightReport.number).where(
                HighlightReport.supersedes_id == report.id, HighlightReport.status != "draft"
            )
        ).first()
        if report.issued_content is not None:
            document = Document.from_json(report.issued_content)
            frozen = True
        else:
            document = recorded_document(session, project, report)
            frozen = False
        return ReportCopy(report.number, report.status, document, frozen, successor)


def freeze_recorded_report(session: Session, report: HighlightReport) -> None:
    """Store the frozen copy of a report recorded as already issued (the worked example), inside
    the caller's transaction, after its ratings and risk snapshot are in."""
    project = session.get(Project, report.project_id)
    report.issued_content = recorded_document(session, project, report).to_json()
    session.flush()


# --------------------------------------------------------------------------- the Reports tab


@dataclass(frozen=True)
class ReportLine:
    number: int
    period_start: date
    period_end: date
    report_date: date
    author: str
    status: str
    overall_rag: str | None
    supersedes: int | None
    superseded_by: int | None


@dataclass(frozen=True)
class DueDate:
    due: date
    answered_by: int | None  # the report that answered it
    overdue: bool


@dataclass(frozen=True)
class Calendar:
    frequency: str
    audience: str
    next_due: date | None
    overdue: bool
    due: tuple[DueDate, ...]


@dataclass(frozen=True)
class DraftView:
    """Everything the editor needs: the raw values, the version they were read at, and the
    data the live preview is rebuilt from."""

    number: int
    version: int
    period_start: date
    supersedes: int | None
    raw: dict[str, str]
    data: HighlightData
    judged: tuple[Key, ...]


@dataclass(frozen=True)
class ReportsOverview:
    key: str
    reports: tuple[ReportLine, ...]
    calendar: Calendar | None
    draft: DraftView | None


def _calendar(session: Session, project: Project, reports, today: date) -> Calendar | None:
    """Monthly by default: every due date of the highlight report schedule, which report
    answered it (the first issued whose period ends on or after the due date's month) and
    which are overdue."""
    from tracker.services.projects import next_highlight_due

    schedule = session.exec(
        select(ReportingSchedule).where(
            ReportingSchedule.project_id == project.id,
            ReportingSchedule.report == "highlight report",
        )
    ).first()
    if schedule is None:
        return None
    upcoming = next_highlight_due(session, project.id)
    closed = project.status == "closed"
    issued = sorted((r for r in reports if r.status != "draft"), key=lambda r: r.number)
    last_day = max([today, *(r.period_end for r in issued)])
    lines = []
    for due in due_dates(schedule.first_due, schedule.frequency, last_day):
        # a due date is answered by the first report whose period ends after the due date
        # before it (a report is written for the month before it is due).
        answer = next(
            (
                r.number
                for r in issued
                if next_due(
                    schedule.first_due, schedule.frequency, r.period_end + timedelta(days=1)
                )
                == due
            ),
            None,
        )
        lines.append(DueDate(due, answer, answer is None and due < today and not closed))
    return Calendar(
        frequency=schedule.frequency,
        audience=schedule.audience,
        next_due=None if closed else upcoming,
        overdue=bool(upcoming and upcoming < today and not closed),
        due=tuple(lines),
    )


def reports_overview(db: Database, key: str, today: date | None = None) -> ReportsOverview:
    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        reports = session.exec(
            select(HighlightReport)
            .where(HighlightReport.project_id == project.id)
            .order_by(col(HighlightReport.number).desc())
        ).all()
        by_id = {r.id: r for r in reports}
        successors = {
            r.supersedes_id: r.number for r in reports if r.supersedes_id and r.status != "draft"
        }
        overall = dict(
            session.exec(
                select(HighlightReportRating.report_id, HighlightReportRating.rag).where(
                    col(HighlightReportRating.report_id).in_(list(by_id)),
                    HighlightReportRating.level == "project",
                    HighlightReportRating.aspect == "overall",
                )
            ).all()
        )
        names = dict(
            session.exec(
                select(Person.id, Person.name).where(
                    col(Person.id).in_({r.author_id for r in reports if r.author_id})
                )
            ).all()
        )
        lines = tuple(
            ReportLine(
                r.number,
                r.period_start,
                r.period_end,
                r.report_date,
                names.get(r.author_id, ""),
                r.status,
                overall.get(r.id),
                by_id[r.supersedes_id].number if r.supersedes_id in by_id else None,
                successors.get(r.id),
            )
            for r in reports
        )
        draft = _draft(session, project.id)
        view = None
        if draft is not None:
            frame = _frame_for(session, project, draft, report_date=today, as_at=today)
            data = gather_report(session, project, frame)
            ratings = report_ratings(session, draft.id)
            overall = next(
                r.rag
                for r in grid(data, _narrative(draft, ratings))
                if (r.level, r.aspect) == ("project", "overall")
            )
            lines = tuple(
                replace(line, overall_rag=overall) if line.number == draft.number else line
                for line in lines
            )
            view = DraftView(
                number=draft.number,
                version=draft.version,
                period_start=draft.period_start,
                supersedes=frame.supersedes,
                raw=raw_values(draft, ratings),
                data=data,
                judged=tuple(judged_keys(data)),
            )
        return ReportsOverview(project.key, lines, _calendar(session, project, lines, today), view)


# --------------------------------------------------------------------------- writing


def _refuse_second_draft(session: Session, project: Project) -> None:
    draft = _draft(session, project.id)
    if draft is not None:
        raise Conflict(
            f"{project.key} highlight report {draft.number} is already in draft: issue it before "
            "starting another"
        )


def start_draft(
    db: Database, key: str, *, today: date | None = None, actor: str | None = None
) -> int:
    """Start the next highlight report (or return the draft already started): the default
    period, the current stage, the project manager as author, the last report's distribution
    and judgement ratings carried forward (comments are written afresh)."""
    today = today or clock_today()

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        existing = _draft(session, project.id)
        if existing is not None:
            return existing.number
        try:
            frame = _preview_frame(session, project, None, today)
        except InvalidValue as exc:
            raise ValidationError.single("period end", str(exc)) from None
        last = _last_issued(session, project.id)
        report = HighlightReport(
            project_id=project.id,
            number=frame.number,
            stage_id=frame.stage_id,
            period_start=frame.period_start,
            period_end=frame.period_end,
            report_date=today,
            author_id=_project_manager(session, project.id),
            distribution=frame.distribution,
            status="draft",
        )
        session.add(report)
        session.flush()
        carried = report_ratings(session, last.id) if last else {}
        for (level, aspect), (rag, _) in carried.items():
            if rag and aspect not in ("overall", "time", "cost"):
                if level == "stage" and last.stage_id != report.stage_id:
                    continue  # a new stage is rated afresh
                session.add(
                    HighlightReportRating(report_id=report.id, level=level, aspect=aspect, rag=rag)
                )
        session.flush()
        return report.number

    return run_write(db, work, actor=actor)


def correct_report(
    db: Database, key: str, number: int, *, today: date | None = None, actor: str | None = None
) -> int:
    """Start a corrected version of issued report ``number``: a new draft for the same period
    with the same narrative and ratings, which supersedes it when issued. Both are kept."""

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        old = _report(session, project, number)
        if old.status != "issued":
            state = "a draft" if old.status == "draft" else "already superseded"
            raise Conflict(
                f"{project.key} highlight report {number} is {state}: only an issued "
                "report can be corrected"
            )
        _refuse_second_draft(session, project)
        report = HighlightReport(
            project_id=project.id,
            number=_next_number(session, project.id),
            stage_id=old.stage_id,
            period_start=old.period_start,
            period_end=old.period_end,
            report_date=today or clock_today(),
            author_id=old.author_id,
            distribution=old.distribution,
            status="draft",
            status_summary=old.status_summary,
            work_completed=old.work_completed,
            work_planned=old.work_planned,
            corrective_actions=old.corrective_actions,
            supersedes_id=old.id,
        )
        session.add(report)
        session.flush()
        for (level, aspect), (rag, comment) in report_ratings(session, old.id).items():
            session.add(
                HighlightReportRating(
                    report_id=report.id, level=level, aspect=aspect, rag=rag, comment=comment
                )
            )
        session.flush()
        return report.number

    return run_write(db, work, actor=actor)


def _editable(session: Session, project: Project, number: int) -> HighlightReport:
    report = _report(session, project, number)
    if report.status != "draft":
        raise Conflict(
            f"{project.key} highlight report {number} was issued on "
            f"{format_date(report.report_date)} and cannot be changed; correct it with a "
            "superseding report instead"
        )
    return report


def _apply_narrative(
    session: Session,
    report: HighlightReport,
    parsed: NarrativeInput,
    opened_version: int | None,
    *,
    label: str,
    worked_out: Mapping[Key, str | None],
    opened: Mapping[str, str] | None = None,
) -> None:
    narrative = parsed.narrative
    fields = {
        attr: getattr(narrative, attr)
        for attr in PROSE_FIELDS.values()
        if getattr(report, attr) != getattr(narrative, attr)
    }
    if report.period_end != parsed.period_end:
        fields["period_end"] = parsed.period_end
    existing = {
        (r.level, r.aspect): r
        for r in session.exec(
            select(HighlightReportRating).where(HighlightReportRating.report_id == report.id)
        )
    }
    # A draft keeps what the project manager wrote: judgements and comments. Worked-out
    # ratings and Overall are computed afresh whenever the report is shown, and stored with
    # it only when it is issued.
    wanted: dict[Key, tuple[str | None, str]] = {}
    for level in LEVELS:
        for aspect in ASPECTS:
            key = (level, aspect)
            computed = aspect == "overall" or worked_out.get(key) is not None
            rag = None if computed else narrative.judged.get(key)
            comment = narrative.comments.get(key, "")
            if rag or comment:
                wanted[key] = (rag, comment)
    ratings_changed = {k: (r.rag, r.comment) for k, r in existing.items()} != wanted
    stamp = {"updated_at": utcnow()} if ratings_changed and not fields else {}
    apply_edit(session, report, opened_version, fields | stamp, label=label, opened=opened)
    for key, row in existing.items():
        if key not in wanted:
            session.delete(row)
    for key, (rag, comment) in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(
                HighlightReportRating(
                    report_id=report.id, level=key[0], aspect=key[1], rag=rag, comment=comment
                )
            )
        elif (row.rag, row.comment) != (rag, comment):
            row.rag, row.comment = rag, comment
    session.flush()


def save_draft(
    db: Database,
    key: str,
    number: int,
    raw: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date | None = None,
    actor: str | None = None,
    opened: Mapping[str, str] | None = None,
) -> int:
    """Save the narrative of draft ``number`` (raw values as ``parse_narrative`` takes them),
    provided nobody saved it after ``opened_version``; returns the new version."""
    today = today or clock_today()

    def work(session: Session) -> int:
        project = project_by_key(session, key)
        report = _editable(session, project, number)
        label = f"{project.key} highlight report {number}"
        if opened_version is not None and report.version != opened_version:
            # Show the conflict in the editor's terms: the fields as typed, yours and theirs.
            current = raw_values(report, report_ratings(session, report.id))
            mine = {k: str(v) for k, v in raw.items() if opened is None or opened.get(k) != v}
            raise conflict_between(
                session, report, label, opened_version, mine, current=current, opened=opened
            )
        parsed = parse_narrative(raw, period_start=report.period_start, today=today)
        frame = _frame_for(session, project, report, report_date=today, as_at=today)
        worked_out = gather_report(session, project, frame).worked_out
        _apply_narrative(
            session,
            report,
            parsed,
            opened_version,
            label=label,
            worked_out=worked_out,
            opened=opened,
        )
        return report.version

    return run_write(db, work, actor=actor)


@dataclass(frozen=True)
class IssuedReport:
    number: int
    document: Document
    risks_recorded: int
    superseded: int | None


def issue_report(
    db: Database,
    key: str,
    number: int,
    raw: Mapping[str, object] | None = None,
    *,
    opened_version: int | None,
    today: date | None = None,
    actor: str | None = None,
) -> IssuedReport:
    """Issue draft ``number`` (saving ``raw`` edits first, if given) in one transaction: build
    its Document, refuse if anything needed is missing (naming it), store the Document as the
    frozen copy, record the ratings as issued, snapshot the risk register, and mark the report
    it corrects as superseded."""
    today = today or clock_today()

    def work(session: Session) -> IssuedReport:
        project = project_by_key(session, key)
        report = _editable(session, project, number)
        label = f"{project.key} highlight report {number}"
        if raw is not None:
            parsed = parse_narrative(raw, period_start=report.period_start, today=today)
            frame = _frame_for(session, project, report, report_date=today, as_at=today)
            worked_out = gather_report(session, project, frame).worked_out
            _apply_narrative(
                session, report, parsed, opened_version, label=label, worked_out=worked_out
            )
        elif opened_version is not None and opened_version != report.version:
            apply_edit(session, report, opened_version, {}, label=label)
        if report.period_end > today:
            raise ValidationError.single(
                "period end",
                f"{format_date(report.period_end)} is after today ({format_date(today)})",
            )
        frame = _frame_for(
            session, project, report, status="issued", report_date=today, as_at=today
        )
        data = gather_report(session, project, frame)
        narrative = _narrative(report, report_ratings(session, report.id))
        problems = problems_before_issue(data, narrative)
        if problems:
            raise ValidationError(problems)
        document = build_highlight_report(data, narrative)
        final = {(r.level, r.aspect): r for r in grid(data, narrative)}
        rows = {
            (r.level, r.aspect): r
            for r in session.exec(
                select(HighlightReportRating).where(HighlightReportRating.report_id == report.id)
            )
        }
        for key_, rating in final.items():
            row = rows.pop(key_, None)
            if row is None:
                session.add(
                    HighlightReportRating(
                        report_id=report.id,
                        level=key_[0],
                        aspect=key_[1],
                        rag=rating.rag,
                        comment=rating.comment,
                    )
                )
            elif (row.rag, row.comment) != (rating.rag, rating.comment):
                row.rag, row.comment = rating.rag, rating.comment
        for row in rows.values():
            session.delete(row)
        session.flush()
        superseded = None
        if report.supersedes_id:
            old = session.get(HighlightReport, report.supersedes_id)
            if old.status != "issued":
                raise Conflict(
                    f"{project.key} highlight report {old.number} is no longer "
                    "issued, so this report cannot supersede it"
                )
            old.status = "superseded"
            superseded = old.number
        apply_edit(
            session,
            report,
            None,
            {
                "status": "issued",
                "report_date": today,
                "issued_at": utcnow(),
                "issued_content": document.to_json(),
            },
            label=label,
        )
        recorded = take_risk_snapshot(session, report)
        return IssuedReport(report.number, document, recorded, superseded)

    return run_write(db, work, actor=actor)
