"""The issue register as a table (every field of the PRINCE2 issue register, A.12, and of the
issue report, A.13) for the common exporter, and one issue report as a ``Document`` to print.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import col

from db.models import (
    Issue,
    IssueRiskLink,
    IssueType,
    Person,
    PriorityLevel,
    Project,
    Risk,
    SeverityLevel,
)
from tracker.domain import change_control as cc
from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.exports.table import BOOL, DATE, DATETIME, MONEY, Column, Sheet, Table
from tracker.services.issue_changes import change_budget_of
from tracker.services.issue_register import status_condition
from tracker.services.projects import project_by_key
from tracker.services.registers import Selection

ISSUE_REGISTER_COLUMNS = (
    Column("identifier", "Issue ID"),
    Column("issue_type", "Issue type"),
    Column("title", "Title"),
    Column("description", "Issue description"),
    Column("date_raised", "Date raised", DATE),
    Column("raised_by", "Raised by"),
    Column("author", "Issue report author"),
    Column("owner", "Owner"),
    Column("priority", "Priority"),
    Column("severity", "Severity"),
    Column("decided_by", "To be decided by"),
    Column("status", "Status"),
    Column("issue_report", "Issue report", BOOL),
    Column("impact_time", "Impact on time"),
    Column("impact_cost", "Impact on cost"),
    Column("impact_quality", "Impact on quality"),
    Column("impact_scope", "Impact on scope"),
    Column("impact_benefits", "Impact on benefits"),
    Column("impact_risk", "Impact on risk"),
    Column("cost_of_change", "Cost of change", MONEY),
    Column("uses_change_budget", "Uses the change budget", BOOL),
    Column("options", "Options"),
    Column("recommendation", "Recommendation"),
    Column("decision", "Decision"),
    Column("decision_by", "Decision by"),
    Column("decided_by_authority", "Decided at"),
    Column("escalated_to", "Escalated to"),
    Column("decision_date", "Decision date", DATE),
    Column("decision_rationale", "Decision rationale"),
    Column("closure_date", "Closure date", DATE),
    Column("risks", "Linked risks"),
    Column("notes", "Notes"),
    Column("updated", "Last updated", DATETIME),
)


def _query(project_id: int):
    raiser, author, owner, decider = (aliased(Person) for _ in range(4))
    return (
        select(
            Issue,
            IssueType.name,
            IssueType.uses_change_budget,
            raiser.name,
            author.name,
            owner.name,
            decider.name,
            SeverityLevel.name,
            SeverityLevel.decided_by,
        )
        .join(IssueType, IssueType.id == Issue.issue_type_id)
        .join(
            SeverityLevel,
            (SeverityLevel.project_id == Issue.project_id)
            & (SeverityLevel.level == Issue.severity),
        )
        .outerjoin(raiser, raiser.id == Issue.raised_by_id)
        .outerjoin(author, author.id == Issue.author_id)
        .outerjoin(owner, owner.id == Issue.owner_id)
        .outerjoin(decider, decider.id == Issue.decision_by_id)
        .where(Issue.project_id == project_id)
    )


def _linked_risks(session, project_id: int) -> dict[int, str]:
    rows = session.execute(
        select(IssueRiskLink.issue_id, Risk.identifier, IssueRiskLink.kind)
        .join(Risk, Risk.id == IssueRiskLink.risk_id)
        .where(IssueRiskLink.project_id == project_id)
        .order_by(IssueRiskLink.issue_id, Risk.number)
    ).all()
    found: dict[int, list[str]] = {}
    for issue_id, identifier, kind in rows:
        how = "materialised" if kind == "risk became issue" else "raised"
        found.setdefault(issue_id, []).append(f"{identifier} ({how})")
    return {k: ", ".join(v) for k, v in found.items()}


def issue_register_table(db, key: str, selection: Selection | None = None) -> Table:
    """The issue register of ``key`` as a ``Table`` (open issues by default, in identifier
    order; or the ids given, in their order), with XLSX sheets for the severity scale and the
    change budget."""
    selection = selection or Selection(status="open")
    with db.read() as session:
        project = project_by_key(session, key)
        query = _query(project.id)
        if selection.ids is not None:
            query = query.where(col(Issue.id).in_(list(selection.ids)))
        else:
            condition = status_condition(selection.status)
            if condition is not None:
                query = query.where(condition)
        found = session.execute(query.order_by(Issue.number)).all()
        priorities = _priorities(session, project.id)
        links = _linked_risks(session, project.id)
        sheets = _reference_sheets(session, project)
        title = f"{project.key} issue register"
    if selection.ids is not None:
        by_id = {row[0].id: row for row in found}
        found = [by_id[i] for i in selection.ids if i in by_id]

    def rows() -> Iterator[tuple]:
        for issue, type_name, uses, raised, author, owner, decider, severity, decided in found:
            yield (
                issue.identifier,
                type_name,
                issue.title,
                issue.description,
                issue.date_raised,
                raised,
                author,
                owner,
                f"{issue.priority} {priorities.get(issue.priority, '')}".strip(),
                f"{issue.severity} {severity}",
                cc.required_authority(decided, issue.escalated_to),
                issue.status,
                issue.has_issue_report,
                issue.impact_time,
                issue.impact_cost,
                issue.impact_quality,
                issue.impact_scope,
                issue.impact_benefits,
                issue.impact_risk,
                issue.cost_of_change_pence,
                uses,
                issue.options,
                issue.recommendation,
                issue.decision,
                decider,
                issue.decided_by_authority,
                issue.escalated_to,
                issue.decision_date,
                issue.decision_rationale,
                issue.closure_date,
                links.get(issue.id, ""),
                issue.notes,
                issue.updated_at,
            )

    return Table(title, ISSUE_REGISTER_COLUMNS, rows(), extra_sheets=lambda: sheets)


def _priorities(session, project_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(PriorityLevel.level, PriorityLevel.name).where(
                PriorityLevel.project_id == project_id
            )
        ).all()
    )


def _reference_sheets(session, project: Project) -> list[Sheet]:
    """Who decides at each severity, and the change budget, for the workbook."""
    severity = session.execute(
        select(SeverityLevel.level, SeverityLevel.name, SeverityLevel.decided_by)
        .where(SeverityLevel.project_id == project.id)
        .order_by(SeverityLevel.level)
    ).all()
    rows: list[list] = [["Severity", "Name", "Decided by"]]
    rows += [[level, name, by] for level, name, by in severity]
    budget = change_budget_of(session, project)
    rows += [
        [],
        ["Change budget", format_money(budget.budget_pence) or "not set"],
        ["Drawn by approved changes", format_money(budget.drawn_pence)],
        ["Left", format_money(budget.left_pence) if budget.left_pence is not None else ""],
        [],
        [
            "Anything decided above the project manager goes to the project board's queue "
            "for its next review; an approval that would overspend the change budget needs "
            "the project board."
        ],
    ]
    return [Sheet("Severity and change budget", rows)]


# --------------------------------------------------------------------------- the issue report


def issue_report_document(db, key: str, identifier: str):
    """One issue report (PRINCE2 A.13) as a ``Document``: what the screen shows and what is
    printed are the same."""
    from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
    from tracker.services.issue_register import issue_detail

    d = issue_detail(db, key, identifier)
    with db.read() as session:
        project = project_by_key(session, key)
        project_name = project.name
    doc = Document(
        title=f"Issue report {d.identifier}: {d.title}",
        subtitle=project_name,
        header=(
            ("Project", key.upper()),
            ("Issue", d.identifier),
            ("Status", d.status),
            ("Date raised", format_date(d.date_raised)),
        ),
    )
    doc.add(
        Facts(
            (
                ("Issue identifier", d.identifier),
                ("Issue type", d.issue_type),
                ("Date raised", format_date(d.date_raised)),
                ("Raised by", d.raised_by or "not recorded"),
                ("Issue report author", d.author or "not recorded"),
                ("Owner", d.owner or "not recorded"),
                ("Priority", d.priority),
                ("Severity", d.severity),
                ("Who decides", _deciders(d)),
                ("Status", d.status),
            )
        ),
        Heading("Issue description"),
        Paragraph(d.description or "Not recorded."),
        Heading("Impact analysis"),
        TableBlock(
            (Column("aspect", "Aspect"), Column("impact", "Impact")),
            tuple((aspect, text or "Not assessed.") for aspect, text in d.impacts),
        ),
    )
    cost = [("Cost of change", format_money(d.cost_pence) or "not estimated")]
    if d.uses_budget:
        cost.append(("Change budget", _budget_line(d)))
    doc.add(Facts(tuple(cost)))
    doc.add(
        Heading("Options"),
        Paragraph(d.options or "None recorded."),
        Heading("Recommendation"),
        Paragraph(d.recommendation or "None recorded."),
        Heading("Decision"),
    )
    if d.decision:
        doc.add(
            Facts(
                (
                    ("Decision", d.decision),
                    ("Decision by", d.decision_by or "not recorded"),
                    ("Decided at", d.decided_by_authority),
                    *((("Escalated to", d.escalated_to),) if d.escalated_to else ()),
                    ("Decision date", format_date(d.decision_date)),
                    ("Rationale", d.decision_rationale or "not recorded"),
                    ("Closure date", format_date(d.closure_date) or "open"),
                )
            )
        )
    else:
        doc.add(Paragraph(f"Not yet decided: for the {d.required} to decide."))
    if d.for_the_board:
        doc.add(
            Note(
                "Above the project manager's authority: in the board's queue for its next "
                f"review, for the {d.required} to decide."
            )
        )
    if d.links:
        doc.add(
            Heading("Risks"),
            Paragraph("\n".join(f"- {link.on_issue()}: {link.title}" for link in d.links)),
        )
    if d.notes:
        doc.add(Heading("Notes"), Paragraph(d.notes))
    return doc


def _deciders(d) -> str:
    if d.escalated_to and d.required == d.escalated_to:
        return f"the {d.required} (escalated)"
    return f"the {d.required} (severity {d.severity})"


def _budget_line(d) -> str:
    budget = d.budget
    if budget.budget_pence is None:
        return "no change budget set"
    line = f"{format_money(budget.left_pence)} left of {format_money(budget.budget_pence)}"
    if d.decision != cc.APPROVED and d.cost_pence:
        after = budget.left_pence - d.cost_pence
        line += (
            f"; approving this change would leave {format_money(after)}"
            if after >= 0
            else f"; approving this change would overspend it by {format_money(-after)}"
        )
    return line
