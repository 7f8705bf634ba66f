"""The daily log (PRINCE2 A.7): the project manager's diary of informal problems, actions,
events and comments, each with the person responsible, a target date and the result.

Entries have no register identifier (the log is a diary, read by date); the screens and the
exports refer to them by date and internal id. ``parse_daily_log_entry`` is the one validation
path for the form and the worked example.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from db.models import DAILY_LOG_TYPES, DailyLogEntry, Person, Project
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.validation import Problems, choice, optional_text, refuse_unknown_fields
from tracker.errors import NotFound
from tracker.exports.table import DATE, Column, Table
from tracker.services.fields import PeopleResolver
from tracker.services.history import HistoryLine
from tracker.services.projects import project_by_key
from tracker.services.records import (
    apply_edit,
    changed_fields,
    refuse_if_moved_on,
    run_edit,
    run_write,
)
from tracker.services.registers import IdView, RegisterSort, Selection, ordered, words_match

DAILY_LOG_FIELDS = ("date", "type", "description", "person responsible", "target date", "result")
STATUS_FILTERS = ("all", "open", "closed")  # open: no result recorded yet
SORT_KEYS = ("date", "type", "description", "person", "target_date", "result")


@dataclass(frozen=True)
class DailyLogInput:
    entry_date: date
    entry_type: str
    description: str
    person_responsible_id: int | None
    target_date: date | None
    result: str


def parse_daily_log_entry(
    raw: Mapping[str, object],
    people: PeopleResolver,
    *,
    today: date,
    row: int | None = None,
) -> DailyLogInput:
    """Validate one entry given as raw values keyed by the names in ``DAILY_LOG_FIELDS``."""
    problems = Problems(row)

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    when = problems.take("date", parse_optional_date, get("date")) or today
    kind = problems.take("type", choice, get("type") or "comment", DAILY_LOG_TYPES)
    description = optional_text(get("description"))
    if not description:
        problems.add("description", "is required")
    target = problems.take("target date", parse_optional_date, get("target date"))
    if target is not None and target < when:
        problems.add("target date", f"{format_date(target)} is before the entry's date")
    entry = DailyLogInput(
        entry_date=when,
        entry_type=kind,
        description=description,
        person_responsible_id=problems.take(
            "person responsible", people.resolve, get("person responsible")
        ),
        target_date=target,
        result=optional_text(get("result")),
    )
    problems.check()
    return entry


def create_entry(session: Session, project: Project, data: DailyLogInput) -> DailyLogEntry:
    entry = DailyLogEntry(project_id=project.id, **data.__dict__)
    session.add(entry)
    session.flush()
    return entry


def find_entry(session: Session, project: Project, entry_id: int) -> DailyLogEntry:
    entry = session.get(DailyLogEntry, entry_id)
    if entry is None or entry.project_id != project.id:
        raise NotFound(f"{project.key} has no daily log entry {entry_id}")
    return entry


def entry_raw_values(session: Session, entry: DailyLogEntry) -> dict[str, str]:
    person = (
        session.get(Person, entry.person_responsible_id) if entry.person_responsible_id else None
    )
    values = {
        "date": format_date(entry.entry_date),
        "type": entry.entry_type,
        "description": entry.description,
        "person responsible": person.name if person else "",
        "target date": format_date(entry.target_date) if entry.target_date else "",
        "result": entry.result,
    }
    assert set(values) == set(DAILY_LOG_FIELDS)
    return values


@dataclass(frozen=True)
class SavedEntry:
    identifier: str  # "the entry of 02/09/2011"
    version: int
    changed: tuple[str, ...]
    entry_id: int | None = None


def _label(entry: DailyLogEntry) -> str:
    return f"daily log entry of {format_date(entry.entry_date)}"


def add_entry(
    db, key: str, raw: Mapping[str, object], *, today: date, actor: str | None = None
) -> SavedEntry:
    """Write a new entry in the project manager's daily log."""
    refuse_unknown_fields(raw, DAILY_LOG_FIELDS, "daily log")

    def work(session: Session) -> SavedEntry:
        project = project_by_key(session, key)
        data = parse_daily_log_entry(raw, PeopleResolver(session, project.id), today=today)
        entry = create_entry(session, project, data)
        return SavedEntry(_label(entry), entry.version, tuple(DAILY_LOG_FIELDS), entry.id)

    return run_write(db, work, actor=actor)


