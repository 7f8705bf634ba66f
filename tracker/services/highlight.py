"""Highlight reports: the data for a period, drafts the project manager writes, issuing and
freezing, and correcting an issued report with a superseding one.

The figures and lists come from the registers and their history, never typed: the tolerance
status of the project and its stage, requests for change raised and decided in the period, the
risk register against the snapshot taken when the last report was issued, issues awaiting a
decision, lessons logged, the stage costs. The project manager writes the narrative and rates the
descriptive aspects; the draft is saved with optimistic locking. Issuing stores the report's
``Document`` as JSON together with a snapshot of the risk register, in one transaction; nothing
changes an issued report afterwards (the database refuses it too), and ``report_document``
reprints it from that JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.clock import utcnow
from db.engine import Database
from db.models import (
    RAG_VALUES,
    HighlightReport,
    HighlightReportRating,
    Issue,
    IssueType,
    Lesson,
    Person,
    Project,
    ReportingSchedule,
    Risk,
    RiskSnapshot,
    RoleAssignment,
    Stage,
    Tolerance,
    ToleranceAspect,
    WorkPackage,
)
from tracker.domain.calendar import due_dates, next_due
from tracker.domain.clock import today as clock_today
from tracker.domain.dates import format_date, parse_date
from tracker.domain.highlight import ASPECTS, LEVELS, Key, check_period, default_period
from tracker.domain.money import format_money
from tracker.domain.rag import AMBER, RED
from tracker.domain.scoring import CLOSED, DOWN, NEW, UP, risk_movement, score_rag
from tracker.domain.tolerance import (
    ToleranceStatus,
    allowance_pence,
    expected_end,
)
from tracker.domain.validation import InvalidValue, Problems, ValidationError, choice
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Document
from tracker.reports.highlight import (
    PROSE_FIELDS,
    Budget,
    ChangeCounts,
    ChangeRequest,
    DecisionNeeded,
    HighlightData,
    IssueLine,
    LessonLine,
    Listing,
    Narrative,
    RiskChange,
    RiskLine,
    StageCost,
    ToleranceLine,
    WorkPackageLine,
    build_highlight_report,
    grid,
    judged_keys,
    problems_before_issue,
    rating_field,
)
from tracker.services.configuration import load_vocabulary
from tracker.services.projects import project_by_key
from tracker.services.records import apply_edit, conflict_between, run_write
from tracker.services.risk_snapshots import take_risk_snapshot
from tracker.services.status import (
    current_stage,
    plan_cost_pence,
    project_status,
    stage_forecast_cost,
)

TOP_RISKS = 10
LISTED = 25  # rows of a long list printed before "N more ... not shown"
REQUEST_FOR_CHANGE = "request for change"
FINAL_DECISIONS = ("approved", "rejected", "deferred", "concession")
BOARD_AUTHORITIES = ("project board", "corporate")
AWAITING_STATUSES = ("raised", "examined", "options proposed")
PROSE_MAX = 20_000
COMMENT_MAX = 2_000
RATED_ASPECTS = ASPECTS[1:]


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


def _previous(
    session: Session, project_id: int, before: date, *, with_snapshot: bool = False
) -> HighlightReport | None:
    """The last report the board received for a period ending before ``before``: the "last
    period" of the grid (and, with a snapshot, the baseline for risk movement). Superseded
    reports are passed over for the reports that corrected them."""
    query = select(HighlightReport).where(
        HighlightReport.project_id == project_id,
        HighlightReport.status == "issued",
        HighlightReport.period_end < before,
    )
    if with_snapshot:
        query = query.where(col(HighlightReport.id).in_(select(RiskSnapshot.report_id).distinct()))
    return session.exec(
        query.order_by(
            col(HighlightReport.period_end).desc(), col(HighlightReport.number).desc()
        ).limit(1)
    ).first()


def _ratings(session: Session, report_id: int | None) -> dict[Key, tuple[str | None, str]]:
    if report_id is None:
        return {}
    rows = session.exec(
        select(HighlightReportRating).where(HighlightReportRating.report_id == report_id)
    )
    return {(r.level, r.aspect): (r.rag, r.comment) for r in rows}


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


# --------------------------------------------------------------------------- gathering


@dataclass(frozen=True)
class Frame:
    """Which report is being gathered, for which period, as at which date."""

    number: int
    status: str
    period_start: date
    period_end: date
    report_date: date
    as_at: date
    stage_id: int | None
    author: str
    distribution: str
    report_id: int | None = None
    supersedes: int | None = None
    recorded: bool = False


def _days(plus: int | None, minus: int | None) -> str:
    if plus is None and minus is None:
        return "Not set"
    if plus == minus:
        return f"±{plus} days"
    return f"+{plus if plus is not None else '-'} / -{minus if minus is not None else '-'} days"


def _percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}%"


def _cost_tolerance(tolerance: Tolerance | None, plan: int | None) -> str:
    if tolerance is None or (tolerance.plus is None and tolerance.minus is None):
        return "Not set"
    plus, minus, unit = tolerance.plus, tolerance.minus, tolerance.unit
    if unit == "basis_points":
        words = (
            f"±{_percent(plus)}"
            if plus == minus
            else f"+{_percent(plus or 0)} / -{_percent(minus or 0)}"
        )
        allowed = allowance_pence(plan, plus, unit)
        return words + (f" ({format_money(allowed)})" if allowed is not None else "")
    if plus == minus:
        return f"±{format_money(plus)}"
    return f"+{format_money(plus or 0)} / -{format_money(minus or 0)}"


def _used(check: ToleranceStatus) -> str:
    return f" ({check.percent_used}% of tolerance)" if check.percent_used is not None else ""


def _time_line(level: str, tolerance, planned_end, check) -> ToleranceLine:
    text = _days(tolerance.plus, tolerance.minus) if tolerance else "Not set"
    if check is None or planned_end is None:
        return ToleranceLine(level, "time", text, "Not set", "Not set", "", None)
    forecast = planned_end + timedelta(days=check.variance)
    return ToleranceLine(
        level,
        "time",
        text,
        format_date(planned_end),
        format_date(forecast),
        f"{check.variance:+d} days{_used(check)}",
        check.rag,
    )


def _cost_line(level: str, tolerance, plan, check) -> ToleranceLine:
    text = _cost_tolerance(tolerance, plan)
    if check is None or plan is None:
        return ToleranceLine(level, "cost", text, format_money(plan) or "Not set", "Not set")
    sign = "+" if check.variance > 0 else ""
    return ToleranceLine(
        level,
        "cost",
        text,
        format_money(plan),
        format_money(plan + check.variance),
        f"{sign}{format_money(check.variance)}{_used(check)}",
        check.rag,
    )


def _descriptive_line(level: str, aspect: str, tolerance, above_line: str) -> ToleranceLine:
    description = (tolerance.description if tolerance else "") or "Not set"
    forecast = above_line if aspect == "risk" else "Project manager's judgement (section 2)"
    return ToleranceLine(level, aspect, description, "", forecast)


class RegisterReader:
    """Reads what a report needs from the registers in one session, as plain values."""

    def __init__(self, session: Session, project: Project, frame: Frame):
        self.session = session
        self.project = project
        self.frame = frame
        self.vocabulary = load_vocabulary(session, project.id)
        self.stages = list(
            session.exec(
                select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence)
            )
        )
        by_id = {s.id: s for s in self.stages}
        self.stage = by_id.get(frame.stage_id) if frame.stage_id else current_stage(self.stages)

    # ------------------------------------------------------------ the whole report

    def gather(self) -> HighlightData:
        frame, project = self.frame, self.project
        previous = _previous(self.session, project.id, frame.period_start)
        baseline = _previous(self.session, project.id, frame.period_start, with_snapshot=True)
        last_ratings = {
            key: rag
            for key, (rag, _) in _ratings(self.session, previous and previous.id).items()
            if rag
        }
        recorded_ratings = {}
        if frame.recorded:
            recorded_ratings = {
                key: (rag, comment)
                for key, (rag, comment) in _ratings(self.session, frame.report_id).items()
                if rag
            }
        risks = self.risks(baseline)
        issues, change_requests, counts, committed = self.issues()
        status = None if frame.recorded else project_status(self.session, project, frame.as_at)
        stage_status = None
        if status is not None and self.stage is not None:
            stage_status = next((s for s in status.stages if s.stage_id == self.stage.id), None)
        worked_out: dict[Key, str | None] = {}
        if status is not None:
            worked_out[("project", "time")] = status.time.rag if status.time else None
            worked_out[("project", "cost")] = status.cost.rag if status.cost else None
        if stage_status is not None:
            worked_out[("stage", "time")] = stage_status.time.rag if stage_status.time else None
            worked_out[("stage", "cost")] = stage_status.cost.rag if stage_status.cost else None
        decisions = self._decisions(issues, risks, status, stage_status)
        lessons, lessons_total = self._lessons()
        return HighlightData(
            project_key=project.key,
            project_name=project.name,
            organisation=project.organisation,
            number=frame.number,
            status=frame.status,
            period_start=frame.period_start,
            period_end=frame.period_end,
            report_date=frame.report_date,
            as_at=frame.as_at,
            stage_name=self.stage.name if self.stage else "",
            author=frame.author,
            distribution=frame.distribution,
            supersedes=frame.supersedes,
            recorded=frame.recorded,
            worked_out=worked_out,
            recorded_ratings=recorded_ratings,
            last_ratings=last_ratings,
            last_report=(previous.number, previous.report_date) if previous else None,
            baseline=(baseline.number, baseline.report_date) if baseline else None,
            baseline_statement=self._baseline_statement(baseline),
            tolerance_lines=None if frame.recorded else self._tolerance_lines(status, risks),
            top_risks=risks["top"],
            open_risks=risks["open"],
            risks_above_line=risks["above"],
            risk_tolerance_score=project.risk_tolerance_score,
            risk_changes=risks["changes"],
            movement_counts=risks["counts"],
            change_requests=change_requests,
            change_counts=counts,
            change_budget_note=self._change_budget_note(committed),
            issues_awaiting=Listing(tuple(issues[:LISTED]), len(issues)),
            decisions=decisions,
            lessons=lessons,
            lessons_total=lessons_total,
            budget=None if frame.recorded else self.budget(committed),
            work_packages=None if frame.recorded else self._work_packages(),
        )

    # ------------------------------------------------------------ risks

    def _risk_rows(self) -> dict[int, tuple]:
        """risk id -> (number, identifier, title, kind, status, score, owner id, proximity)."""
        rows = self.session.exec(
            select(
                Risk.id,
                Risk.number,
                Risk.identifier,
                Risk.title,
                Risk.kind,
                Risk.status,
                Risk.inherent_probability,
                Risk.inherent_impact,
                Risk.residual_probability,
                Risk.residual_impact,
                Risk.owner_id,
                Risk.proximity_date,
                Risk.proximity_band,
            ).where(Risk.project_id == self.project.id)
        ).all()
        found = {}
        for rid, number, ident, title, kind, status, ip, ii, rp, ri, owner, pdate, band in rows:
            score = rp * ri if rp is not None and ri is not None else ip * ii
            proximity = format_date(pdate) if pdate else (band or "")
            found[rid] = (number, ident, title, kind, status, score, owner, proximity)
        return found

    def _snapshot(self, report_id: int) -> dict[int, tuple[str, int]]:
        rows = self.session.exec(
            select(
                RiskSnapshot.risk_id,
                RiskSnapshot.status,
                RiskSnapshot.inherent_probability,
                RiskSnapshot.inherent_impact,
                RiskSnapshot.residual_probability,
                RiskSnapshot.residual_impact,
            ).where(RiskSnapshot.report_id == report_id)
        ).all()
        return {
            rid: (status, rp * ri if rp is not None and ri is not None else ip * ii)
            for rid, status, ip, ii, rp, ri in rows
        }

    def risks(self, baseline: HighlightReport | None) -> dict:
        register = self._risk_rows()
        if self.frame.recorded and self.frame.report_id is not None:
            now = self._snapshot(self.frame.report_id)
        else:
            now = {rid: (row[4], row[5]) for rid, row in register.items()}
        then = self._snapshot(baseline.id) if baseline is not None else None
        line = self.project.risk_tolerance_score
        active = sorted(
            (rid for rid, (status, _) in now.items() if status == "active"),
            key=lambda rid: (-now[rid][1], register[rid][0]),
        )

        def movement(rid: int) -> str:
            if then is None:
                return ""
            status, score = now[rid]
            was_status, was_score = then.get(rid, (None, None))
            if was_status is None and status == "closed":
                return CLOSED  # registered and closed between the two reports
            return risk_movement(was_score, was_status, score, status)

        owners = dict(
            self.session.exec(
                select(Person.id, Person.name).where(
                    col(Person.id).in_({register[rid][6] for rid in active[:TOP_RISKS]})
                )
            ).all()
        )
        top = tuple(
            RiskLine(
                identifier=register[rid][1],
                title=register[rid][2],
                kind=register[rid][3],
                score=now[rid][1],
                rag=score_rag(now[rid][1], self.project.rag_green_max, self.project.rag_amber_max),
                movement=movement(rid),
                owner=owners.get(register[rid][6], ""),
                proximity=register[rid][7],
            )
            for rid in active[:TOP_RISKS]
        )
        result = {
            "top": top,
            "open": len(active),
            "above": sum(1 for rid in active if now[rid][1] >= line),
            "changes": None,
            "counts": None,
            "moved": {},
        }
        if then is None:
            return result
        order = {UP: 0, NEW: 1, DOWN: 2, CLOSED: 3}
        changes = []
        for rid, (status, score) in now.items():
            if status == "draft":
                continue
            moved = movement(rid)
            if moved in order:
                was = then.get(rid, (None, None))[1]
                changes.append((order[moved], -score, register[rid][0], rid, moved, was, score))
        changes.sort()
        counts = {k: 0 for k in (NEW, UP, DOWN, CLOSED)}
        for change in changes:
            counts[change[4]] += 1
        result["changes"] = Listing(
            tuple(
                RiskChange(
                    register[rid][1],
                    register[rid][2],
                    moved,
                    was,
                    None if moved == CLOSED else score,
                )
                for _, _, _, rid, moved, was, score in changes[:LISTED]
            ),
            len(changes),
        )
        result["counts"] = counts
        result["moved"] = {
            register[rid][1]: (moved, score, register[rid][2])
            for _, _, _, rid, moved, _, score in changes
            if moved in (NEW, UP) and score >= line
        }
        return result

    # ------------------------------------------------------------ issues and changes

    def issues(self):
        frame = self.frame
        types = {v: k for k, v in self.vocabulary.issue_types.items()}
        uses_budget = set(
            self.session.exec(
                select(IssueType.id).where(
                    IssueType.project_id == self.project.id,
                    col(IssueType.uses_change_budget).is_(True),
                )
            ).all()
        )
        rows = self.session.exec(
            select(
                Issue.number,
                Issue.identifier,
                Issue.issue_type_id,
                Issue.title,
                Issue.date_raised,
                Issue.severity,
                Issue.priority,
                Issue.status,
                Issue.decision,
                Issue.decision_date,
                Issue.closure_date,
                Issue.cost_of_change_pence,
                Issue.recommendation,
            ).where(Issue.project_id == self.project.id, Issue.date_raised <= frame.as_at)
        ).all()
        awaiting = []
        requests = []
        counts = {"raised": 0, "approved": 0, "rejected": 0, "deferred": 0, "pending": 0}
        committed = 0
        start, end = frame.period_start, frame.period_end
        for row in rows:
            (
                number,
                ident,
                type_id,
                title,
                raised,
                severity,
                priority,
                status,
                decision,
                decided_on,
                closed_on,
                cost,
                recommendation,
            ) = row
            final = decision in FINAL_DECISIONS
            decided_now = final and _on_or_before(decided_on, frame.as_at)
            decided_at_end = final and _on_or_before(decided_on, end)
            type_name = types.get(type_id, "")
            open_now = frame.recorded or status in AWAITING_STATUSES
            if open_now and not decided_now and not _on_or_before(closed_on, frame.as_at):
                authority = self.vocabulary.severity_decided_by.get(severity, "")
                line = IssueLine(
                    ident,
                    type_name,
                    title,
                    raised,
                    self.vocabulary.severity[severity].label,
                    authority,
                    "awaiting decision" if frame.recorded else status,
                )
                awaiting.append((-severity, -priority, raised, number, line, recommendation))
            if type_id in uses_budget and decision == "approved" and decided_now and cost:
                committed += cost
            if type_name.casefold() != REQUEST_FOR_CHANGE:
                continue
            raised_in = start <= raised <= end
            decided_in = decided_at_end and decided_on >= start
            pending = not decided_at_end and not _on_or_before(closed_on, end)
            counts["raised"] += raised_in
            if decided_in and decision in counts:
                counts[decision] += 1
            counts["pending"] += pending and raised <= end
            if raised_in or decided_in or (pending and raised <= end):
                request = ChangeRequest(
                    ident,
                    title,
                    raised,
                    decision if decided_at_end else "pending",
                    decided_on if decided_at_end else None,
                    cost,
                )
                requests.append((0 if raised_in or decided_in else 1, raised, number, request))
        awaiting.sort(key=lambda a: a[:4])
        requests.sort(key=lambda r: r[:3])
        self._recommendations = {a[4].identifier: a[5] for a in awaiting}
        listing = Listing(tuple(r[3] for r in requests[:LISTED]), len(requests))
        return [a[4] for a in awaiting], listing, ChangeCounts(**counts), committed

    def _change_budget_note(self, committed: int) -> str:
        budget = self.project.change_budget_pence
        if budget is None:
            if not committed:
                return ""
            return f"No change budget is set; approved changes total {format_money(committed)}."
        return (
            f"Change budget {format_money(budget)}: {format_money(committed)} committed to "
            f"approved changes, {format_money(budget - committed)} remaining."
        )

    # ------------------------------------------------------------ decisions for the board

    def _decisions(self, issues, risks, status, stage_status) -> Listing[DecisionNeeded]:
        found: list[DecisionNeeded] = []
        for issue in issues:
            if issue.decided_by not in BOARD_AUTHORITIES:
                continue
            why = f"Severity {issue.severity}: for the {issue.decided_by}."
            recommendation = (self._recommendations.get(issue.identifier) or "").strip()
            if recommendation:
                why += f" Recommendation: {recommendation}"
            found.append(DecisionNeeded("Decide", issue.title, issue.identifier, why))
        checks = []
        if status is not None:
            checks += [("Project", status.time), ("Project", status.cost)]
        if stage_status is not None:
            checks += [(self.stage.name, stage_status.time), (self.stage.name, stage_status.cost)]
        exceptions, at_risk = [], []
        for where, check in checks:
            if check is None or check.rag not in (RED, AMBER):
                continue
            what = f"{where} {check.aspect}"
            amount = (
                f"{check.variance:+d} days"
                if check.aspect == "time"
                else ("+" if check.variance > 0 else "") + format_money(check.variance)
            )
            if check.rag == RED:
                to = "corporate or programme management" if where == "Project" else "the board"
                exceptions.append(
                    DecisionNeeded(
                        "Decide",
                        f"{what} is forecast beyond tolerance: an exception for {to}",
                        "",
                        f"Variance {amount}{_used(check)}. The project manager must send an "
                        "exception report; the board decides on an exception plan.",
                    )
                )
            else:
                at_risk.append(
                    DecisionNeeded(
                        "Note", f"{what} is at risk", "", f"Variance {amount}{_used(check)}."
                    )
                )
        found += exceptions
        boundary = self._stage_boundary()
        if boundary is not None:
            found.append(boundary)
        found += at_risk
        line = self.project.risk_tolerance_score
        for identifier, (moved, score, title) in sorted(
            risks["moved"].items(), key=lambda item: (-item[1][1], item[0])
        ):
            words = "new" if moved == NEW else "increased"
            found.append(
                DecisionNeeded(
                    "Note",
                    title,
                    identifier,
                    f"Score {score}, at or above the tolerance line ({line}); {words} since the "
                    "last report.",
                )
            )
        return Listing(tuple(found[:LISTED]), len(found))

    def _stage_boundary(self) -> DecisionNeeded | None:
        """The next stage needs authorising if the current one is forecast to end before the end
        of the next reporting period."""
        stage, frame = self.stage, self.frame
        if stage is None or frame.recorded or stage.status == "completed":
            return None
        later = [s for s in self.stages if s.sequence > stage.sequence]
        if not later or later[0].status not in ("planned",):
            return None
        end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, frame.as_at)
        next_period_end = frame.period_end + relativedelta(months=1)
        if end is None or end > next_period_end:
            return None
        return DecisionNeeded(
            "Authorise",
            f"The next stage, {later[0].name}, at the end of {stage.name}",
            "",
            f"{stage.name} is forecast to end on {format_date(end)}; the end stage report and "
            "the next stage plan come to the board for approval.",
        )

    # ------------------------------------------------------------ lessons, money, packages

    def _lessons(self) -> tuple[tuple[LessonLine, ...], int]:
        frame = self.frame
        rows = self.session.exec(
            select(Lesson)
            .where(
                Lesson.project_id == self.project.id,
                Lesson.date_logged >= frame.period_start,
                Lesson.date_logged <= frame.period_end,
            )
            .order_by(Lesson.number)
        ).all()
        total = self.session.exec(
            select(func.count()).where(
                Lesson.project_id == self.project.id, Lesson.date_logged <= frame.as_at
            )
        ).one()
        lines = tuple(
            LessonLine(r.identifier, r.title, r.lesson_type, r.date_logged, r.recommendations)
            for r in rows
        )
        return lines, total

    def budget(self, committed: int) -> Budget:
        project = self.project
        forecasts = [stage_forecast_cost(s) for s in self.stages]
        return Budget(
            budget_pence=project.budget_pence,
            change_budget_pence=project.change_budget_pence,
            risk_budget_pence=project.risk_budget_pence,
            plan_pence=plan_cost_pence(project),
            actual_to_date_pence=sum(s.actual_cost_pence or 0 for s in self.stages),
            forecast_at_completion_pence=(
                sum(forecasts) if forecasts and all(f is not None for f in forecasts) else None
            ),
            change_committed_pence=committed,
            stages=tuple(
                StageCost(
                    s.sequence,
                    s.name,
                    s.status,
                    s.planned_cost_pence,
                    s.actual_cost_pence,
                    stage_forecast_cost(s),
                )
                for s in self.stages
            ),
        )

    def _work_packages(self) -> tuple[WorkPackageLine, ...]:
        if self.stage is None:
            return ()
        rows = self.session.exec(
            select(WorkPackage, Person.name)
            .join(Person, Person.id == WorkPackage.team_manager_id, isouter=True)
            .where(
                WorkPackage.project_id == self.project.id,
                WorkPackage.stage_id == self.stage.id,
            )
            .order_by(WorkPackage.identifier)
        ).all()
        return tuple(
            WorkPackageLine(
                w.identifier, w.title, w.status, name or "", w.planned_end, w.percent_complete
            )
            for w, name in rows
        )

    # ------------------------------------------------------------ tolerances and baseline

    def _tolerances(self) -> dict[int | None, dict[str, Tolerance]]:
        rows = self.session.exec(
            select(Tolerance, ToleranceAspect.name)
            .join(ToleranceAspect, ToleranceAspect.id == Tolerance.aspect_id)
            .where(Tolerance.project_id == self.project.id)
        ).all()
        found: dict[int | None, dict[str, Tolerance]] = {}
        for tolerance, aspect in rows:
            found.setdefault(tolerance.stage_id, {})[aspect] = tolerance
        return found

    def _tolerance_lines(self, status, risks) -> tuple[ToleranceLine, ...]:
        tolerances = self._tolerances()
        project, stage = self.project, self.stage
        above = (
            f"{risks['above']:,} open risks at or above the tolerance line "
            f"(score {project.risk_tolerance_score} or more)"
        )
        lines = []
        own = tolerances.get(None, {})
        for aspect, (_, kind) in self.vocabulary.aspects.items():
            if kind == "time":
                lines.append(
                    _time_line("project", own.get(aspect), project.planned_end, status.time)
                )
            elif kind == "cost":
                lines.append(
                    _cost_line("project", own.get(aspect), plan_cost_pence(project), status.cost)
                )
            else:
                lines.append(_descriptive_line("project", aspect, own.get(aspect), above))
        if stage is not None:
            stage_status = next((s for s in status.stages if s.stage_id == stage.id), None)
            own = tolerances.get(stage.id, {})
            for aspect, (_, kind) in self.vocabulary.aspects.items():
                if kind == "time":
                    lines.append(
                        _time_line(
                            "stage",
                            own.get(aspect),
                            stage.planned_end,
                            stage_status.time if stage_status else None,
                        )
                    )
                elif kind == "cost":
                    lines.append(
                        _cost_line(
                            "stage",
                            own.get(aspect),
                            stage.planned_cost_pence,
                            stage_status.cost if stage_status else None,
                        )
                    )
                elif aspect in own:
                    lines.append(_descriptive_line("stage", aspect, own[aspect], above))
        return tuple(lines)

    def _baseline_statement(self, baseline: HighlightReport | None) -> tuple[tuple[str, str], ...]:
        project, stage, frame = self.project, self.stage, self.frame
        rows = []
        if frame.recorded:
            rows.append(
                (
                    "This report",
                    f"Issued on {format_date(frame.report_date)}, before the tracker held "
                    "highlight reports: its narrative, ratings and comments are as the board "
                    "received them; its lists are rebuilt from the dates in the registers.",
                )
            )
        else:
            plan = plan_cost_pence(project)
            rows.append(
                (
                    "Project plan",
                    f"Planned end {format_date(project.planned_end) or 'not set'}; plan cost "
                    f"{format_money(plan) or 'not set'} (budget "
                    f"{format_money(project.budget_pence) or 'not set'} less the change and risk "
                    "budgets).",
                )
            )
            tolerances = self._tolerances()
            order = list(self.vocabulary.aspects)
            rows.append(("Project tolerances", _set_by(tolerances.get(None, {}), order)))
            if stage is not None:
                authorised = (
                    f"authorised on {format_date(stage.authorised_on)}"
                    if stage.authorised_on
                    else "not yet authorised"
                )
                rows.append(
                    (
                        "Stage plan",
                        f"{stage.name}: {authorised}; planned end "
                        f"{format_date(stage.planned_end) or 'not set'}, planned cost "
                        f"{format_money(stage.planned_cost_pence) or 'not set'}.",
                    )
                )
                rows.append(("Stage tolerances", _set_by(tolerances.get(stage.id, {}), order)))
        if baseline is not None:
            rows.append(
                (
                    "Risk movement",
                    f"Against the risk register as it stood when highlight report "
                    f"{baseline.number} was issued on {format_date(baseline.report_date)}.",
                )
            )
        else:
            rows.append(
                ("Risk movement", "No earlier issued report holds a snapshot of the register.")
            )
        return tuple(rows)


def _on_or_before(day: date | None, limit: date) -> bool:
    return day is not None and day <= limit


def _set_by(tolerances: Mapping[str, Tolerance], order: list[str]) -> str:
    """``Time, cost and scope, set on 12/07/2011 by the Executive.``"""
    if not tolerances:
        return "None recorded: time and cost are rated by the project manager's judgement."
    dated = sorted(
        {(t.set_on, t.set_by) for t in tolerances.values()}, key=lambda s: (s[0] is None, s[0])
    )
    on, by = dated[-1]
    names = [a for a in order if a in tolerances]
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    when = f"set on {format_date(on)}" if on else "date not recorded"
    return f"{listed.capitalize()}, {when}" + (f" by {by}" if by else "") + "."


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


def gather_report(session: Session, project: Project, frame: Frame) -> HighlightData:
    return RegisterReader(session, project, frame).gather()


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
        ratings = _ratings(session, draft.id)
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
    ratings = _ratings(session, report.id)
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
            ratings = _ratings(session, draft.id)
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
        carried = _ratings(session, last.id) if last else {}
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
        for (level, aspect), (rag, comment) in _ratings(session, old.id).items():
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
            current = raw_values(report, _ratings(session, report.id))
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
        narrative = _narrative(report, _ratings(session, report.id))
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
