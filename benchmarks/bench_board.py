"""The board review screen's load (issue 7): everything the review shows for the next meeting
(the meeting record and quorum, the last meeting's actions, the latest highlight report, the
stage plan and tolerance status, the risks for the board with their movement since the last
issued report, the issue queue and the exception queue) on a generated project with 10,000
risks and 1,000 issues. The floor reads the same open risks with sqlite3 and picks those above
the tolerance line in plain Python."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from benchmarks.harness import Result, time_call

TARGET_SECONDS = 1.0


def _schedule_next_meeting(path) -> object:
    """Add the next board meeting (the generator's are all held) and return its date."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.engine import open_database
    from db.models import BoardMeeting, Project

    db = open_database(str(path))
    with db.write("benchmark") as session:
        project = session.exec(select(Project).where(Project.key == "GEN001")).one()
        last = session.exec(
            select(func.max(BoardMeeting.meeting_date)).where(BoardMeeting.project_id == project.id)
        ).one()
        meeting = BoardMeeting(
            project_id=project.id,
            title="Project board",
            meeting_date=last + timedelta(days=28),
            status="scheduled",
        )
        session.add(meeting)
        session.flush()
        when = meeting.meeting_date
    db.dispose()
    return when


def _floor(path) -> None:
    with sqlite3.connect(path) as conn:
        picked = [
            row
            for row in conn.execute(
                "SELECT identifier, inherent_probability, inherent_impact, residual_probability, "
                "residual_impact, proximity_date FROM risk WHERE status <> 'closed'"
            )
            if (row[3] or row[1]) * (row[4] or row[2]) >= 15
        ]
        assert picked is not None


def run(ctx) -> list[Result]:
    from db.engine import open_database
    from tracker.services.board_review import board_review

    results = []
    sizes = [s for s in ctx.sizes if s <= 10_000] or ctx.sizes[:1]
    for size in sizes:
        issues = max(size // 10, 1)
        path = ctx.copy_of(ctx.database(size, issues), f"board-{size}.db")
        when = _schedule_next_meeting(path)
        db = open_database(str(path))

        def load(db=db, when=when):
            review = board_review(db, "GEN001", today=when)
            assert review.meeting.meeting_date == when and review.plan.stages

        timing = time_call(load, repeat=ctx.repeat, warmup=1)
        floor = time_call(lambda path=path: _floor(path), repeat=ctx.repeat, warmup=1)
        db.dispose()
        results.append(
            Result(
                area="board",
                name="Board review screen load: meeting, quorum, agenda items 1-9",
                size=f"{size} risks, {issues} issues",
                timing=timing,
                floor_name="sqlite3: read the open risks, pick those above the line",
                floor=floor,
                target=f"under {TARGET_SECONDS:.0f} s",
                met=timing.median < TARGET_SECONDS,
            )
        )
    return results
