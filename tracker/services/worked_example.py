"""``tracker demo``: the worked example built from the council documents in ``db/worked_example``.

Each TOML file there describes one project (see that folder's README for the format). Values go
through the same parsers as anything a person types (UK dates, money, scale levels, the risk and
issue validation), so the example cannot hold what the app would refuse. A project whose key is
already in the database is left alone, so running the command twice changes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from importlib import resources
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import Database
from db.models import (
    Action,
    BoardMeeting,
    Decision,
    ExceptionReport,
    HighlightReport,
    HighlightReportRating,
    Issue,
    MeetingAttendance,
    Programme,
    Project,
    ReportingSchedule,
    ReviewedSystem,
    ReviewedSystemOutcome,
    Risk,
    RoleAssignment,
    Stage,
    StageBaseline,
    Tolerance,
    WorkPackage,
)
from tracker.domain.dates import parse_date, parse_optional_date
from tracker.domain.money import parse_money, parse_optional_money
from tracker.domain.validation import InvalidValue, ValidationError
from tracker.errors import TrackerError
from tracker.services.configuration import load_vocabulary
from tracker.services.daily_log import create_entry, parse_daily_log_entry
from tracker.services.exceptions import (
    ExceptionPlanInput,
    adopt_exception_plan,
    freeze_issued,
)
from tracker.services.fields import PeopleResolver
from tracker.services.highlight import freeze_recorded_report
from tracker.services.issues import create_issue, parse_issue
from tracker.services.lessons import create_lesson, parse_lesson
from tracker.services.links import BECAME_ISSUE, RAISED_RISK, link
from tracker.services.people import find_or_add_person
from tracker.services.progress import add_progress, facts_of, parse_progress
from tracker.services.projects import create_project, parse_project_input
from tracker.services.risk_snapshots import take_risk_snapshot
from tracker.services.risks import create_risk, next_number, parse_risk

ACTOR = "tracker demo"


class WorkedExampleError(TrackerError):
    """The worked example's data is wrong (a bug in the shipped files)."""


@dataclass
class LoadedProject:
    key: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class WorkedExampleResult:
    loaded: list[LoadedProject] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)


def worked_example_documents() -> list[tuple[str, dict[str, Any]]]:
    folder = resources.files("db.worked_example")
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            docs.append((entry.name, tomllib.loads(entry.read_text(encoding="utf-8"))))
    return docs


def load_worked_example(db: Database) -> WorkedExampleResult:
    result = WorkedExampleResult()
    documents = worked_example_documents()
    with db.write(ACTOR) as session:
        for _name, doc in documents:
            for programme in doc.get("programmes", []):
                _ensure_programme(session, programme)
        for name, doc in documents:
            if "project" not in doc:
                continue
            key = doc["project"]["key"]
            if session.exec(select(Project.id).where(Project.key == key)).first() is not None:
                result.already_present.append(key)
                continue
            try:
                result.loaded.append(_ProjectLoader(session, doc).load())
            except (ValidationError, InvalidValue, KeyError, IntegrityError) as exc:
                raise WorkedExampleError(f"worked example {name}: {exc}") from exc
    return result


def _ensure_programme(session: Session, data: dict[str, Any]) -> None:
    if session.exec(select(Programme).where(Programme.key == data["key"])).first() is None:
        session.add(
            Programme(
                key=data["key"],
                name=data["name"],
                organisation=data.get("organisation", ""),
                board_name=data.get("board_name", ""),
                description=data.get("description", ""),
            )
        )
        session.flush()


def _date(value: Any):
    return parse_optional_date(value)


def _text(data: dict[str, Any], key: str) -> str:
    return str(data.get(key, "") or "").strip()


def _raw(data: dict[str, Any]) -> dict[str, Any]:
    """TOML keys use underscores; the shared validators use the field names people see."""
    return {k.replace("_", " "): v for k, v in data.items()}


