"""The highlight report, assembled as a ``Document`` from plain data.

``HighlightData`` holds everything the registers say for the period (gathered by
``tracker.services.highlight``); ``Narrative`` holds the little the project manager writes (the
status summary, work completed and planned, corrective actions, judgement ratings and comments).
``build_highlight_report`` turns the two into the Document every format is printed from, laid out
as English councils lay out highlight reports: document control, status summary, the RAG grid
with last and this period, direction of travel and a comment for every rating that is not green,
a RAG key and the baseline the ratings are measured against, then work done and planned,
tolerances, requests for change, key risks and issues, decisions required from the board,
lessons and the budget with forecast spend to completion.

Nothing here touches the database, so the TUI rebuilds the preview on every keystroke.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from tracker.domain.dates import format_date, long_date
from tracker.domain.highlight import (
    ASPECTS,
    BASIS_WORDS,
    JUDGED,
    LEVELS,
    Key,
    Rating,
    issue_problems,
    rating_grid,
    recorded_grid,
)
from tracker.domain.rag import AMBER, BLUE, GREEN, NOT_STARTED, RAG_KEY, RED
from tracker.domain.validation import FieldError
from tracker.exports.table import DATE, INT, MONEY, RAG, Column
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock

T = TypeVar("T")

NOT_WRITTEN = "Not written yet."
NOT_RECORDED = (
    "Not recorded: this report was entered into the tracker after it was issued, so the stage "
    "plans as they stood then are not held; the ratings in section 2 are those the board received."
)

RAG_KEY_ROWS = (
    (GREEN, "On track: within tolerance, using no more than 80% of it."),
    (
        AMBER,
        "At risk: more than 80% of a tolerance used, or a problem the project manager is "
        "managing within tolerance.",
    ),
    (RED, "Exception: forecast beyond tolerance. The board must be told and decide what to do."),
    (BLUE, "Complete."),
    (NOT_STARTED, "Not started."),
)
RAG_KEY_NOTE = (
    "Time and cost are worked out from the forecasts against the tolerances (section 5) wherever a "
    "tolerance is set; scope, quality, benefits and risk are the project manager's judgement "
    "against the tolerances described there. Overall is the worst of the six. Direction of travel "
    "compares this period with the last issued report."
)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first rows of a long list and how many there are in all: a board report shows the
    most serious few and says how many more the register holds."""

    rows: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class ToleranceLine:
    level: str
    aspect: str
    tolerance: str
    plan: str = ""
    forecast: str = ""
    variance: str = ""
    rag: str | None = None  # worked out from the forecast; None: the grid's judgement


@dataclass(frozen=True)
class RiskLine:
    identifier: str
    title: str
    kind: str
    score: int
    rag: str | None
    movement: str
    owner: str
    proximity: str


@dataclass(frozen=True)
class RiskChange:
    identifier: str
    title: str
    movement: str  # new | up | down | closed
    was: int | None
    now: int | None


@dataclass(frozen=True)
class IssueLine:
    identifier: str
    issue_type: str
    title: str
    raised: date
    severity: str
    decided_by: str
    status: str


@dataclass(frozen=True)
class ChangeRequest:
    identifier: str
    title: str
    raised: date
    decision: str  # approved | rejected | deferred | pending ...
    decided: date | None
    cost_pence: int | None


@dataclass(frozen=True)
class ChangeCounts:
    raised: int = 0
    approved: int = 0
    rejected: int = 0
    deferred: int = 0
    pending: int = 0


@dataclass(frozen=True)
class DecisionNeeded:
    kind: str  # Decide | Authorise | Note
    what: str
    reference: str
    why: str


@dataclass(frozen=True)
class LessonLine:
    identifier: str
    title: str
    lesson_type: str
    logged: date
    recommendation: str


@dataclass(frozen=True)
class StageCost:
    sequence: int
    name: str
    status: str
    planned_pence: int | None
    actual_pence: int | None
    forecast_pence: int | None


