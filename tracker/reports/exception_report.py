"""The Exception Report (PRINCE2 A.10) as a ``Document``: exception title, which tolerance and by
how much, cause, consequences, options, recommendation and lessons, with the board's decision and
the exception plan once approved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.dates import format_date
from tracker.domain.tolerance import RULE
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph

NOT_RECORDED = "Not recorded."


@dataclass(frozen=True)
class ExceptionReportContent:
    """Everything the report prints, gathered by ``tracker.services.exceptions``."""

    identifier: str
    title: str
    status: str
    project_key: str
    project_name: str
    organisation: str
    level: str  # "stage" or "project"
    stage: str  # the stage's name, or "" for a project exception
    escalate_to: str
    author: str
    drafted_on: date
    issued_on: date | None
    issue: str  # "I-001 Contract award two weeks late ...", or ""
    deviation: str
    cause: str
    consequences: str
    options: str
    recommendation: str
    lessons: str
    decision: str = ""  # "D-010 on 14/09/2011: Approved the exception plan ..."
    exception_plan: tuple[tuple[str, str], ...] = ()  # facts: the plan and the original baseline


def exception_report_document(content: ExceptionReportContent) -> Document:
    where = f"{content.stage} stage" if content.stage else "Project"
    header = (
        ("Project", content.project_key),
        ("Report", content.identifier),
        ("Status", content.status),
    )
    facts = [
        ("Project", f"{content.project_key} · {content.project_name}"),
        ("Organisation", content.organisation or "—"),
        ("Tolerance", f"{where} ({content.level} tolerance)"),
        ("Reported to", content.escalate_to),
        ("Author", content.author or "—"),
        ("Drafted", format_date(content.drafted_on)),
        ("Issued", format_date(content.issued_on) or "not yet issued"),
    ]
    if content.issue:
        facts.append(("Issue", content.issue))
    document = Document(
        title=f"Exception Report {content.identifier}",
        subtitle=content.title,
        header=header,
    )
    if content.status == "draft":
        document.add(
            Note(
                "Draft, drafted from the tracker's data: the project manager finishes every "
                "section marked [To complete] and then issues it to "
                f"{content.escalate_to}.",
                tone="warning",
            )
        )
    document.add(
        Facts(tuple(facts)),
        Heading("Exception title"),
        Paragraph(content.title),
        Heading("Which tolerance, and by how much"),
        Paragraph(content.deviation or NOT_RECORDED),
        Heading("Cause of the exception"),
        Paragraph(content.cause or NOT_RECORDED),
        Heading("Consequences of the deviation"),
        Paragraph(content.consequences or NOT_RECORDED),
        Heading("Options"),
        Paragraph(content.options or NOT_RECORDED),
        Heading("Recommendation"),
        Paragraph(content.recommendation or NOT_RECORDED),
        Heading("Lessons"),
        Paragraph(content.lessons or NOT_RECORDED),
    )
    if content.decision:
        document.add(Heading("Decision"), Paragraph(content.decision))
    if content.exception_plan:
        document.add(Heading("Exception plan"), Facts(content.exception_plan))
    document.add(Note(f"Tolerance rule. {RULE}"))
    return document
