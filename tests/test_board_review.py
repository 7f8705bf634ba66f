"""The board review's services on the worked example: the meeting record and quorum, every
board act written through the registers' own services and tied to the meeting, refusals that
write nothing, the decision and action logs, the programme board, and the minutes."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import run_cli
from golden_files import assert_golden
from sqlmodel import select

from db.models import Action, BoardMeeting, Decision, Issue, MeetingAttendance
from tracker.domain.validation import ValidationError
from tracker.errors import Conflict
from tracker.services import board_review as br
from tracker.services.board import decision_log, list_actions
from tracker.services.programme_board import programme_board
from tracker.services.records import EditConflict

MEETING = date(2012, 3, 14)
ON_THE_DAY = date(2012, 3, 14)


def quorate(db, *present: str) -> None:
    br.record_attendance(
        db, "ICS", MEETING, {name: "present" for name in present}, today=ON_THE_DAY
    )


def counts(db) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            len(session.exec(select(Decision)).all()),
            len(session.exec(select(Action)).all()),
            len(session.exec(select(MeetingAttendance)).all()),
        )


def test_the_review_gathers_the_agenda_for_the_march_board(demo_db):
    review = br.board_review(demo_db, "ICS", today=ON_THE_DAY)
    meeting = review.meeting
    assert meeting.meeting_date == MEETING and meeting.status == "scheduled"
    board = [(s.name, s.role) for s in meeting.seats if s.board]
    assert board[0] == ("Chief Finance Officer", "Executive")
    assert ("Richard Ellison", "Deputy Executive") in board
    assert {r for _n, r in board} == {
        "Executive",
        "Deputy Executive",
        "Senior User",
        "Senior Supplier",
    }
    assert not meeting.quorum.quorate  # nobody is recorded yet
    assert review.previous.meeting_date == date(2012, 2, 8)
    assert [a.identifier for a in review.previous.actions if a.status == "open"] == [
        "A-020",
        "A-021",
        "A-023",
    ]
    assert review.highlight.number == 6
    assert [q.identifier for q in review.issues] == ["I-003"]
    reasons = {r.row.identifier: r.reasons for r in review.risks}
    assert "above tolerance" in reasons["R-001"]
    assert all(r for r in reasons.values())
    assert review.proposed_next == date(2012, 4, 11)  # the second Wednesday
    assert review.can_decide


def test_quorum_follows_the_executive_or_a_named_deputy(demo_db):
    quorum = br.record_attendance(
        demo_db,
        "ICS",
        MEETING,
        {
            "Sarah Whitcombe": "present",
            "Clive Jones": "present",
            "Chief Finance Officer": "apologies",
        },
        today=ON_THE_DAY,
    )
    assert not quorum.quorate
    before = counts(demo_db)
    with pytest.raises(Conflict, match="not quorate"):
        br.add_decision(demo_db, "ICS", MEETING, {"summary": "Carry on."}, today=ON_THE_DAY)
    assert counts(demo_db) == before
    quorum = br.record_attendance(
        demo_db, "ICS", MEETING, {"Richard Ellison": "present"}, today=ON_THE_DAY
    )
    assert quorum.quorate and "deputy" in quorum.reason
    assert br.board_review(demo_db, "ICS", today=ON_THE_DAY).meeting.chair == "Richard Ellison"
    quorum = br.record_attendance(
        demo_db, "ICS", MEETING, {"Chief Finance Officer": "present"}, today=ON_THE_DAY
    )
    assert quorum.quorate and quorum.reason == "the Executive is present"
    assert (
        br.board_review(demo_db, "ICS", today=ON_THE_DAY).meeting.chair == "Chief Finance Officer"
    )


def test_nothing_is_recorded_before_the_day(demo_db):
    before = counts(demo_db)
    with pytest.raises(Conflict, match="has not happened yet"):
        quorate_before = br.record_attendance(
            demo_db, "ICS", MEETING, {"Chief Finance Officer": "present"}, today=date(2012, 3, 1)
        )
        assert quorate_before is None
    assert counts(demo_db) == before
    assert not br.remember_item(demo_db, "ICS", MEETING, 3, today=date(2012, 3, 1))


def test_an_issue_decision_goes_to_the_register_and_the_decision_log(demo_db):
    quorate(demo_db, "Chief Finance Officer")
    identifier = br.decide_issue_at_board(
        demo_db,
        "ICS",
        MEETING,
        "I-003",
        {"decision": "approved", "rationale": "Option 3: no delay.", "cost of change": "£24,000"},
        today=ON_THE_DAY,
    )
    with demo_db.read() as session:
        issue = session.exec(select(Issue).where(Issue.identifier == "I-003")).one()
        decision = session.exec(select(Decision).where(Decision.identifier == identifier)).one()
        meeting = session.get(BoardMeeting, decision.meeting_id)
    assert (issue.status, issue.decision, issue.decided_by_authority) == (
        "decided",
        "approved",
        "project board",
    )
    assert issue.decision_date == MEETING and issue.decision_rationale == "Option 3: no delay."
    assert decision.activity == "give ad hoc direction" and decision.issue_id == issue.id
    assert meeting.meeting_date == MEETING
    logged = next(d for d in decision_log(demo_db, "ICS") if d.identifier == identifier)
    assert logged.prompted_by == "I-003" and "14/03/2012" in logged.meeting
    assert br.board_review(demo_db, "ICS", today=ON_THE_DAY).issues == ()


def test_bad_board_input_names_the_field_and_writes_nothing(demo_db):
    quorate(demo_db, "Chief Finance Officer")
    before = counts(demo_db)
    with pytest.raises(ValidationError) as caught:
        br.decide_issue_at_board(
            demo_db,
            "ICS",
            MEETING,
            "I-003",
            {"decision": "maybe", "rationale": ""},
            today=ON_THE_DAY,
        )
    assert {e.field for e in caught.value.errors} == {"decision", "rationale"}
    with pytest.raises(ValidationError) as caught:
        br.add_action(
            demo_db,
            "ICS",
            MEETING,
            {"description": "Go/no-go", "owner": "Nobody Known", "due": "01/03/2012"},
            today=ON_THE_DAY,
        )
    assert {e.field for e in caught.value.errors} == {"owner", "due"}
    with pytest.raises(ValidationError, match="next meeting"):
        br.close_meeting(demo_db, "ICS", MEETING, "01/02/2012", today=ON_THE_DAY)
    assert counts(demo_db) == before


def test_actions_are_marked_done_and_a_stale_mark_is_refused(demo_db):
    review = br.board_review(demo_db, "ICS", today=ON_THE_DAY)
    action = next(a for a in review.previous.actions if a.identifier == "A-021")
    br.mark_action(
        demo_db, "ICS", MEETING, "A-021", "done", today=ON_THE_DAY, opened_version=action.version
    )
    done = next(a for a in list_actions(demo_db, "ICS", ON_THE_DAY) if a.identifier == "A-021")
    assert (done.status, done.completed_on, done.overdue) == ("done", MEETING, False)
    with pytest.raises(EditConflict):
        br.mark_action(
            demo_db,
            "ICS",
            MEETING,
            "A-021",
            "open",
            today=ON_THE_DAY,
            opened_version=action.version,
        )
    late = next(a for a in list_actions(demo_db, "ICS", ON_THE_DAY) if a.identifier == "A-023")
    assert late.overdue  # due 09/03/2012, still open


def test_closing_the_meeting_schedules_the_next(demo_db):
    assert br.close_meeting(demo_db, "ICS", MEETING, "", today=ON_THE_DAY) == date(2012, 4, 11)
    with demo_db.read() as session:
        meetings = {
            m.meeting_date: m
            for m in session.exec(select(BoardMeeting).where(BoardMeeting.project_id.is_not(None)))
        }
    assert meetings[MEETING].status == "held"
    assert meetings[MEETING].next_meeting_date == date(2012, 4, 11)
    assert meetings[date(2012, 4, 11)].status == "scheduled"
    with pytest.raises(Conflict, match="held"):
        br.add_decision(demo_db, "ICS", MEETING, {"summary": "Late."}, today=ON_THE_DAY)
    # An edited date is kept as typed.
    assert br.board_review(demo_db, "ICS", today=ON_THE_DAY).meeting.meeting_date == date(
        2012, 4, 11
    )


def test_notes_are_versioned(demo_db):
    first = br.save_notes(demo_db, "ICS", MEETING, 2, "Noted.", today=ON_THE_DAY)
    br.save_notes(
        demo_db,
        "ICS",
        MEETING,
        2,
        "Noted; go-live readiness.",
        today=ON_THE_DAY,
        opened_version=first,
    )
    with pytest.raises(EditConflict):
        br.save_notes(
            demo_db, "ICS", MEETING, 2, "Overwrite.", today=ON_THE_DAY, opened_version=first
        )
    notes = br.board_review(demo_db, "ICS", today=ON_THE_DAY).meeting.notes
    assert notes[2][0] == "Noted; go-live readiness."


def test_programme_board_puts_the_project_that_needs_it_most_first(demo_db):
    board = programme_board(demo_db, "MIPB", date(2012, 3, 1))
    assert board.board_name.startswith("Modernisation and Improvement Programme Board")
    keys = [p.key for p in board.projects]
    assert set(keys) == {"ICTS", "MYACC"}
    first = board.projects[0]
    assert first.key == "ICTS" and first.rag == "amber" and first.overdue_actions == 0
    assert [p.urgency for p in board.projects] == sorted(p.urgency for p in board.projects)


def run_the_march_board(db) -> None:
    quorate(db, "Chief Finance Officer", "Sarah Whitcombe", "Mark Felton")
    br.record_attendance(
        db, "ICS", MEETING, {"Director of Children's Services": "apologies"}, today=ON_THE_DAY
    )
    br.save_notes(db, "ICS", MEETING, 1, "The minutes of 08/02/2012 were agreed.", today=ON_THE_DAY)
    br.mark_action(db, "ICS", MEETING, "A-021", "done", today=ON_THE_DAY)
    br.note_highlight_report(
        db, "ICS", MEETING, 6, "The board asked for go/no-go criteria.", today=ON_THE_DAY
    )
    br.decide_issue_at_board(
        db,
        "ICS",
        MEETING,
        "I-003",
        {
            "decision": "approved",
            "rationale": "Option 3: every open case complete within two weeks.",
            "cost of change": "£24,000",
        },
        today=ON_THE_DAY,
    )
    br.add_action(
        db,
        "ICS",
        MEETING,
        {
            "description": "Go/no-go criteria for cutover.",
            "owner": "Helen Marsh",
            "due": "30/03/2012",
        },
        today=ON_THE_DAY,
    )
    br.close_meeting(db, "ICS", MEETING, None, today=ON_THE_DAY)


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_minutes_golden(sqlite_demo_db, fmt):
    from tracker.reports.render import render_text_format

    run_the_march_board(sqlite_demo_db)
    document = br.minutes_document(sqlite_demo_db, "ICS", MEETING)
    assert_golden(f"minutes-2012-03-14.{fmt}", render_text_format(document, fmt))
    held = br.minutes_document(sqlite_demo_db, "ICS", "08/02/2012")
    assert_golden(f"minutes-2012-02-08.{fmt}", render_text_format(held, fmt))


def test_board_minutes_command(sqlite_demo_db, tmp_path):
    db = str(sqlite_demo_db.path)
    run_the_march_board(sqlite_demo_db)
    shown = run_cli("--db", db, "board", "minutes", "--project", "ICS", "--format", "md")
    assert shown.returncode == 0, shown.stderr
    assert "# Minutes: ICS project board" in shown.stdout and "14/03/2012" in shown.stdout
    assert "Approved I-003" in shown.stdout
    pdf = tmp_path / "minutes.pdf"
    printed = run_cli(
        "--db",
        db,
        "board",
        "minutes",
        "--project",
        "ICS",
        "--meeting",
        "14/03/2012",
        "--format",
        "pdf",
        "--output",
        str(pdf),
    )
    assert printed.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")
    html = run_cli("--db", db, "board", "minutes", "--project", "ICS", "--format", "html")
    assert html.returncode == 0 and "<html" in html.stdout.lower()
    for args, message in (
        (["--meeting", "31/02/2012"], "meeting"),
        (["--meeting", "01/01/2012"], "no meeting on 01/01/2012"),
    ):
        bad = run_cli("--db", db, "board", "minutes", "--project", "ICS", "--format", "md", *args)
        assert bad.returncode == 1 and message in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    logged = run_cli("--db", db, "board", "decisions", "--project", "ICS", "-f", "csv")
    assert logged.returncode == 0 and "authorise the project" in logged.stdout
    actions = run_cli("--db", db, "board", "actions", "--project", "ICS", "-f", "csv")
    assert actions.returncode == 0 and "Go/no-go criteria" in actions.stdout