@dataclass(frozen=True)
class Budget:
    budget_pence: int | None
    change_budget_pence: int | None
    risk_budget_pence: int | None
    plan_pence: int | None
    actual_to_date_pence: int
    forecast_at_completion_pence: int | None
    change_committed_pence: int
    stages: tuple[StageCost, ...]

    @property
    def forecast_to_completion_pence(self) -> int | None:
        if self.forecast_at_completion_pence is None:
            return None
        return self.forecast_at_completion_pence - self.actual_to_date_pence


@dataclass(frozen=True)
class WorkPackageLine:
    identifier: str
    title: str
    status: str
    team_manager: str
    planned_end: date | None
    percent_complete: int


@dataclass(frozen=True)
class Narrative:
    """What the project manager writes: prose (Markdown) and, per (level, aspect), a judgement
    rating and a comment."""

    status_summary: str = ""
    work_completed: str = ""
    work_planned: str = ""
    corrective_actions: str = ""
    judged: Mapping[Key, str | None] = field(default_factory=dict)
    comments: Mapping[Key, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HighlightData:
    """Everything the registers say about the period, as plain values."""

    project_key: str
    project_name: str
    organisation: str
    number: int
    status: str  # draft | issued | superseded
    period_start: date
    period_end: date
    report_date: date
    as_at: date
    stage_name: str = ""
    author: str = ""
    distribution: str = ""
    supersedes: int | None = None
    recorded: bool = False  # issued before the tracker held it: ratings as recorded
    worked_out: Mapping[Key, str | None] = field(default_factory=dict)
    recorded_ratings: Mapping[Key, tuple[str, str]] = field(default_factory=dict)
    last_ratings: Mapping[Key, str] = field(default_factory=dict)
    last_report: tuple[int, date] | None = None
    baseline: tuple[int, date] | None = None  # the report risk movement is measured against
    baseline_statement: tuple[tuple[str, str], ...] = ()
    tolerance_lines: tuple[ToleranceLine, ...] | None = ()
    top_risks: tuple[RiskLine, ...] = ()
    open_risks: int = 0
    risks_above_line: int = 0
    risk_tolerance_score: int = 15
    risk_changes: Listing[RiskChange] | None = None
    movement_counts: Mapping[str, int] | None = None
    change_requests: Listing[ChangeRequest] = field(default_factory=Listing)
    change_counts: ChangeCounts = field(default_factory=ChangeCounts)
    change_budget_note: str = ""
    issues_awaiting: Listing[IssueLine] = field(default_factory=Listing)
    decisions: Listing[DecisionNeeded] = field(default_factory=Listing)
    lessons: tuple[LessonLine, ...] = ()
    lessons_total: int = 0
    budget: Budget | None = None
    work_packages: tuple[WorkPackageLine, ...] | None = ()

    @property
    def levels(self) -> tuple[str, ...]:
        return LEVELS if self.stage_name else LEVELS[:1]


# --------------------------------------------------------------------------- the grid


def grid(data: HighlightData, narrative: Narrative) -> list[Rating]:
    """The RAG grid the report prints: as recorded for a report issued before the tracker held
    it, else worked out and judged."""
    if data.recorded:
        return recorded_grid(data.levels, data.recorded_ratings, data.last_ratings)
    return rating_grid(
        data.levels, data.worked_out, narrative.judged, narrative.comments, data.last_ratings
    )


def problems_before_issue(data: HighlightData, narrative: Narrative) -> list[FieldError]:
    """Everything that stops the report being issued, each naming its row or section."""
    problems = []
    if not narrative.status_summary.strip():
        problems.append(FieldError("status summary", "is not written"))
    return problems + issue_problems(grid(data, narrative))


# --------------------------------------------------------------------------- the document

RATING_COLUMNS = (
    Column("aspect", "Aspect"),
    Column("last", "Last period", RAG),
    Column("this", "This period", RAG),
    Column("direction", "Direction"),
    Column("basis", "Basis"),
    Column("comment", "Comment"),
)


def _prose(text: str) -> Paragraph | Note:
    return Paragraph(text.strip()) if text.strip() else Note(NOT_WRITTEN, tone="warning")


def _more(listing: Listing, what: str, where: str) -> list[Note]:
    if listing.more <= 0:
        return []
    return [Note(f"{listing.more:,} more {what} not shown here: see {where}.")]


def _status_line(data: HighlightData) -> str:
    if data.status == "draft":
        return "Draft: not yet issued to the board"
    issued = f"Issued to the board on {long_date(data.report_date)}"
    if data.supersedes:
        issued += f"; corrects and supersedes report {data.supersedes}"
    return issued


def _document_control(data: HighlightData) -> Facts:
    rows = [
        ("Project", f"{data.project_key} · {data.project_name}"),
        ("Organisation", data.organisation or "Not recorded"),
        ("Stage", data.stage_name or "No stage recorded"),
        ("Period", f"{long_date(data.period_start)} to {long_date(data.period_end)}"),
        ("Report date", long_date(data.report_date)),
        ("Author", data.author or "Not recorded"),
        ("Distribution", data.distribution or "Not recorded"),
        ("Status", _status_line(data)),
    ]
    if data.supersedes and data.status == "draft":
        rows.append(("Corrects", f"Highlight report {data.supersedes}, which it will supersede"))
    last = data.last_report
    rows.append(
        (
            "Last report",
            f"Highlight report {last[0]}, {long_date(last[1])}" if last else "None: the first",
        )
    )
    return Facts(tuple(rows))


def _grid_table(ratings: list[Rating], level: str, caption: str) -> TableBlock:
    rows = tuple(
        (
            r.aspect.capitalize(),
            r.last,
            r.rag,
            r.direction,
            BASIS_WORDS[r.basis],
            r.comment.strip(),
        )
        for r in ratings
        if r.level == level
    )
    return TableBlock(RATING_COLUMNS, rows, caption=caption)


def _headline(ratings: list[Rating], data: HighlightData) -> TableBlock:
    columns = (
        Column("level", "Overall status"),
        Column("last", "Last period", RAG),
        Column("this", "This period", RAG),
        Column("direction", "Direction"),
    )
    rows = []
    for r in ratings:
        if r.aspect == "overall":
            name = "Project" if r.level == "project" else f"Stage: {data.stage_name}"
            rows.append((name, r.last, r.rag, r.direction))
    return TableBlock(columns, tuple(rows))


def rag_key_table() -> TableBlock:
    return TableBlock(
        (Column("rating", "Rating", RAG), Column("meaning", "Meaning")),
        RAG_KEY_ROWS,
        caption="RAG key",
    )


def _tolerances(data: HighlightData, ratings: list[Rating]) -> list:
    if data.tolerance_lines is None:
        return [Note(NOT_RECORDED)]
    judged = {(r.level, r.aspect): r.rag for r in ratings}
    columns = (
        Column("level", "Level"),
        Column("aspect", "Aspect"),
        Column("tolerance", "Tolerance"),
        Column("plan", "Plan"),
        Column("forecast", "Forecast"),
        Column("variance", "Variance"),
        Column("rag", "RAG", RAG),
    )
    rows = tuple(
        (
            line.level.capitalize(),
            line.aspect.capitalize(),
            line.tolerance,
            line.plan,
            line.forecast,
            line.variance,
            line.rag if line.rag is not None else judged.get((line.level, line.aspect)),
        )
        for line in data.tolerance_lines
    )
    return [TableBlock(columns, rows, empty="No tolerances are recorded for the project yet.")]


def _change_requests(data: HighlightData) -> list:
    counts = data.change_counts
    blocks: list = [
        TableBlock(
            (
                Column("raised", "Raised", INT),
                Column("approved", "Approved", INT),
                Column("rejected", "Rejected", INT),
                Column("deferred", "Deferred", INT),
                Column("pending", "Pending", INT),
            ),
            ((counts.raised, counts.approved, counts.rejected, counts.deferred, counts.pending),),
            caption="Requests for change raised and decided in the period, and pending at its end",
        ),
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Request for change"),
                Column("raised", "Raised", DATE),
                Column("decision", "Decision"),
                Column("decided", "Decided", DATE),
                Column("cost", "Cost of change", MONEY),
            ),
            tuple(
                (c.identifier, c.title, c.raised, c.decision.capitalize(), c.decided, c.cost_pence)
                for c in data.change_requests.rows
            ),
            empty="No requests for change were raised or decided in the period, and none is "
            "pending.",
        ),
    ]
    blocks += _more(data.change_requests, "requests for change", "the issue register")
    if data.change_budget_note:
        blocks.append(Note(data.change_budget_note))
    return blocks


