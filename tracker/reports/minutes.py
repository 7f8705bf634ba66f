"""The minutes of a board meeting as a ``Document``: who was there, whether the board was
quorate, what it heard under each agenda item, every decision (typed by board activity, with
what prompted it and any tolerances it set) and every action, and the next meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.dates import format_date
from tracker.exports.table import DATE, TEXT, Column
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock


@dataclass(frozen=True)
class MinutesContent:
    """Everything the minutes print, gathered by ``tracker.services.board_review``."""

    project_key: str
    project_name: str
    title: str
    meeting_date: date
    location: str
    status: str
    chair: str
    quorate: bool
    quorum_reason: str
    present: tuple[tuple[str, str], ...]  # name, role or capacity
    in_attendance: tuple[tuple[str, str], ...]
    apologies: tuple[tuple[str, str], ...]
    agenda: str
    items: tuple[tuple[int, str, str], ...]  # number, title, what the minutes record
    narrative: str  # minutes written as one text (meetings recorded before the review screen)
    decisions: tuple[tuple, ...]  # identifier, activity, decision, rationale, prompted by, set
    actions: tuple[tuple, ...]  # identifier, action, owner, due, status
    next_meeting: date | None


DECISION_COLUMNS = (
    Column("identifier", "Decision"),
    Column("activity", "Board activity"),
    Column("summary", "Decision"),
    Column("rationale", "Rationale"),
    Column("prompted", "Prompted by"),
    Column("tolerances", "Tolerances set"),
)
ACTION_COLUMNS = (
    Column("identifier", "Action"),
    Column("description", "What"),
    Column("owner", "Owner"),
    Column("due", "Due", DATE),
    Column("status", "Status"),
)
PEOPLE_COLUMNS = (Column("name", "Name", TEXT), Column("role", "Role", TEXT))


def minutes_document(content: MinutesContent) -> Document:
    when = format_date(content.meeting_date)
    document = Document(
        title=f"Minutes: {content.title}",
        subtitle=f"{content.project_key} · {content.project_name} · {when}",
        header=(("Project", content.project_key), ("Meeting", when)),
    )
    if content.status != "held":
        document.watermark = "DRAFT"
        document.add(
            Note(
                f"Draft: the meeting is {content.status}; these minutes are final once the "
                "meeting is closed with the date of the next one.",
                tone="warning",
            )
        )
    quorum = ("Yes: " if content.quorate else "No: ") + content.quorum_reason
    document.add(
        Facts(
            (
                ("Project", f"{content.project_key} · {content.project_name}"),
                ("Meeting", content.title),
                ("Date", when),
                ("Location", content.location or "—"),
                ("Chair", content.chair or "—"),
                ("Quorate", quorum),
            )
        ),
        Heading("Present"),
        TableBlock(PEOPLE_COLUMNS, content.present, empty="Not recorded."),
    )
    if content.in_attendance:
        document.add(Heading("In attendance"), TableBlock(PEOPLE_COLUMNS, content.in_attendance))
    document.add(Heading("Apologies"), TableBlock(PEOPLE_COLUMNS, content.apologies, empty="None."))
    if content.agenda:
        document.add(Heading("Agenda"), Paragraph(content.agenda))
    for number, title, notes in content.items:
        document.add(Heading(f"{number}. {title}", level=3), Paragraph(notes))
    if content.narrative:
        document.add(Heading("Minutes"), Paragraph(content.narrative))
    document.add(
        Heading("Decisions"),
        TableBlock(DECISION_COLUMNS, content.decisions, empty="No decisions recorded."),
        Heading("Actions"),
        TableBlock(ACTION_COLUMNS, content.actions, empty="No actions recorded."),
        Heading("Next meeting"),
        Paragraph(format_date(content.next_meeting) or "Not yet set."),
    )
    return document
