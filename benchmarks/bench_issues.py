"""The issue register at scale: one filter keystroke's answer (words, status, the board's queue)
from the database, a screenful of rows, and exporting every issue, against the same query in
plain ``sqlite3``.

A council project's issue register holds hundreds of issues, not the risk log's hundred
thousand, so the screen asks the database for every view instead of keeping an index; these
figures show how far that holds.
"""

from __future__ import annotations

import io
import sqlite3

from benchmarks.harness import Result, time_call

SIZES = (500, 5000)


def run(ctx) -> list[Result]:
    results: list[Result] = []
    for size in (200,) if ctx.quick else SIZES:
        results += _measure(ctx, size)
    return results


def _measure(ctx, size: int) -> list[Result]:
    from db.engine import open_database
    from tracker.exports.table import write_text
    from tracker.services.issue_log import issue_register_table
    from tracker.services.issue_register import IssueFilter, issue_rows, issue_view
    from tracker.services.registers import Selection

    results = []
    path = ctx.database(200, size)
    db = open_database(str(path))
    words = IssueFilter(text="migration report", status="open")
    view = issue_view(db, "GEN001", words)
    raw = sqlite3.connect(path)

    columns = ("i.identifier", "i.title", "i.description", "r.name", "o.name")
    matches = " AND ".join(
        "(" + " OR ".join(f"lower(coalesce({c}, '')) LIKE '%{w}%'" for c in columns) + ")"
        for w in ("migration", "report")
    )
    query = (
        "SELECT i.id FROM issue i JOIN project p ON p.id = i.project_id "
        "LEFT JOIN person r ON r.id = i.raised_by_id LEFT JOIN person o ON o.id = i.owner_id "
        f"WHERE p.key = 'GEN001' AND i.status <> 'closed' AND {matches} ORDER BY i.number"
    )
    assert [i for (i,) in raw.execute(query)] == view.ids  # the same answer

    def floor() -> None:
        raw.execute(query).fetchall()

    floor_timing = time_call(floor, repeat=ctx.repeat, warmup=1)
    timing = time_call(lambda: issue_view(db, "GEN001", words), repeat=ctx.repeat, warmup=1)
    results.append(
        Result(
            "issues",
            "filter keystroke: words and status",
            f"{size} issues ({view.count} match)",
            timing,
            "the same query in sqlite3",
            floor_timing,
            target="under 100 ms",
            met=timing.median < 0.1,
        )
    )
    board = time_call(
        lambda: issue_view(db, "GEN001", IssueFilter(awaiting="board")), repeat=ctx.repeat
    )
    results.append(
        Result(
            "issues",
            "the board's queue",
            f"{size} issues",
            board,
            target="under 100 ms",
            met=board.median < 0.1,
        )
    )
    everything = issue_view(db, "GEN001", IssueFilter(status="all")).ids
    rows = time_call(lambda: issue_rows(db, "GEN001", everything[:100]), repeat=ctx.repeat)
    results.append(
        Result(
            "issues",
            "a screenful of rows (100)",
            f"{size} issues",
            rows,
            target="under 50 ms",
            met=rows.median < 0.05,
        )
    )

    def export() -> None:
        table = issue_register_table(db, "GEN001", Selection(status="all"))
        write_text(table, "csv", io.StringIO())

    exported = time_call(export, repeat=ctx.repeat)
    results.append(
        Result(
            "issues",
            "export every issue as CSV",
            f"{size} issues",
            exported,
            target="under 2 s",
            met=exported.median < 2,
        )
    )
    raw.close()
    db.dispose()
    return results