MOVEMENT_WORDS = {"new": "New", "up": "Increased", "down": "Decreased", "closed": "Closed"}
SINCE_WORDS = {**MOVEMENT_WORDS, "same": "No change"}


def _risks(data: HighlightData) -> list:
    above = (
        f"{data.open_risks:,} open risks; {data.risks_above_line:,} at or above the board's "
        f"tolerance line (score {data.risk_tolerance_score} or more)."
    )
    blocks: list = [
        Heading("Top risks by current score", 3),
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Risk"),
                Column("kind", "Kind"),
                Column("score", "Score", INT),
                Column("rag", "RAG", RAG),
                Column("since", "Since last report"),
                Column("owner", "Owner"),
                Column("proximity", "Proximity"),
            ),
            tuple(
                (
                    r.identifier,
                    r.title,
                    r.kind.capitalize(),
                    r.score,
                    r.rag,
                    SINCE_WORDS.get(r.movement, r.movement),
                    r.owner,
                    r.proximity,
                )
                for r in data.top_risks
            ),
            caption=above,
            empty="The risk register holds no open risks.",
        ),
    ]
    if data.risk_changes is None or data.movement_counts is None:
        blocks += [
            Heading("Risk movement", 3),
            Note(
                "No earlier issued report holds a snapshot of the risk register, so movement is "
                "shown from the next report on."
            ),
        ]
        return blocks
    number, issued = data.baseline
    counts = data.movement_counts
    blocks += [
        Heading(f"Risk movement since highlight report {number} ({format_date(issued)})", 3),
        TableBlock(
            tuple(Column(k, MOVEMENT_WORDS[k], INT) for k in ("new", "up", "down", "closed")),
            (tuple(counts.get(k, 0) for k in ("new", "up", "down", "closed")),),
        ),
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Risk"),
                Column("movement", "Movement"),
                Column("was", "Score then", INT),
                Column("now", "Score now", INT),
            ),
            tuple(
                (c.identifier, c.title, MOVEMENT_WORDS[c.movement], c.was, c.now)
                for c in data.risk_changes.rows
            ),
            empty="No risk is new, has moved or has closed since that report.",
        ),
    ]
    blocks += _more(data.risk_changes, "risk movements", "the risk register")
    return blocks


