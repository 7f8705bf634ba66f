"""A record's history, for any register: every recorded change, oldest first, in the register's
own words (field names as the form shows them, people and vocabularies by name, money in pounds,
UK dates). It is read from the audit trail, which nothing in the app can edit or delete, so
history and audit are one mechanism.

A register describes how its rows read with a ``HistoryWords``; rows of other tables that belong
to the record (a risk's actionees, the links between a risk and an issue) are added with
``Related`` readers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from db.models import AuditEntry, Person
from tracker.domain.dates import format_date
from tracker.domain.money import format_money


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: datetime
    actor: str
    action: str  # registered | changed | actionee added | risk linked ...
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryWords:
    """How one table's audit rows read: the word for its creation, the record's label, the
    form's names for fields, and how values are shown."""

    created: str
    label: str
    names: Mapping[str, str] = field(default_factory=dict)  # column -> form field name
    lookups: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # column -> id -> name
    money: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()

    def field_name(self, column: str) -> str:
        if column in self.names:
            return self.names[column]
        return column.removesuffix("_id").removesuffix("_pence").replace("_", " ")

    def shown(self, column: str, value: str | None) -> str:
        if value is None or value == "":
            return ""
        if column in self.lookups:
            return self.lookups[column].get(int(value), value)
        if column in self.money:
            return format_money(int(value))
        if column in self.dates:
            return format_date(date.fromisoformat(value))
        if column in self.flags:
            return "yes" if value == "true" else "no"
        return value


@dataclass(frozen=True)
class Related:
    """Audit rows of another table that belong to the record, matched by ``record_like`` (a
    LIKE pattern on the audit row's record id, e.g. ``"12:%"``) and turned into lines."""

    table: str
    record_like: str
    describe: Callable[[AuditEntry], HistoryLine | None]


def people_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Person.id, Person.name)).all())


def audit_history(
    session: Session,
    table: str,
    record_id: int,
    words: HistoryWords,
    related: Sequence[Related] = (),
) -> list[HistoryLine]:
    """Every audit row of one record (and its related rows), oldest first, as history lines."""
    conditions = [and_(AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))]
    conditions += [
        and_(AuditEntry.table_name == r.table, AuditEntry.record_id.like(r.record_like))
        for r in related
    ]
    entries = list(
        session.execute(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id))
        .scalars()
        .all()
    )
    readers = {r.table: r for r in related}
    lines = []
    for entry in entries:
        if entry.table_name != table:
            line = readers[entry.table_name].describe(entry)
            if line is not None:
                lines.append(line)
        elif entry.action == "insert":
            lines.append(
                HistoryLine(entry.occurred_at, entry.actor, words.created, "", "", words.label)
            )
        elif entry.action == "update" and entry.field:
            lines.append(
                HistoryLine(
                    entry.occurred_at,
                    entry.actor,
                    "changed",
                    words.field_name(entry.field),
                    words.shown(entry.field, entry.old_value),
                    words.shown(entry.field, entry.new_value),
                )
            )
    return lines
