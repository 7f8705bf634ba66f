"""Reading the audit trail. The app only ever reads it: rows are written by ``db.audit`` in the
same transaction as each change, and no code path updates or deletes them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import SQLModel, col, select

from db.engine import Database
from db.models import AuditEntry
from tracker.services.projects import project_by_key


@dataclass(frozen=True)
class AuditLine:
    occurred_at: datetime
    actor: str
    table: str
    record: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None


def _labels(session, entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Human names for records: a risk's identifier (R-003), a project's key."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.record_id.isdigit():
            wanted.setdefault(entry.table_name, set()).add(int(entry.record_id))
    labels = {}
    for table_name, ids in wanted.items():
        table = SQLModel.metadata.tables.get(table_name)
        if table is None:
            continue
        label = next((table.c[c] for c in ("identifier", "key") if c in table.c), None)
        if label is None:
            continue
        for row_id, text in session.execute(select(table.c.id, label).where(table.c.id.in_(ids))):
            labels[(table_name, str(row_id))] = text
    return labels


def audit_trail(db: Database, key: str, since: date | None = None) -> list[AuditLine]:
    """Every recorded change to a project's governance data, oldest first."""
    with db.read() as session:
        project = project_by_key(session, key)
        query = (
            select(AuditEntry).where(AuditEntry.project_id == project.id).order_by(AuditEntry.id)
        )
        if since is not None:
            query = query.where(
                col(AuditEntry.occurred_at) >= datetime.combine(since, time.min, tzinfo=UTC)
            )
        entries = session.exec(query).all()
        labels = _labels(session, entries)
        return [
            AuditLine(
                e.occurred_at,
                e.actor,
                e.table_name,
                labels.get((e.table_name, e.record_id), e.record_id),
                e.action,
                e.field,
                e.old_value,
                e.new_value,
            )
            for e in entries
        ]