def _issues(data: HighlightData) -> list:
    blocks: list = [
        Heading("Issues awaiting decision", 3),
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("type", "Type"),
                Column("title", "Issue"),
                Column("raised", "Raised", DATE),
                Column("severity", "Severity"),
                Column("decider", "Decided by"),
                Column("status", "Status"),
            ),
            tuple(
                (
                    i.identifier,
                    i.issue_type.capitalize(),
                    i.title,
                    i.raised,
                    i.severity,
                    i.decided_by.capitalize(),
                    i.status.capitalize(),
                )
                for i in data.issues_awaiting.rows
            ),
            empty="No issue is awaiting a decision.",
        ),
    ]
    return blocks + _more(data.issues_awaiting, "issues awaiting decision", "the issue register")


def _decisions(data: HighlightData) -> list:
    rows = tuple(
        (n, d.kind, d.what, d.reference, d.why) for n, d in enumerate(data.decisions.rows, 1)
    )
    table = TableBlock(
        (
            Column("n", "No.", INT),
            Column("kind", "Action"),
            Column("what", "Decision required"),
            Column("ref", "Ref"),
            Column("why", "Why"),
        ),
        rows,
        empty="No decision is required from the board this period.",
    )
    return [table, *_more(data.decisions, "items for the board", "the issue register")]


