"""The quarterly summary a scrutiny committee asks for, assembled as a ``Document``: the RAG
trend over the quarter's highlight reports, milestones (stage ends and the board's decisions),
spend against budget, the top risks and the quarter's requests for change. Built from the
same registers and the same issued reports as the highlight reports, through the same
pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.domain.dates import format_date, long_date
from tracker.domain.highlight import ASPECTS, Quarter, direction
from tracker.exports.table import DATE, INT, RAG, Column
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
from tracker.reports.highlight import (
    Budget,
    ChangeCounts,
    RiskLine,
    budget_blocks,
    rag_key_table,
)


@dataclass(frozen=True)
class QuarterReport:
    """An issued highlight report whose period ends in the quarter, with its ratings."""

    number: int
    period_end: date
    report_date: date
    ratings: dict[tuple[str, str], str]  # (level, aspect) -> rag
    stage_name: str


@dataclass(frozen=True)
class Milestone:
    sequence: int
    name: str
    status: str
    planned_end: date | None
    forecast_end: date | None
    actual_end: date | None
    in_quarter: str


@dataclass(frozen=True)
class BoardDecision:
    decision_date: date
    identifier: str
    activity: str
    summary: str


@dataclass(frozen=True)
class QuarterlyData:
    project_key: str
    project_name: str
    organisation: str
    quarter: Quarter
    as_at: date
    audience: str = ""
    current_stage: str = ""
    reports: tuple[QuarterReport, ...] = ()
    latest_summary: str = ""
    milestones: tuple[Milestone, ...] = ()
    decisions: tuple[BoardDecision, ...] = ()
    budget: Budget | None = None
    top_risks: tuple[RiskLine, ...] = ()
    risks_as_at: str = ""
    change_counts: ChangeCounts = field(default_factory=ChangeCounts)


def _trend(data: QuarterlyData) -> list:
    if not data.reports:
        return [
            Note(
                "No highlight report issued to the board covers a period ending in this "
                "quarter, so there is no RAG trend to show."
            )
        ]
    columns = [Column("aspect", "Aspect")]
    columns += [
        Column(f"r{r.number}", f"Report {r.number} ({r.period_end:%b %Y})", RAG)
        for r in data.reports
    ]
    columns.append(Column("trend", "Over the quarter"))
    rows = []
    keys = [("project", aspect) for aspect in ASPECTS] + [("stage", "overall")]
    for key in keys:
        ratings = [r.ratings.get(key) for r in data.reports]
        first = next((r for r in ratings if r), None)
        last = next((r for r in reversed(ratings) if r), None)
        trend = direction(first, last) if first and last and len(data.reports) > 1 else ""
        label = key[1].capitalize() if key[0] == "project" else "Stage overall"
        rows.append((label, *ratings, trend))
    stages = sorted({r.stage_name for r in data.reports if r.stage_name})
    caption = "Project ratings at each highlight report" + (
        f"; stage overall for {', '.join(stages)}" if stages else ""
    )
    return [TableBlock(tuple(columns), tuple(rows), caption=caption)]


def build_quarterly_summary(data: QuarterlyData) -> Document:
    quarter = data.quarter
    numbers = ", ".join(str(r.number) for r in data.reports) or "none"
    document = Document(
        title=f"Quarterly summary {quarter.year} Q{quarter.number}",
        subtitle=data.project_name,
        header=(
            ("Project", data.project_key),
            ("Quarter", quarter.months),
            ("As at", format_date(data.as_at)),
        ),
    )
    document.add(
        Facts(
            (
                ("Project", f"{data.project_key} · {data.project_name}"),
                ("Organisation", data.organisation or "Not recorded"),
                ("Quarter", f"{long_date(quarter.start)} to {long_date(quarter.end)}"),
                ("For", data.audience or "Scrutiny committee"),
                ("Current stage", data.current_stage or "No stage recorded"),
                ("Highlight reports", numbers),
                ("Prepared", long_date(data.as_at)),
            )
        ),
        Heading("1. Summary"),
    )
    if data.reports:
        last = data.reports[-1]
        document.add(
            Note(
                f"The latest status summary in the quarter, from highlight report {last.number} "
                f"({long_date(last.report_date)}):"
            ),
            Paragraph(data.latest_summary) if data.latest_summary.strip() else Note("None."),
        )
    else:
        document.add(Note("No highlight report was issued for a period ending in the quarter."))
    document.add(
        Heading("2. RAG trend over the quarter"),
        *_trend(data),
        rag_key_table(),
        Note(
            "Each column is the rating the board received in that highlight report. Over the "
            "quarter compares the first report of the quarter with the last."
        ),
        Heading("3. Milestones"),
        TableBlock(
            (
                Column("n", "No.", INT),
                Column("stage", "Stage"),
                Column("status", "Status"),
                Column("planned", "Planned end", DATE),
                Column("forecast", "Forecast end", DATE),
                Column("actual", "Actual end", DATE),
                Column("quarter", "This quarter"),
            ),
            tuple(
                (
                    m.sequence,
                    m.name,
                    m.status.capitalize(),
                    m.planned_end,
                    m.forecast_end,
                    m.actual_end,
                    m.in_quarter,
                )
                for m in data.milestones
            ),
            caption="Stage ends",
            empty="No stages are recorded yet.",
        ),
        TableBlock(
            (
                Column("date", "Date", DATE),
                Column("ref", "Ref"),
                Column("activity", "Board activity"),
                Column("summary", "Decision"),
            ),
            tuple(
                (d.decision_date, d.identifier, d.activity.capitalize(), d.summary)
                for d in data.decisions
            ),
            caption="Board decisions in the quarter",
            empty="The board recorded no decisions in the quarter.",
        ),
        Heading("4. Spend"),
        Note(f"Costs as recorded on {long_date(data.as_at)}."),
        *budget_blocks(data.budget),
        Heading("5. Top risks"),
        TableBlock(
            (
                Column("ref", "Ref"),
                Column("title", "Risk"),
                Column("score", "Score", INT),
                Column("rag", "RAG", RAG),
                Column("owner", "Owner"),
                Column("proximity", "Proximity"),
            ),
            tuple(
                (r.identifier, r.title, r.score, r.rag, r.owner, r.proximity)
                for r in data.top_risks
            ),
            caption=data.risks_as_at,
            empty="No open risks.",
        ),
        Heading("6. Requests for change in the quarter"),
        TableBlock(
            (
                Column("raised", "Raised", INT),
                Column("approved", "Approved", INT),
                Column("rejected", "Rejected", INT),
                Column("deferred", "Deferred", INT),
                Column("pending", "Pending", INT),
            ),
            (
                (
                    data.change_counts.raised,
                    data.change_counts.approved,
                    data.change_counts.rejected,
                    data.change_counts.deferred,
                    data.change_counts.pending,
                ),
            ),
            caption="Raised and decided in the quarter, and pending at its end",
        ),
        Note(
            f"Generated by tracker from the project's registers and its issued highlight reports "
            f"as at {long_date(data.as_at)}; nothing in this summary is typed."
        ),
    )
    return document
