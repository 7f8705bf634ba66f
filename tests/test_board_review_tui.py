"""The board review driven with Pilot: a whole review of the March 2012 board on the worked
example (attendance, an action marked done, the highlight report noted, I-003 decided, an action
and a decision under any other business, the meeting closed with an edited next date), checked
in the database; refusals in one line; help and palette; snapshots of the review and the
programme board."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from test_tui_shell import make_app, plain, settled, wait_for_rows
from textual.widgets import DataTable, Input, Select, Static, TextArea

from db.models import Action, BoardMeeting, Decision, Issue
from tracker.ui.screens.board_forms import BoardDialog
from tracker.ui.screens.board_review import BoardReviewScreen
from tracker.ui.screens.programme_board import ProgrammeBoardScreen

SIZE = (160, 48)
MEETING = date(2012, 3, 14)


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(600):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError(f"never happened: {what}")


async def open_review(pilot) -> BoardReviewScreen:
    await wait_for_rows(pilot, "#portfolio", 2)
    pilot.app.open_project("ICS")
    await pilot.pause(0.1)
    await pilot.press("v")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, BoardReviewScreen) and pilot.app.screen.review,
        "the board review",
    )
    return pilot.app.screen


def loads(screen: BoardReviewScreen):
    return screen.review


async def reloaded(pilot, screen: BoardReviewScreen, condition, what: str) -> None:
    await wait_for(pilot, lambda: screen.review is not None and condition(screen.review), what)


async def in_form(pilot, values: dict[str, str]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BoardDialog), "a board dialog")
    form = pilot.app.screen
    await wait_for(pilot, lambda: form.choices is not None, "the dialog to load")
    for name, text in values.items():
        widget = form.query_one(f"#f-{name.replace(' ', '-')}")
        if isinstance(widget, Select):
            widget.value = text
        elif isinstance(widget, TextArea):
            widget.text = text
        else:
            assert isinstance(widget, Input)
            widget.focus()
            widget.value = ""
            await pilot.press(*text)
    await pilot.press("f2")


async def test_a_whole_board_review(demo_db, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "14/03/2012")
    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert "Item 1 of 9" in plain(screen.query_one("#review-progress", Static))
        assert "Not quorate" in plain(screen.query_one("#review-quorum", Static))

        # Attendance: the Executive is first on the board; t marks them present.
        await pilot.press("b", "t")
        await reloaded(pilot, screen, lambda r: r.meeting.quorum.quorate, "quorate")
        assert "Chair: Chief Finance Officer" in plain(screen.query_one("#review-quorum", Static))

        # 1. The last meeting's actions: A-021 (the I-003 issue report) is done.
        await pilot.press("n", "p")
        table = screen.query_one("#review-table", DataTable)
        row = next(i for i, k in enumerate(screen.row_keys) if k and k[1].identifier == "A-021")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await reloaded(
            pilot,
            screen,
            lambda r: any(
                a.identifier == "A-021" and a.status == "done" for a in r.previous.actions
            ),
            "A-021 done",
        )

        # 2. The highlight report is noted, with a direction.
        await pilot.press("n", "enter")
        await in_form(pilot, {"direction": "Go/no-go criteria to the April board."})
        await reloaded(pilot, screen, lambda r: r.highlight.noted_by, "report noted")

        # 5. I-003 decided by the board.
        await pilot.press("n", "n", "n")
        assert "Item 5 of 9" in plain(screen.query_one("#review-progress", Static))
        await pilot.press("enter")
        await in_form(
            pilot,
            {"decision": "approved", "rationale": "Option 3: no delay to go-live."},
        )
        await reloaded(pilot, screen, lambda r: r.issues == (), "the issue queue empty")

        # 8. Any other business: an action and a decision.
        await pilot.press("n", "n", "n", "a")
        await in_form(
            pilot,
            {
                "description": "Go/no-go criteria for cutover.",
                "owner": "Helen Marsh",
                "due": "30/03/2012",
            },
        )
        await reloaded(pilot, screen, lambda r: len(r.meeting.actions) == 1, "the action")
        await pilot.press("d")
        await in_form(pilot, {"summary": "Cutover on the Easter weekend confirmed."})
        await reloaded(pilot, screen, lambda r: len(r.meeting.decisions) == 3, "the decision")

        # Minutes under item 8.
        await pilot.press("e")
        await in_form(pilot, {"notes": "Cutover plan discussed."})
        await reloaded(pilot, screen, lambda r: 8 in r.meeting.notes, "the minutes")

        # 9. The next meeting: the default is the second Wednesday, edited to the 18th.
        await pilot.press("n")
        assert "11/04/2012" in str(screen.query_one("#review-table", DataTable).get_row_at(0)[0])
        await pilot.press("enter")
        await in_form(pilot, {"next meeting": "18/04/2012"})
        await reloaded(
            pilot,
            screen,
            lambda r: (
                r.meeting.status == "held" and r.meeting.next_meeting_date == date(2012, 4, 18)
            ),
            "the meeting closed",
        )

    with demo_db.read() as session:
        march = session.exec(
            select(BoardMeeting).where(
                BoardMeeting.meeting_date == MEETING, BoardMeeting.project_id.is_not(None)
            )
        ).one()
        assert (march.status, march.next_meeting_date, march.review_item) == (
            "held",
            date(2012, 4, 18),
            9,
        )
        april = session.exec(
            select(BoardMeeting).where(BoardMeeting.meeting_date == date(2012, 4, 18))
        ).one()
        assert april.status == "scheduled"
        decisions = session.exec(
            select(Decision).where(Decision.meeting_id == march.id).order_by(Decision.number)
        ).all()
        assert [d.activity for d in decisions] == ["give ad hoc direction"] * 3
        assert decisions[0].highlight_report_id is not None
        issue = session.exec(select(Issue).where(Issue.identifier == "I-003")).one()
        assert decisions[1].issue_id == issue.id
        assert (issue.status, issue.decision, issue.decided_by_authority) == (
            "decided",
            "approved",
            "project board",
        )
        assert issue.decision_date == MEETING
        assert issue.cost_of_change_pence == 2_400_000  # the dialog offered the report's cost
        actions = {a.identifier: a for a in session.exec(select(Action))}
        assert (actions["A-021"].status, actions["A-021"].completed_on) == ("done", MEETING)
        new = actions["A-024"]
        assert (new.meeting_id, new.due_date, new.status) == (march.id, date(2012, 3, 30), "open")


async def test_before_the_day_the_review_is_for_reading(demo_db):
    app = make_app(demo_db.url)  # today is 01/03/2012
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert "nothing is recorded before the day" in plain(
            screen.query_one("#review-progress", Static)
        )
        await pilot.press("b", "t")
        await wait_for(
            pilot,
            lambda: any("has not happened yet" in str(n.message) for n in app._notifications),
            "the refusal",
        )
        await pilot.press("n")  # moving on writes nothing either
        await pilot.pause(0.3)
    with demo_db.read() as session:
        march = session.exec(
            select(BoardMeeting).where(
                BoardMeeting.meeting_date == MEETING, BoardMeeting.project_id.is_not(None)
            )
        ).one()
        assert march.review_item == 0


async def test_help_and_palette_list_the_review_keys(demo_db):
    from tracker.ui.screens.help import HelpScreen

    app = make_app(demo_db.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        commands = {c.title for c in app.get_system_commands(screen)}
        assert {"Next item", "Previous item", "Decision", "Action", "Minutes"} <= commands
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = plain(app.screen.query_one("#help-keys", Static))
        assert "Next item" in text and "Act on row" in text


def test_board_review_snapshot(sqlite_demo_db, snap_compare, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "14/03/2012")

    async def to_issues(pilot):
        await open_review(pilot)
        await pilot.press("n", "n", "n", "n")
        await settled(pilot)

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=to_issues)


def test_programme_board_snapshot(sqlite_demo_db, snap_compare):
    async def to_programme(pilot):
        await wait_for_rows(pilot, "#portfolio", 2)
        table = pilot.app.screen.query_one("#portfolio", DataTable)
        keys = [table.get_row_at(i)[0] for i in range(table.row_count)]
        table.move_cursor(row=keys.index("ICTS"))
        await pilot.press("g")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ProgrammeBoardScreen), "programme board"
        )
        await wait_for_rows(pilot, "#programme-table", 2)
        await settled(pilot)

    assert snap_compare(make_app(sqlite_demo_db.url), terminal_size=SIZE, run_before=to_programme)