def _lessons(data: HighlightData) -> list:
    caption = (
        f"Lessons logged in the period ({data.lessons_total:,} in the lessons log in all)."
        if data.lessons_total
        else ""
    )
    return [
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Lesson"),
                Column("type", "Type"),
                Column("logged", "Logged", DATE),
                Column("recommendation", "Recommendation"),
            ),
            tuple(
                (
                    lesson.identifier,
                    lesson.title,
                    lesson.lesson_type.capitalize(),
                    lesson.logged,
                    lesson.recommendation,
                )
                for lesson in data.lessons
            ),
            caption=caption,
            empty="No lessons were logged in the period.",
        )
    ]


def budget_blocks(budget: Budget | None) -> list:
    """The budget summary and spend by stage (shared with the quarterly summary)."""
    if budget is None:
        return [Note(NOT_RECORDED)]

    def variance(forecast: int | None, plan: int | None) -> int | None:
        return None if forecast is None or plan is None else forecast - plan

    headroom = variance(budget.budget_pence, budget.forecast_at_completion_pence)
    summary = (
        ("Budget", budget.budget_pence),
        ("of which change budget", budget.change_budget_pence),
        ("of which risk budget", budget.risk_budget_pence),
        ("Plan (budget less change and risk budgets)", budget.plan_pence),
        ("Actual to date", budget.actual_to_date_pence),
        ("Forecast spend to completion", budget.forecast_to_completion_pence),
        ("Forecast at completion", budget.forecast_at_completion_pence),
        (
            "Forecast over plan (negative: under)",
            variance(budget.forecast_at_completion_pence, budget.plan_pence),
        ),
        ("Budget remaining after forecast", headroom),
    )
    stage_rows = tuple(
        (
            s.sequence,
            s.name,
            s.status.capitalize(),
            s.planned_pence,
            s.actual_pence,
            s.forecast_pence,
            variance(s.forecast_pence, s.planned_pence),
        )
        for s in budget.stages
    )
    if len(budget.stages) > 1:
        planned = [s.planned_pence for s in budget.stages]
        forecasts = [s.forecast_pence for s in budget.stages]
        total_planned = sum(planned) if None not in planned else None
        total_forecast = sum(forecasts) if None not in forecasts else None
        stage_rows += (
            (
                None,
                "Total",
                "",
                total_planned,
                budget.actual_to_date_pence,
                total_forecast,
                variance(total_forecast, total_planned),
            ),
        )
    return [
        TableBlock((Column("item", "Budget summary"), Column("amount", "Amount", MONEY)), summary),
        TableBlock(
            (
                Column("n", "No.", INT),
                Column("stage", "Stage"),
                Column("status", "Status"),
                Column("planned", "Planned", MONEY),
                Column("actual", "Actual to date", MONEY),
                Column("forecast", "Forecast at completion", MONEY),
                Column("variance", "Variance", MONEY),
            ),
            stage_rows,
            caption="By stage",
            empty="No stages are recorded yet.",
        ),
    ]


def _work_packages(data: HighlightData) -> list:
    if data.work_packages is None:
        return [Note(NOT_RECORDED)]
    return [
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Work package"),
                Column("status", "Status"),
                Column("manager", "Team manager"),
                Column("end", "Planned end", DATE),
                Column("done", "% done", INT),
            ),
            tuple(
                (
                    w.identifier,
                    w.title,
                    w.status.capitalize(),
                    w.team_manager,
                    w.planned_end,
                    w.percent_complete,
                )
                for w in data.work_packages
            ),
            empty="No work packages are recorded for the stage.",
        )
    ]


