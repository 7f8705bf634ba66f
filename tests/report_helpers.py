"""Helpers shared by the highlight report tests: a complete narrative, finding a section's
tables in a Document, and reading the database with plain SQL (the independent side of every
"the report equals the register" check)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tracker.domain.highlight import ASPECTS, LEVELS
from tracker.reports.document import Document, Heading, TableBlock

TODAY = date(2012, 3, 1)  # TRACKER_TODAY in the tests

SUMMARY = (
    "User acceptance testing started on 20/02/2012. **Time and cost are at risk** but within "
    "the stage tolerances.\n\n- Training started 27/02/2012\n- I-003 needs a decision"
)


def complete(raw: dict[str, str], **changes: str) -> dict[str, str]:
    """The draft's raw values with every section written and every row commented."""
    values = dict(raw)
    values["status summary"] = SUMMARY
    values["work completed"] = "- UAT started\n- Training plan issued"
    values["work planned"] = "- Final trial load w/c 12/03\n- Go/no-go criteria to the board"
    values["corrective actions"] = "- Cutover moved to the Easter weekend"
    for level in LEVELS:
        for aspect in ASPECTS:
            values[f"{level} {aspect} comment"] = f"Comment on the {level} {aspect} rating."
    values.update(changes)
    return values


def section(document: Document, heading: str) -> list:
    """The blocks under the heading whose text starts with ``heading``, up to the next heading
    of the same or a higher level."""
    blocks = document.blocks
    for i, block in enumerate(blocks):
        if isinstance(block, Heading) and block.text.startswith(heading):
            found = []
            for later in blocks[i + 1 :]:
                if isinstance(later, Heading) and later.level <= block.level:
                    break
                found.append(later)
            return found
    raise AssertionError(f"no heading {heading!r} in {document.title}")


def tables(document: Document, heading: str) -> list[TableBlock]:
    return [b for b in section(document, heading) if isinstance(b, TableBlock)]


def column(table: TableBlock, title: str) -> list:
    index = [c.title for c in table.columns].index(title)
    return [row[index] for row in table.rows]


def sql(db, query: str, **params) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(query), params)]


def project_id(db, key: str = "ICS") -> int:
    return sql(db, "SELECT id FROM project WHERE key = :key", key=key)[0][0]
