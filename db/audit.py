"""The audit trail: every insert, update and delete of a governance record, written by the same
flush (so the same transaction) as the change itself.

Sessions made by ``db.engine.Database`` carry the actor in ``session.info["actor"]``. A register's
"history" view is a query over these rows, so history and audit are one mechanism.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from db.clock import utcnow
from db.models import AuditEntry, Project

NOT_AUDITED = {AuditEntry.__tablename__}
IGNORED_FIELDS = {"created_at", "updated_at", "version"}


def default_actor() -> str:
    """The configured user name (``TRACKER_USER``), else the operating-system user."""
    configured = os.environ.get("TRACKER_USER", "").strip()
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        return "unknown"


def audit_value(value: Any) -> str | None:
    """How a column value is written in the audit trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _record_id(obj: Any) -> str:
    mapper = inspect(obj).mapper
    return ":".join(str(v) for v in mapper.primary_key_from_instance(obj))


def _project_id(session: Session, obj: Any, parents: dict | None = None) -> int | None:
    """The project a row belongs to: its own ``project_id``, or its parent's for child rows such
    as a risk's actionees or a meeting's attendance, so a project's audit trail is complete.
    ``parents`` remembers each parent looked up within one flush (a snapshot of ten thousand
    risks has one parent report)."""
    if isinstance(obj, Project):
        return obj.id
    table = obj.__table__
    if "project_id" in table.c:
        return getattr(obj, "project_id", None)
    parents = {} if parents is None else parents
    links = []
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        parent = fk.column.table
        if "project_id" in parent.c and fk.column.name == "id":
            parent_id = inspect(obj).dict.get(fk.parent.name)
            if parent_id is not None:
                links.append((parent, parent_id))
    for parent, parent_id in links:  # a parent already looked up in this flush answers first
        if parents.get((parent.name, parent_id)) is not None:
            return parents[(parent.name, parent_id)]
    for parent, parent_id in links:
        found = (
            session.connection()
            .execute(select(parent.c.project_id).where(parent.c.id == parent_id))
            .scalar()
        )
        parents[(parent.name, parent_id)] = found
        if found is not None:
            return found
    return None


def _snapshot(obj: Any) -> str:
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED_FIELDS:
            continue
        # state.dict, not getattr: reading an expired attribute here would query mid-flush.
        value = audit_value(state.dict.get(attr.key))
        if value not in (None, ""):
            values[attr.key] = value
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _entries(session: Session) -> list[dict[str, Any]]:
    actor = session.info.get("actor") or default_actor()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    parents: dict = {}

    def add(
        obj: Any,
        project_id: int | None,
        action: str,
        field: str | None,
        old: str | None,
        new: str | None,
    ) -> None:
        rows.append(
            {
                "occurred_at": now,
                "actor": actor,
                "project_id": project_id,
                "table_name": obj.__table__.name,
                "record_id": _record_id(obj),
                "action": action,
                "field": field,
                "old_value": old,
                "new_value": new,
            }
        )

    for obj in session.new:
        if obj.__table__.name not in NOT_AUDITED:
            add(obj, _project_id(session, obj, parents), "insert", None, None, _snapshot(obj))
    for obj in session.dirty:
        if obj.__table__.name in NOT_AUDITED or not session.is_modified(obj):
            continue
        state = inspect(obj)
        project_id = _project_id(session, obj, parents)
        for attr in state.mapper.column_attrs:
            if attr.key in IGNORED_FIELDS:
                continue
            history = state.attrs[attr.key].history
            if not history.added and not history.deleted:
                continue
            old = audit_value(history.deleted[0]) if history.deleted else None
            new = audit_value(history.added[0]) if history.added else None
            if old != new:
                add(obj, project_id, "update", attr.key, old, new)
    for obj in session.deleted:
        if obj.__table__.name not in NOT_AUDITED:
            add(obj, _project_id(session, obj, parents), "delete", None, _snapshot(obj), None)
    return rows


def record_changes(session: Session, _flush_context: Any) -> None:
    rows = _entries(session)
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def install(session_class: type[Session]) -> None:
    """Audit every flush made by sessions of ``session_class``."""
    if not event.contains(session_class, "after_flush", record_changes):
        event.listen(session_class, "after_flush", record_changes)