def build_highlight_report(data: HighlightData, narrative: Narrative) -> Document:
    """The highlight report for ``data`` with the project manager's ``narrative``."""
    ratings = grid(data, narrative)
    draft = data.status == "draft"
    period = f"{format_date(data.period_start)} to {format_date(data.period_end)}"
    issued = "Draft" if draft else f"Issued {format_date(data.report_date)}"
    document = Document(
        watermark="DRAFT" if draft else "",
        title=f"Highlight report {data.number}" + (" (draft)" if draft else ""),
        subtitle=data.project_name,
        header=(
            ("Project", data.project_key),
            ("Period", period),
            ("Report", f"{data.number} · {issued}"),
        ),
    )
    stage_caption = f"Stage: {data.stage_name}" if data.stage_name else ""
    document.add(
        _document_control(data),
        Heading("1. Status summary"),
        _headline(ratings, data),
        _prose(narrative.status_summary),
        Heading("2. RAG status"),
        _grid_table(ratings, "project", "Project"),
    )
    if data.stage_name:
        document.add(_grid_table(ratings, "stage", stage_caption))
    else:
        document.add(Note("No stage is recorded for the project, so there is no stage grid."))
    document.add(rag_key_table(), Note(RAG_KEY_NOTE))
    document.add(Heading("Baseline the ratings are measured against", 3))
    document.add(Facts(data.baseline_statement))
    document.add(
        Heading("3. This reporting period"),
        Heading("Work completed", 3),
        _prose(narrative.work_completed),
        Heading("Corrective actions taken", 3),
        _prose(narrative.corrective_actions),
        Heading("Work packages in the stage", 3),
        *_work_packages(data),
        Heading("4. Next reporting period"),
        Heading("Work planned", 3),
        _prose(narrative.work_planned),
        Heading("5. Tolerance status"),
        *_tolerances(data, ratings),
        Heading("6. Requests for change"),
        *_change_requests(data),
        Heading("7. Key issues and risks"),
        *_risks(data),
        *_issues(data),
        Heading("8. Decisions required from the board"),
        *_decisions(data),
        Heading("9. Lessons"),
        *_lessons(data),
        Heading("10. Budget summary"),
        *budget_blocks(data.budget),
        Note(
            f"Figures and lists are generated by tracker from the project's registers as at "
            f"{long_date(data.as_at)}. The project manager wrote the status summary, the work "
            "completed and planned, the corrective actions and the rating comments"
            + (
                "; time and cost ratings are worked out from the forecasts."
                if not data.recorded
                else "."
            )
        ),
    )
    return document


def judged_keys(data: HighlightData) -> list[Key]:
    """The grid rows the project manager rates: the descriptive aspects, and time or cost where
    no tolerance gives a rating."""
    keys = []
    for level in data.levels:
        for aspect in ("time", "cost", *JUDGED):
            if data.worked_out.get((level, aspect)) is None:
                keys.append((level, aspect))
    return keys


# --------------------------------------------------------------------------- the editor's values

PROSE_FIELDS = {
    "status summary": "status_summary",
    "work completed": "work_completed",
    "work planned": "work_planned",
    "corrective actions": "corrective_actions",
}


def rating_field(level: str, aspect: str) -> str:
    """The raw field name of a rating (``project scope``); its comment adds `` comment``."""
    return f"{level} {aspect}"


def narrative_from_raw(raw: Mapping[str, object]) -> Narrative:
    """The narrative as the editor holds it, read leniently (an unknown rating word counts as
    not rated): for the live preview, which must never fail while someone types."""
    judged: dict[Key, str | None] = {}
    comments: dict[Key, str] = {}
    for level in LEVELS:
        for aspect in ASPECTS:
            name = rating_field(level, aspect)
            word = str(raw.get(name) or "").strip().casefold()
            if aspect != "overall":
                judged[(level, aspect)] = word if word in RAG_KEY else None
            comment = str(raw.get(f"{name} comment") or "").strip()
            if comment:
                comments[(level, aspect)] = comment
    prose = {attr: str(raw.get(name) or "").strip() for name, attr in PROSE_FIELDS.items()}
    return Narrative(judged=judged, comments=comments, **prose)
