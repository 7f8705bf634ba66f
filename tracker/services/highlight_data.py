"""What a highlight report says about the registers, read for one report's period.

``RegisterReader`` gathers, in one session, everything the report's figures and lists come from:
the tolerance status of the project and its stage, requests for change raised and decided in the
period, the risk register against the snapshot taken when the last report was issued, issues
awaiting a decision and the decisions the board must take, lessons logged, the stage costs. It
returns plain values (``tracker.reports.highlight.HighlightData``); nothing here writes.

A report issued before the tracker held highlight reports (``Frame.recorded``) is rebuilt from
what was recorded of it: its own risk snapshot and the dates in the registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from db.models import (
    HighlightReport,
    HighlightReportRating,
    Issue,
    IssueType,
    Lesson,
    Person,
    Project,
    Risk,
    RiskSnapshot,
    Stage,
    Tolerance,
    ToleranceAspect,
    WorkPackage,
)
from tracker.domain.dates import format_date
from tracker.domain.highlight import Key
from tracker.domain.money import format_money
from tracker.domain.rag import AMBER, RED
from tracker.domain.scoring import CLOSED, DOWN, NEW, UP, risk_movement, score_rag
from tracker.domain.tolerance import (
    ToleranceStatus,
    allowance_pence,
    expected_end,
)
from tracker.reports.highlight import (
    Budget,
    ChangeCounts,
    ChangeRequest,
    DecisionNeeded,
    HighlightData,
    IssueLine,
    LessonLine,
    Listing,
    RiskChange,
    RiskLine,
    StageCost,
    ToleranceLine,
    WorkPackageLine,
)
from tracker.services.configuration import load_vocabulary
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


def previous_report(
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


def report_ratings(session: Session, report_id: int | None) -> dict[Key, tuple[str | None, str]]:
    if report_id is None:
        return {}
    rows = session.exec(
        select(HighlightReportRating).where(HighlightReportRating.report_id == report_id)
    )
    return {(r.level, r.aspect): (r.rag, r.comment) for r in rows}


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
        previous = previous_report(self.session, project.id, frame.period_start)
        baseline = previous_report(self.session, project.id, frame.period_start, with_snapshot=True)
        last_ratings = {
            key: rag
            for key, (rag, _) in report_ratings(self.session, previous and previous.id).items()
            if rag
        }
        recorded_ratings = {}
        if frame.recorded:
            recorded_ratings = {
                key: (rag, comment)
                for key, (rag, comment) in report_ratings(self.session, frame.report_id).items()
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

    def _rows(self, *columns, where) -> list[tuple]:
        """Plain rows through the session's connection: a register of ten thousand entries is
        read as tuples, without building ORM results for it."""
        return self.session.connection().execute(sa_select(*columns).where(*where)).all()

    def _risk_rows(self) -> dict[int, tuple]:
        """risk id -> (number, identifier, title, kind, status, score, owner id, proximity)."""
        t = Risk.__table__.c
        rows = self._rows(
            t.id,
            t.number,
            t.identifier,
            t.title,
            t.kind,
            t.status,
            t.inherent_probability,
            t.inherent_impact,
            t.residual_probability,
            t.residual_impact,
            t.owner_id,
            t.proximity_date,
            t.proximity_band,
            where=(t.project_id == self.project.id,),
        )
        found = {}
        for rid, number, ident, title, kind, status, ip, ii, rp, ri, owner, pdate, band in rows:
            score = rp * ri if rp is not None and ri is not None else ip * ii
            found[rid] = (number, ident, title, kind, status, score, owner, (pdate, band))
        return found

    def _snapshot(self, report_id: int) -> dict[int, tuple[str, int]]:
        t = RiskSnapshot.__table__.c
        rows = self._rows(
            t.risk_id,
            t.status,
            t.inherent_probability,
            t.inherent_impact,
            t.residual_probability,
            t.residual_impact,
            where=(t.report_id == report_id,),
        )
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
                proximity=_proximity(*register[rid][7]),
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
        t = Issue.__table__.c
        rows = self._rows(
            t.number,
            t.identifier,
            t.issue_type_id,
            t.title,
            t.date_raised,
            t.severity,
            t.priority,
            t.status,
            t.decision,
            t.decision_date,
            t.closure_date,
            t.cost_of_change_pence,
            t.recommendation,
            where=(t.project_id == self.project.id, t.date_raised <= frame.as_at),
        )
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


def _proximity(day: date | None, band: str | None) -> str:
    return format_date(day) if day else (band or "")


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


def gather_report(session: Session, project: Project, frame: Frame) -> HighlightData:
    return RegisterReader(session, project, frame).gather()
