"""Saving edits to governance records without losing anyone else's.

Every editable record carries a ``version`` (see ``db.models.Timestamped``). An edit says which
version it was made on; if the record has moved on since, the save is refused with an
``EditConflict`` that lists, field by field, what you opened, what you want and what is there
now, so the person can re-apply their change on top of the newer record or drop it.

``run_write`` is the one place transient refusals (PostgreSQL serialisation failures and
deadlocks, SQLite's busy database after its timeout) are retried: a unit of work is repeated
from the start in a fresh transaction, never half-applied.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from db.models import AuditEntry
from tracker.errors import Conflict

T = TypeVar("T")

RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


@dataclass(frozen=True)
class FieldDifference:
    """One field of a conflicting edit."""

    field: str
    opened: Any  # what you saw when you opened the record
    yours: Any  # what you tried to save
    theirs: Any  # what the record holds now

    @property
    def you_changed(self) -> bool:
        return self.yours != self.opened

    @property
    def they_changed(self) -> bool:
        return self.theirs != self.opened

    @property
    def clashes(self) -> bool:
        return self.you_changed and self.they_changed and self.yours != self.theirs


class EditConflict(Conflict):
    """The record was saved by someone else after you opened it; nothing of yours was saved."""

    def __init__(
        self,
        label: str,
        opened_version: int,
        current_version: int,
        changed_by: str | None,
        changed_at: datetime | None,
        differences: list[FieldDifference],
    ) -> None:
        self.label = label
        self.opened_version = opened_version
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.differences = differences
        who = f" by {changed_by}" if changed_by else ""
        clashes = [d.field for d in differences if d.clashes]
        clash_text = f"; both changed: {', '.join(clashes)}" if clashes else ""
        super().__init__(
            f"{label} was changed{who} after you opened it (now version {current_version}, "
            f"you had version {opened_version}){clash_text}; nothing was saved"
        )

    def reapplied(self) -> dict[str, Any]:
        """Your changes laid over the current record: the fields you changed, nothing else."""
        return {d.field: d.yours for d in self.differences if d.you_changed}


def last_change(session: Session, table: str, record_id: int) -> tuple[str | None, datetime | None]:
    """Who last changed a record and when, from the audit trail."""
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (entry.actor, entry.occurred_at) if entry else (None, None)


def apply_edit(
    session: Session,
    record: Any,
    opened_version: int | None,
    changes: Mapping[str, Any],
    *,
    label: str,
    opened: Mapping[str, Any] | None = None,
) -> None:
    """Set ``changes`` on ``record`` inside the caller's transaction, provided nobody has saved
    it since ``opened_version`` (None: the caller read it in this same transaction). ``opened``
    holds the values the editor started from, so a conflict can show what each side changed."""
    current = record.version
    if opened_version is not None and opened_version != current:
        raise _conflict(session, record, label, opened_version, changes, opened)
    for name, value in changes.items():
        setattr(record, name, value)
    try:
        session.flush()
    except StaleDataError:
        # Someone committed between our read and our UPDATE (PostgreSQL, read committed).
        session.rollback()
        raise _conflict_after_race(session, record, label, current, changes, opened) from None


def _conflict(session, record, label, opened_version, changes, opened) -> EditConflict:
    current = {name: getattr(record, name) for name in set(changes) | set(opened or {})}
    return conflict_between(
        session, record, label, opened_version, changes, current=current, opened=opened
    )


def conflict_between(
    session: Session,
    record: Any,
    label: str,
    opened_version: int,
    changes: Mapping[str, Any],
    *,
    current: Mapping[str, Any],
    opened: Mapping[str, Any] | None = None,
) -> EditConflict:
    """The conflict between an edit made on ``opened_version`` and the record as it is now, in
    whatever terms the caller edits in (model fields, or the form's raw values)."""
    opened = opened or {}
    by, at = last_change(session, record.__tablename__, record.id)
    differences = [
        FieldDifference(name, opened.get(name, value), value, current.get(name))
        for name, value in changes.items()
    ]
    differences += [
        FieldDifference(name, value, value, current.get(name))
        for name, value in opened.items()
        if name not in changes and current.get(name) != value
    ]
    return EditConflict(label, opened_version, record.version, by, at, differences)


def refuse_if_moved_on(
    session: Session,
    record: Any,
    label: str,
    opened_version: int | None,
    changes: Mapping[str, Any],
    *,
    current: Mapping[str, Any],
    opened: Mapping[str, Any] | None = None,
) -> None:
    """Refuse an edit made on ``opened_version`` of a record someone has saved since, with the
    conflict in the form's terms (``current`` and ``opened`` are raw field values)."""
    if opened_version is not None and record.version != opened_version:
        raise conflict_between(
            session, record, label, opened_version, changes, current=current, opened=opened
        )


def changed_fields(record: Any, data: Any, *, leaving: tuple[str, ...] = ()) -> dict[str, Any]:
    """The model fields of a parsed input (a dataclass) that differ from ``record``."""
    return {
        name: value
        for name, value in data.__dict__.items()
        if name not in leaving and getattr(record, name) != value
    }


def run_edit(
    db, work: Callable[[Session], T], *, opened_version: int | None, actor: str | None
) -> T:
    """``run_write`` for an edit made on ``opened_version``. If someone commits between our read
    and our write, the work runs once more so that the refusal is worded in the form's terms."""
    try:
        return run_write(db, work, actor=actor)
    except EditConflict:
        if opened_version is None:
            raise
        return run_write(db, work, actor=actor)


def _conflict_after_race(session, record, label, seen, changes, opened) -> EditConflict:
    fresh = session.get(type(record), record.id, populate_existing=True)
    return _conflict(session, fresh, label, seen, changes, opened)


def is_transient(exc: BaseException) -> bool:
    """A refusal that goes away if the unit of work is simply run again."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def run_write(
    db, work: Callable[[Session], T], *, actor: str | None = None, attempts: int = 6
) -> T:
    """Run ``work(session)`` in one write transaction, retrying transient refusals with a short
    random back-off. Anything else (validation, conflicts, bugs) propagates at once."""
    for attempt in range(1, attempts + 1):
        try:
            with db.write(actor) as session:
                return work(session)
        except DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