class _ProjectLoader:
    def __init__(self, session: Session, doc: dict[str, Any]):
        self.session = session
        self.doc = doc
        self.counts: dict[str, int] = {}
        self.stages: dict[str, Stage] = {}
        self.risks: dict[str, Risk] = {}
        self.issues: dict[str, Issue] = {}
        self.reports: dict[int, HighlightReport] = {}

    def load(self) -> LoadedProject:
        self._project()
        self._people()
        self._stages()
        self._tolerances(self.doc.get("tolerances", []), None)
        self._work_packages()
        self._risks()
        self._issues()
        self._lessons()
        self._daily_log()
        self._reports()
        self._meetings()
        self._exception_reports()
        self._reporting()
        self._systems()
        return LoadedProject(self.project.key, self.project.name, self.counts)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def person(self, name: Any) -> int | None:
        return self.people.resolve(name)

    def _project(self) -> None:
        p = self.doc["project"]
        data = parse_project_input(
            key=p["key"],
            name=p["name"],
            organisation=p.get("organisation"),
            start=p.get("planned_start"),
            end=p.get("planned_end"),
            budget=p.get("budget"),
            profile=p.get("profile"),
        )
        programme_id = None
        if p.get("programme"):
            programme_id = self.session.exec(
                select(Programme.id).where(Programme.key == p["programme"])
            ).one()
        self.project = create_project(
            self.session,
            data,
            programme_id=programme_id,
            status=p.get("status", "in progress"),
            objectives=_text(p, "objectives"),
            business_case=_text(p, "business_case"),
            change_budget_pence=parse_optional_money(p.get("change_budget")),
            risk_budget_pence=parse_optional_money(p.get("risk_budget")),
            actual_start=_date(p.get("actual_start")),
            actual_end=_date(p.get("actual_end")),
            risk_tolerance_score=p.get("risk_tolerance_score", 15),
            notes=_text(p, "notes"),
        )
        self.vocabulary = load_vocabulary(self.session, self.project.id)
        self.today = parse_date(p["as_at"]) if p.get("as_at") else self.project.planned_start

    def _people(self) -> None:
        organisation = self.project.organisation
        assignments: list[tuple[RoleAssignment, str | None]] = []
        for entry in self.doc.get("people", []):
            person = find_or_add_person(
                self.session,
                entry["name"],
                entry.get("organisation", organisation),
                entry.get("job_title", ""),
            )
            for role in entry.get("roles", ["team member"]):
                assignment = RoleAssignment(
                    project_id=self.project.id,
                    person_id=person.id,
                    role=role,
                    description=_text(entry, "role_description"),
                    start_date=_date(entry.get("start_date")),
                )
                assignments.append((assignment, entry.get("deputy_for")))
        principals = {}
        for assignment, deputy_for in assignments:
            if not deputy_for:
                self.session.add(assignment)
                principals.setdefault((assignment.person_id, assignment.role), assignment)
        self.session.flush()
        for assignment, deputy_for in assignments:
            if deputy_for:
                principal = find_or_add_person(self.session, deputy_for, organisation)
                assignment.deputy_for_id = principals[(principal.id, assignment.role)].id
                self.session.add(assignment)
        self.session.flush()
        self.count("people", len(self.doc.get("people", [])))
        # Strict: a name missing from [[people]] is a typing mistake, not a newcomer.
        self.people = PeopleResolver(self.session, self.project.id, organisation)

    def _stages(self) -> None:
        for sequence, s in enumerate(self.doc.get("stages", []), start=1):
            stage = Stage(
                project_id=self.project.id,
                sequence=sequence,
                name=s["name"],
                kind=s.get("kind", "delivery"),
                description=_text(s, "description"),
                status=s.get("status", "planned"),
                planned_start=_date(s.get("planned_start")),
                planned_end=_date(s.get("planned_end")),
                planned_cost_pence=parse_optional_money(s.get("planned_cost")),
                actual_start=_date(s.get("actual_start")),
                actual_end=_date(s.get("actual_end")),
                actual_cost_pence=parse_optional_money(s.get("actual_cost")),
                forecast_end=_date(s.get("forecast_end")),
                forecast_cost_pence=parse_optional_money(s.get("forecast_cost")),
                percent_complete=s.get("percent_complete", 0),
                authorised_on=_date(s.get("authorised_on")),
                notes=_text(s, "notes"),
            )
            self.session.add(stage)
            self.session.flush()
            self.stages[stage.name] = stage
            self._baseline(stage)
            self._tolerances(s.get("tolerances", []), stage)
            self._progress(stage, s.get("progress", []))
            self.count("stages")

    def _baseline(self, stage: Stage) -> None:
        """The stage plan as first approved: an exception plan later adds the next baseline."""
        self.session.add(
            StageBaseline(
                project_id=self.project.id,
                stage_id=stage.id,
                number=1,
                kind="stage plan",
                planned_start=stage.planned_start,
                planned_end=stage.planned_end,
                planned_cost_pence=stage.planned_cost_pence,
                approved_on=stage.authorised_on,
            )
        )
        self.session.flush()

    def _progress(self, stage: Stage, updates: list[dict[str, Any]]) -> None:
        """Dated progress updates, through the same validation as the form; the stage's own
        figures in the file must be those of its latest update."""
        if not updates:
            return
        stated = (
            stage.actual_cost_pence,
            stage.forecast_cost_pence,
            stage.forecast_end,
            stage.percent_complete,
        )
        for update in updates:
            data = parse_progress(_raw(update), facts_of(stage), today=self.today)
            add_progress(self.session, stage, data, recorded_by=ACTOR)
            self.count("progress updates")
        latest = (
            stage.actual_cost_pence,
            stage.forecast_cost_pence,
            stage.forecast_end,
            stage.percent_complete,
        )
        if latest != stated:
            raise ValidationError.single(
                "progress", f"{stage.name}: the latest update {latest} differs from {stated}"
            )

    def _tolerances(self, entries: list[dict[str, Any]], stage: Stage | None) -> None:
        for t in entries:
            aspect_id, kind = self.vocabulary.aspects[t["aspect"]]
            plus = minus = unit = None
            if kind == "time" and ("plus" in t or "minus" in t):
                unit = "days"
                plus, minus = t.get("plus"), t.get("minus")
            elif kind == "cost" and ("plus" in t or "minus" in t):
                values = [str(t.get("plus", "")), str(t.get("minus", ""))]
                if all(v.endswith("%") for v in values if v):
                    unit = "basis_points"
                    plus, minus = (round(float(v[:-1]) * 100) if v else None for v in values)
                else:
                    unit = "pence"
                    plus, minus = (parse_money(v) if v else None for v in values)
            self.session.add(
                Tolerance(
                    project_id=self.project.id,
                    stage_id=stage.id if stage else None,
                    aspect_id=aspect_id,
                    plus=plus,
                    minus=minus,
                    unit=unit,
                    description=_text(t, "description"),
                    set_on=_date(t.get("set_on")),
                    set_by=_text(t, "set_by"),
                )
            )
        self.session.flush()

    def _work_packages(self) -> None:
        for w in self.doc.get("work_packages", []):
            stage = self.stages[w["stage"]] if w.get("stage") else None
            self.session.add(
                WorkPackage(
                    project_id=self.project.id,
                    stage_id=stage.id if stage else None,
                    identifier=w["identifier"],
                    title=w["title"],
                    description=_text(w, "description"),
                    team_manager_id=self.person(w.get("team_manager")),
                    status=w.get("status", "authorised"),
                    planned_start=_date(w.get("planned_start")),
                    planned_end=_date(w.get("planned_end")),
                    percent_complete=w.get("percent_complete", 0),
                )
            )
            self.count("work packages")
        self.session.flush()

    def _risks(self) -> None:
        for r in self.doc.get("risks", []):
            data = parse_risk(_raw(r), self.vocabulary, self.people, today=self.today)
            risk = create_risk(self.session, self.project, data)
            self.risks[risk.identifier] = risk
            self.count("risks")

    def _issues(self) -> None:
        for i in self.doc.get("issues", []):
            data = parse_issue(_raw(i), self.vocabulary, self.people, today=self.today)
            issue = create_issue(self.session, self.project, data)
            self.issues[issue.identifier] = issue
            self.count("issues")
            if i.get("from_risk"):
                link(
                    self.session, issue, self.risks[i["from_risk"]], BECAME_ISSUE, issue.date_raised
                )
            for identifier in i.get("raised_risks", []):
                link(self.session, issue, self.risks[identifier], RAISED_RISK, issue.date_raised)

    def _lessons(self) -> None:
        risks = {identifier: risk.id for identifier, risk in self.risks.items()}
        for lesson in self.doc.get("lessons", []):
            data = parse_lesson(
                _raw(lesson), self.vocabulary, self.people, risks=risks, today=self.today
            )
            create_lesson(self.session, self.project, data)
            self.count("lessons")
        self.session.flush()

    def _daily_log(self) -> None:
        for entry in self.doc.get("daily_log", []):
            raw = _raw(entry)
            raw["person responsible"] = raw.pop("person", None)
            create_entry(
                self.session,
                self.project,
                parse_daily_log_entry(raw, self.people, today=self.today),
            )
            self.count("daily log entries")
        self.session.flush()

    def _reports(self) -> None:
        for number, r in enumerate(self.doc.get("highlight_reports", []), start=1):
            report_date = parse_date(r["report_date"])
            status = r.get("status", "issued")
            stage = self.stages[r["stage"]] if r.get("stage") else None
            report = HighlightReport(
                project_id=self.project.id,
                number=number,
                stage_id=stage.id if stage else None,
                period_start=parse_date(r["period_start"]),
                period_end=parse_date(r["period_end"]),
                report_date=report_date,
                author_id=self.person(r.get("author")),
                distribution=_text(r, "distribution"),
                status=status,
                status_summary=_text(r, "status_summary"),
                work_completed=_text(r, "work_completed"),
                work_planned=_text(r, "work_planned"),
                corrective_actions=_text(r, "corrective_actions"),
                issued_at=datetime.combine(report_date, time(9, 0), tzinfo=UTC)
                if status != "draft"
                else None,
            )
            self.session.add(report)
            self.session.flush()
            for level in ("project", "stage"):
                for rating in r.get(f"{level}_ratings", []):
                    self.session.add(
                        HighlightReportRating(
                            report_id=report.id,
                            level=level,
                            aspect=rating["aspect"],
                            rag=rating["rag"],
                            comment=_text(rating, "comment"),
                        )
                    )
            if status != "draft":
                scores = {k: (v[0], v[1]) for k, v in r.get("risk_scores", {}).items()}
                take_risk_snapshot(
                    self.session, report, as_at=report_date, residual_overrides=scores
                )
                freeze_recorded_report(self.session, report)
            self.reports[number] = report
            self.count("highlight reports")
        self.session.flush()

    def _meetings(self) -> None:
        for m in self.doc.get("meetings", []):
            meeting = BoardMeeting(
                project_id=self.project.id,
                kind=m.get("kind", "project board"),
                title=_text(m, "title"),
                meeting_date=parse_date(m["date"]),
                location=_text(m, "location"),
                agenda=_text(m, "agenda"),
                minutes=_text(m, "minutes"),
                status=m.get("status", "held"),
                next_meeting_date=_date(m.get("next_meeting")),
            )
            self.session.add(meeting)
            self.session.flush()
            for a in m.get("attendees", []):
                self.session.add(
                    MeetingAttendance(
                        meeting_id=meeting.id,
                        person_id=self.person(a["name"]),
                        attendance=a.get("attendance", "present"),
                        capacity=_text(a, "capacity"),
                    )
                )
            for d in m.get("decisions", []):
                number = next_number(self.session, Decision, self.project.id)
                self.session.add(
                    Decision(
                        project_id=self.project.id,
                        number=number,
                        identifier=f"D-{number:03d}",
                        meeting_id=meeting.id,
                        decision_date=meeting.meeting_date,
                        activity=d["activity"],
                        summary=d["summary"],
                        rationale=_text(d, "rationale"),
                        issue_id=self.issues[d["issue"]].id if d.get("issue") else None,
                        highlight_report_id=self.reports[d["highlight_report"]].id
                        if d.get("highlight_report")
                        else None,
                        stage_id=self.stages[d["stage"]].id if d.get("stage") else None,
                    )
                )
                self.session.flush()
                self.count("decisions")
            for a in m.get("actions", []):
                number = next_number(self.session, Action, self.project.id)
                self.session.add(
                    Action(
                        project_id=self.project.id,
                        number=number,
                        identifier=f"A-{number:03d}",
                        meeting_id=meeting.id,
                        description=a["description"],
                        owner_id=self.person(a.get("owner")),
                        due_date=_date(a.get("due")),
                        status=a.get("status", "open"),
                        completed_on=_date(a.get("completed_on")),
                    )
                )
                self.session.flush()
                self.count("actions")
            self.count("meetings")

    def _exception_reports(self) -> None:
        """Exception reports as issued to the board; an approved one's exception plan replaces
        the stage plan, on the board's decision of that day in ``[[meetings.decisions]]``."""
        for r in self.doc.get("exception_reports", []):
            stage = self.stages[r["stage"]]
            number = next_number(self.session, ExceptionReport, self.project.id)
            report = ExceptionReport(
                project_id=self.project.id,
                number=number,
                identifier=f"ER-{number:03d}",
                level="stage",
                stage_id=stage.id,
                issue_id=self.issues[r["issue"]].id if r.get("issue") else None,
                title=r["title"],
                drafted_on=parse_date(r["drafted_on"]),
                author_id=self.person(r.get("author")),
                **{
                    name: _text(r, name)
                    for name in ("deviation", "cause", "consequences", "options", "recommendation")
                },
                lessons=_text(r, "lessons"),
            )
            self.session.add(report)
            self.session.flush()
            freeze_issued(self.session, report, parse_date(r["issued_on"]))
            approval = r.get("approval")
            if approval:
                decided_on = parse_date(approval["decided_on"])
                decision = self.session.exec(
                    select(Decision).where(
                        Decision.project_id == self.project.id,
                        Decision.stage_id == stage.id,
                        Decision.decision_date == decided_on,
                        Decision.activity == "authorise a stage or exception plan",
                    )
                ).one()
                plan = ExceptionPlanInput(
                    decided_on,
                    parse_date(approval["planned_end"]),
                    parse_money(approval["planned_cost"]),
                    decision.rationale,
                )
                adopt_exception_plan(self.session, report, stage, decision, plan)
            self.count("exception reports")

    def _reporting(self) -> None:
        entries = self.doc.get("reporting", [])
        if not entries:
            return
        for entry in entries:
            self.session.add(
                ReportingSchedule(
                    project_id=self.project.id,
                    report=entry["report"],
                    audience=_text(entry, "audience"),
                    frequency=entry.get("frequency", "monthly"),
                    first_due=parse_date(entry["first_due"]),
                )
            )
        self.session.flush()

    def _systems(self) -> None:
        for s in self.doc.get("systems", []):
            system = ReviewedSystem(
                project_id=self.project.id,
                identifier=s["identifier"],
                name=s["name"],
                service_area=_text(s, "service_area"),
                notes=_text(s, "notes"),
            )
            self.session.add(system)
            self.session.flush()
            for outcome in s.get("outcomes", []):
                self.session.add(
                    ReviewedSystemOutcome(reviewed_system_id=system.id, outcome=outcome)
                )
            self.count("reviewed systems")
        self.session.flush()
