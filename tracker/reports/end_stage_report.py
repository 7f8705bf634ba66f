"""The End Stage Report (PRINCE2 A.9) as a ``Document``: the project manager's report, reviews of
the business case and objectives, the stage's performance against its plan and tolerances, team
performance, products, lessons, issues and risks, and the forecast with the next stage's plan;
then the board's authorisation to proceed once recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.dates import format_date
from tracker.domain.tolerance import RULE
from tracker.exports.table import INT, RAG, Column
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock

NOT_RECORDED = "Not recorded."

PERFORMANCE_COLUMNS = (
    Column("aspect", "Aspect"),
    Column("plan", "Plan"),
    Column("outturn", "Actual or forecast"),
    Column("variance", "Variance"),
    Column("tolerance", "Tolerance"),
    Column("rag", "Status", RAG),
    Column("comment", "Comment"),
)
PRODUCT_COLUMNS = (
    Column("identifier", "Work package"),
    Column("title", "Title"),
    Column("status", "Status"),
    Column("percent", "% complete", INT),
)


@dataclass(frozen=True)
class PerformanceRow:
    aspect: str
    plan: str
    outturn: str
    variance: str
    tolerance: str
    rag: str | None
    comment: str


@dataclass(frozen=True)
class EndStageReportContent:
    """Everything the report prints, gathered by ``tracker.services.end_stage``."""

    identifier: str
    status: str
    project_key: str
    project_name: str
    organisation: str
    stage: str
    author: str
    drafted_on: date
    issued_on: date | None
    manager_report: str
    business_case_review: str
    objectives_review: str
    team_performance: str
    products_review: str
    lessons: str
    issues_and_risks: str
    forecast: str
    performance: tuple[PerformanceRow, ...]
    products: tuple[tuple[str, str, str, int], ...]
    next_stage: str
    next_stage_plan: tuple[tuple[str, str], ...]
    decision: str = ""


def end_stage_report_document(content: EndStageReportContent) -> Document:
    document = Document(
        title=f"End Stage Report {content.identifier}",
        subtitle=f"{content.stage} stage",
        header=(
            ("Project", content.project_key),
            ("Report", content.identifier),
            ("Status", content.status),
        ),
    )
    if content.status == "draft":
        document.add(
            Note(
                "Draft, drafted from the tracker's data: the project manager finishes every "
                "section marked [To complete] and then issues it to the project board.",
                tone="warning",
            )
        )
    document.add(
        Facts(
            (
                ("Project", f"{content.project_key} · {content.project_name}"),
                ("Organisation", content.organisation or "—"),
                ("Stage", content.stage),
                (
                    "Next stage",
                    content.next_stage or "none: this is the last stage before the final",
                ),
                ("Author", content.author or "—"),
                ("Drafted", format_date(content.drafted_on)),
                ("Issued", format_date(content.issued_on) or "not yet issued"),
            )
        ),
        Heading("Project manager's report"),
        Paragraph(content.manager_report or NOT_RECORDED),
        Heading("Review of the business case"),
        Paragraph(content.business_case_review or NOT_RECORDED),
        Heading("Review of the objectives"),
        Paragraph(content.objectives_review or NOT_RECORDED),
        Heading("Review of the stage objectives: performance against plan and tolerances"),
        TableBlock(
            PERFORMANCE_COLUMNS,
            tuple(
                (r.aspect, r.plan, r.outturn, r.variance, r.tolerance, r.rag, r.comment)
                for r in content.performance
            ),
            empty="No plan or tolerances recorded for the stage.",
        ),
        Heading("Review of team performance"),
        Paragraph(content.team_performance or NOT_RECORDED),
        Heading("Review of products"),
        TableBlock(PRODUCT_COLUMNS, content.products, empty="No work packages in this stage."),
        Paragraph(content.products_review or NOT_RECORDED),
        Heading("Lessons"),
        Paragraph(content.lessons or NOT_RECORDED),
        Heading("Issues and risks"),
        Paragraph(content.issues_and_risks or NOT_RECORDED),
        Heading("Forecast"),
        Paragraph(content.forecast or NOT_RECORDED),
    )
    if content.next_stage_plan:
        document.add(Heading(f"Next stage plan: {content.next_stage}", level=3))
        document.add(Facts(content.next_stage_plan))
    if content.decision:
        document.add(Heading("Authorisation to proceed"), Paragraph(content.decision))
    document.add(Note(f"Tolerance rule. {RULE}"))
    return document