def change_entry(
    db,
    key: str,
    entry_id: int,
    changes: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
    opened: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> SavedEntry:
    """Apply raw field ``changes`` to an entry (typically its result), validated as a whole,
    unless someone saved it after ``opened_version``."""
    refuse_unknown_fields(changes, DAILY_LOG_FIELDS, "daily log")

    def work(session: Session) -> SavedEntry:
        project = project_by_key(session, key)
        entry = find_entry(session, project, entry_id)
        label = f"{project.key} {_label(entry)}"
        current = entry_raw_values(session, entry)
        refuse_if_moved_on(
            session, entry, label, opened_version, changes, current=current, opened=opened
        )
        data = parse_daily_log_entry(
            current | dict(changes), PeopleResolver(session, project.id), today=today
        )
        fields = changed_fields(entry, data)
        apply_edit(session, entry, entry.version, fields, label=label)
        return SavedEntry(_label(entry), entry.version, tuple(fields), entry.id)

    return run_edit(db, work, opened_version=opened_version, actor=actor)


@dataclass(frozen=True)
class DailyLogFormChoices:
    types: tuple[str, ...]
    people: tuple[str, ...]


def daily_log_form_choices(db, key: str) -> DailyLogFormChoices:
    from tracker.services.people import project_people_names

    with db.read() as session:
        project = project_by_key(session, key)
        return DailyLogFormChoices(DAILY_LOG_TYPES, project_people_names(session, project.id))


def entry_for_editing(db, key: str, entry_id: int) -> tuple[dict[str, str], int]:
    with db.read() as session:
        project = project_by_key(session, key)
        entry = find_entry(session, project, entry_id)
        return entry_raw_values(session, entry), entry.version


# --------------------------------------------------------------------------- the log as read


@dataclass(frozen=True)
class DailyLogFilter:
    """``text`` matches every word against the description, the result and the person;
    ``status`` open means no result recorded yet."""

    text: str = ""
    entry_type: str | None = None
    status: str = "all"


def _status_condition(status: str):
    if status not in STATUS_FILTERS:
        raise ValueError(f"--status: {status!r} is not one of: {', '.join(STATUS_FILTERS)}")
    if status == "open":
        return func.length(func.trim(DailyLogEntry.result)) == 0
    if status == "closed":
        return func.length(func.trim(DailyLogEntry.result)) > 0
    return None


def daily_log_view(
    db, key: str, flt: DailyLogFilter = DailyLogFilter(), sort: RegisterSort | None = None
) -> IdView:
    """The ids of the entries that pass ``flt`` (default: newest first)."""
    sort = sort or RegisterSort("date", True)
    person = aliased(Person)
    with db.read() as session:
        project = project_by_key(session, key)
        query = (
            select(DailyLogEntry.id)
            .outerjoin(person, person.id == DailyLogEntry.person_responsible_id)
            .where(DailyLogEntry.project_id == project.id)
        )
        condition = _status_condition(flt.status)
        if condition is not None:
            query = query.where(condition)
        if flt.entry_type:
            query = query.where(DailyLogEntry.entry_type == flt.entry_type)
        words = words_match(
            flt.text, [DailyLogEntry.description, DailyLogEntry.result, person.name]
        )
        if words is not None:
            query = query.where(words)
        keys = {
            "date": DailyLogEntry.entry_date,
            "type": DailyLogEntry.entry_type,
            "description": func.lower(DailyLogEntry.description),
            "person": func.lower(person.name),
            "target_date": DailyLogEntry.target_date,
            "result": func.lower(DailyLogEntry.result),
        }
        ids = list(session.execute(ordered(query, sort, keys, DailyLogEntry.id)).scalars())
        total = session.execute(
            select(func.count())
            .select_from(DailyLogEntry)
            .where(DailyLogEntry.project_id == project.id)
        ).scalar_one()
    return IdView(ids, total)


@dataclass(frozen=True)
class DailyLogRow:
    id: int
    entry_date: date
    entry_type: str
    description: str
    person: str
    target_date: date | None
    result: str
    overdue: bool  # past its target date with no result
    updated_at: datetime
    version: int


def _query(project_id: int):
    person = aliased(Person)
    return (
        select(DailyLogEntry, person.name)
        .outerjoin(person, person.id == DailyLogEntry.person_responsible_id)
        .where(DailyLogEntry.project_id == project_id)
    )


def daily_log_rows(db, key: str, ids: Sequence[int], today: date) -> list[DailyLogRow]:
    if not ids:
        return []
    with db.read() as session:
        project = project_by_key(session, key)
        found = {
            entry.id: DailyLogRow(
                id=entry.id,
                entry_date=entry.entry_date,
                entry_type=entry.entry_type,
                description=entry.description,
                person=person or "",
                target_date=entry.target_date,
                result=entry.result,
                overdue=bool(
                    entry.target_date and entry.target_date < today and not entry.result.strip()
                ),
                updated_at=entry.updated_at,
                version=entry.version,
            )
            for entry, person in session.execute(
                _query(project.id).where(col(DailyLogEntry.id).in_(list(ids)))
            )
        }
    return [found[i] for i in ids if i in found]


DAILY_LOG_COLUMNS = (
    Column("date", "Date", DATE),
    Column("type", "Problem, action, event or comment"),
    Column("description", "Description"),
    Column("person", "Person responsible"),
    Column("target_date", "Target date", DATE),
    Column("result", "Result"),
)


def daily_log_table(db, key: str, selection: Selection | None = None) -> Table:
    """The daily log of ``key`` as a ``Table`` (every entry by default, oldest first; or the
    ids given, in their order)."""
    selection = selection or Selection()
    with db.read() as session:
        project = project_by_key(session, key)
        query = _query(project.id)
        if selection.ids is not None:
            query = query.where(col(DailyLogEntry.id).in_(list(selection.ids)))
        else:
            condition = _status_condition(selection.status)
            if condition is not None:
                query = query.where(condition)
        found = session.execute(query.order_by(DailyLogEntry.entry_date, DailyLogEntry.id)).all()
        title = f"{project.key} daily log"
    if selection.ids is not None:
        by_id = {row[0].id: row for row in found}
        found = [by_id[i] for i in selection.ids if i in by_id]

    def rows() -> Iterator[tuple]:
        for entry, person in found:
            yield (
                entry.entry_date,
                entry.entry_type,
                entry.description,
                person,
                entry.target_date,
                entry.result,
            )

    return Table(title, DAILY_LOG_COLUMNS, rows())


def entry_history(db, key: str, entry_id: int) -> list[HistoryLine]:
    from tracker.services.history import HistoryWords, audit_history, people_names

    with db.read() as session:
        project = project_by_key(session, key)
        entry = find_entry(session, project, entry_id)
        words = HistoryWords(
            created="written",
            label=f"entry of {format_date(entry.entry_date)}",
            names={"entry_type": "type", "entry_date": "date"},
            lookups={"person_responsible_id": people_names(session)},
            dates=frozenset({"entry_date", "target_date"}),
        )
        return audit_history(session, "daily_log_entry", entry.id, words)
