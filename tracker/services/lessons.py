"""The lessons log (PRINCE2 A.14): what happened, its effect, its causes and early warning
signs, and what to do next time; whether it was foreseen as a risk; when, by whom, how
important, and what action was taken (a lesson is not learned until something is done).

``parse_lesson`` is the one validation path for the form, the command line and the worked
example.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from db.models import LESSON_TYPES, Lesson, Person, PriorityLevel, Project, Risk
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.validation import (
    Problems,
    choice,
    optional_text,
    refuse_unknown_fields,
    required_text,
)
from tracker.errors import NotFound
from tracker.exports.table import BOOL, DATE, Column, Table
from tracker.services.configuration import Vocabulary, load_vocabulary
from tracker.services.fields import PeopleResolver, parse_level
from tracker.services.history import HistoryLine
from tracker.services.issues import _flag
from tracker.services.projects import project_by_key
from tracker.services.records import (
    apply_edit,
    changed_fields,
    refuse_if_moved_on,
    run_edit,
    run_write,
)
from tracker.services.registers import IdView, RegisterSort, Selection, ordered, words_match

LESSON_FIELDS = (
    "type",
    "title",
    "event",
    "effect",
    "causes",
    "early warning indicators",
    "recommendations",
    "previously identified as risk",
    "risk",
    "date logged",
    "logged by",
    "priority",
    "action taken",
)
STATUS_FILTERS = ("all", "open", "closed")  # open: no action taken yet
SORT_KEYS = ("identifier", "type", "title", "priority", "date_logged", "logged_by", "risk")


@dataclass(frozen=True)
class LessonInput:
    lesson_type: str
    title: str
    event: str
    effect: str
    causes: str
    early_warning_indicators: str
    recommendations: str
    previously_identified_as_risk: bool
    risk_id: int | None
    date_logged: date
    logged_by_id: int | None
    priority: int | None
    action_taken: str


def project_risks(session: Session, project_id: int) -> dict[str, int]:
    return dict(
        session.execute(select(Risk.identifier, Risk.id).where(Risk.project_id == project_id)).all()
    )


def parse_lesson(
    raw: Mapping[str, object],
    vocabulary: Vocabulary,
    people: PeopleResolver,
    *,
    risks: Mapping[str, int],
    today: date,
    row: int | None = None,
) -> LessonInput:
    """Validate one lesson given as raw values keyed by the names in ``LESSON_FIELDS``.
    ``risks`` maps the project's risk identifiers to ids: a lesson that was foreseen names the
    risk, and so is marked as previously identified."""
    problems = Problems(row)

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    lesson_type = problems.take("type", choice, get("type") or "project", LESSON_TYPES)
    title = problems.take("title", required_text, get("title"), max_length=200)
    risk_id = None
    risk = str(get("risk") or "").strip().upper()
    if risk:
        risk_id = risks.get(risk)
        if risk_id is None:
            problems.add("risk", f"{risk!r} is not a risk in this project's register")
    foreseen = problems.take(
        "previously identified as risk", _flag, get("previously identified as risk")
    )
    logged = problems.take("date logged", parse_optional_date, get("date logged")) or today
    lesson = LessonInput(
        lesson_type=lesson_type,
        title=title,
        event=optional_text(get("event")),
        effect=optional_text(get("effect")),
        causes=optional_text(get("causes")),
        early_warning_indicators=optional_text(get("early warning indicators")),
        recommendations=optional_text(get("recommendations")),
        previously_identified_as_risk=bool(foreseen) or risk_id is not None,
        risk_id=risk_id,
        date_logged=logged,
        logged_by_id=problems.take("logged by", people.resolve, get("logged by")),
        priority=problems.take(
            "priority", parse_level, get("priority"), vocabulary.priority, required=False
        ),
        action_taken=optional_text(get("action taken")),
    )
    problems.check()
    return lesson


def create_lesson(
    session: Session, project: Project, data: LessonInput, *, number: int | None = None
) -> Lesson:
    """Log a new lesson with the next identifier (``L-001``...)."""
    from tracker.services.risks import next_number

    number = number or next_number(session, Lesson, project.id)
    lesson = Lesson(
        project_id=project.id, number=number, identifier=f"L-{number:03d}", **data.__dict__
    )
    session.add(lesson)
    session.flush()
    return lesson


def find_lesson(session: Session, project: Project, identifier: str) -> Lesson:
    lesson = (
        session.execute(
            select(Lesson).where(
                Lesson.project_id == project.id, Lesson.identifier == identifier.upper()
            )
        )
        .scalars()
        .first()
    )
    if lesson is None:
        raise NotFound(f"{project.key} has no lesson {identifier.upper()}")
    return lesson


def lesson_raw_values(session: Session, lesson: Lesson) -> dict[str, str]:
    def person(person_id: int | None) -> str:
        found = session.get(Person, person_id) if person_id else None
        return found.name if found else ""

    risk = session.get(Risk, lesson.risk_id) if lesson.risk_id else None
    values = {
        "type": lesson.lesson_type,
        "title": lesson.title,
        "event": lesson.event,
        "effect": lesson.effect,
        "causes": lesson.causes,
        "early warning indicators": lesson.early_warning_indicators,
        "recommendations": lesson.recommendations,
        "previously identified as risk": "yes" if lesson.previously_identified_as_risk else "no",
        "risk": risk.identifier if risk else "",
        "date logged": format_date(lesson.date_logged),
        "logged by": person(lesson.logged_by_id),
        "priority": "" if lesson.priority is None else str(lesson.priority),
        "action taken": lesson.action_taken,
    }
    assert set(values) == set(LESSON_FIELDS)
    return values


@dataclass(frozen=True)
class SavedLesson:
    identifier: str
    version: int
    changed: tuple[str, ...]
    lesson_id: int | None = None


def add_lesson(
    db, key: str, raw: Mapping[str, object], *, today: date, actor: str | None = None
) -> SavedLesson:
    """Log a lesson from raw field values; it takes the next identifier."""
    refuse_unknown_fields(raw, LESSON_FIELDS, "lessons log")

    def work(session: Session) -> SavedLesson:
        project = project_by_key(session, key)
        data = parse_lesson(
            raw,
            load_vocabulary(session, project.id),
            PeopleResolver(session, project.id),
            risks=project_risks(session, project.id),
            today=today,
        )
        lesson = create_lesson(session, project, data)
        return SavedLesson(lesson.identifier, lesson.version, tuple(LESSON_FIELDS), lesson.id)

    return run_write(db, work, actor=actor)


def change_lesson(
    db,
    key: str,
    identifier: str,
    changes: Mapping[str, object],
    *,
    opened_version: int | None,
    today: date,
    opened: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> SavedLesson:
    """Apply raw field ``changes`` to a lesson, validated as a whole, unless someone saved it
    after ``opened_version``."""
    refuse_unknown_fields(changes, LESSON_FIELDS, "lessons log")

    def work(session: Session) -> SavedLesson:
        project = project_by_key(session, key)
        lesson = find_lesson(session, project, identifier)
        label = f"{project.key} {lesson.identifier}"
        current = lesson_raw_values(session, lesson)
        refuse_if_moved_on(
            session, lesson, label, opened_version, changes, current=current, opened=opened
        )
        data = parse_lesson(
            current | dict(changes),
            load_vocabulary(session, project.id),
            PeopleResolver(session, project.id),
            risks=project_risks(session, project.id),
            today=today,
        )
        fields = changed_fields(lesson, data)
        apply_edit(session, lesson, lesson.version, fields, label=label)
        return SavedLesson(lesson.identifier, lesson.version, tuple(fields), lesson.id)

    return run_edit(db, work, opened_version=opened_version, actor=actor)


@dataclass(frozen=True)
class LessonFormChoices:
    types: tuple[str, ...]
    priority: tuple[tuple[int, str], ...]
    people: tuple[str, ...]
    risks: tuple[tuple[str, str], ...]  # (identifier, "R-003 OJEU procurement ...")


def lesson_form_choices(db, key: str) -> LessonFormChoices:
    from tracker.services.people import project_people_names

    with db.read() as session:
        project = project_by_key(session, key)
        vocabulary = load_vocabulary(session, project.id)
        risks = session.execute(
            select(Risk.identifier, Risk.title)
            .where(Risk.project_id == project.id)
            .order_by(Risk.number)
        ).all()
        return LessonFormChoices(
            types=LESSON_TYPES,
            priority=tuple((lv, v.label) for lv, v in vocabulary.priority.items()),
            people=project_people_names(session, project.id),
            risks=tuple((r, f"{r} {t}") for r, t in risks),
        )


def lesson_for_editing(db, key: str, identifier: str) -> tuple[dict[str, str], int]:
    with db.read() as session:
        project = project_by_key(session, key)
        lesson = find_lesson(session, project, identifier)
        return lesson_raw_values(session, lesson), lesson.version


# --------------------------------------------------------------------------- the log as read


@dataclass(frozen=True)
class LessonFilter:
    """``text`` matches every word against the identifier, title, event, effect, causes,
    recommendations and who logged it; ``status`` open means no action taken yet."""

    text: str = ""
    lesson_type: str | None = None
    status: str = "all"


def _status_condition(status: str):
    if status not in STATUS_FILTERS:
        raise ValueError(f"--status: {status!r} is not one of: {', '.join(STATUS_FILTERS)}")
    if status == "open":
        return func.length(func.trim(Lesson.action_taken)) == 0
    if status == "closed":
        return func.length(func.trim(Lesson.action_taken)) > 0
    return None


def lesson_view(
    db, key: str, flt: LessonFilter = LessonFilter(), sort: RegisterSort | None = None
) -> IdView:
    sort = sort or RegisterSort()
    logger = aliased(Person)
    with db.read() as session:
        project = project_by_key(session, key)
        query = (
            select(Lesson.id)
            .outerjoin(logger, logger.id == Lesson.logged_by_id)
            .outerjoin(Risk, Risk.id == Lesson.risk_id)
            .where(Lesson.project_id == project.id)
        )
        condition = _status_condition(flt.status)
        if condition is not None:
            query = query.where(condition)
        if flt.lesson_type:
            query = query.where(Lesson.lesson_type == flt.lesson_type)
        words = words_match(
            flt.text,
            [
                Lesson.identifier,
                Lesson.title,
                Lesson.event,
                Lesson.effect,
                Lesson.causes,
                Lesson.recommendations,
                logger.name,
            ],
        )
        if words is not None:
            query = query.where(words)
        keys = {
            "identifier": Lesson.number,
            "type": Lesson.lesson_type,
            "title": func.lower(Lesson.title),
            "priority": Lesson.priority,
            "date_logged": Lesson.date_logged,
            "logged_by": func.lower(logger.name),
            "risk": Risk.number,
        }
        ids = list(session.execute(ordered(query, sort, keys, Lesson.number)).scalars())
        total = session.execute(
            select(func.count()).select_from(Lesson).where(Lesson.project_id == project.id)
        ).scalar_one()
    return IdView(ids, total)


@dataclass(frozen=True)
class LessonRow:
    id: int
    identifier: str
    lesson_type: str
    title: str
    priority: str
    date_logged: date
    logged_by: str
    risk: str
    actioned: bool
    updated_at: datetime
    version: int


def _query(project_id: int):
    logger = aliased(Person)
    return (
        select(Lesson, logger.name, Risk.identifier, PriorityLevel.name)
        .outerjoin(logger, logger.id == Lesson.logged_by_id)
        .outerjoin(Risk, Risk.id == Lesson.risk_id)
        .outerjoin(
            PriorityLevel,
            (PriorityLevel.project_id == Lesson.project_id)
            & (PriorityLevel.level == Lesson.priority),
        )
        .where(Lesson.project_id == project_id)
    )


def lesson_rows(db, key: str, ids: Sequence[int]) -> list[LessonRow]:
    if not ids:
        return []
    with db.read() as session:
        project = project_by_key(session, key)
        found = {
            lesson.id: LessonRow(
                id=lesson.id,
                identifier=lesson.identifier,
                lesson_type=lesson.lesson_type,
                title=lesson.title,
                priority=f"{lesson.priority} {priority}" if lesson.priority else "",
                date_logged=lesson.date_logged,
                logged_by=logger or "",
                risk=risk or "",
                actioned=bool(lesson.action_taken.strip()),
                updated_at=lesson.updated_at,
                version=lesson.version,
            )
            for lesson, logger, risk, priority in session.execute(
                _query(project.id).where(col(Lesson.id).in_(list(ids)))
            )
        }
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class LessonDetail:
    identifier: str
    title: str
    lesson_type: str
    event: str
    effect: str
    causes: str
    early_warning_indicators: str
    recommendations: str
    previously_identified_as_risk: bool
    risk: str
    risk_title: str
    date_logged: date
    logged_by: str
    priority: str
    action_taken: str
    version: int


def lesson_detail_by_id(db, key: str, lesson_id: int) -> LessonDetail | None:
    with db.read() as session:
        project = project_by_key(session, key)
        row = session.execute(_query(project.id).where(Lesson.id == lesson_id)).first()
        if row is None:
            return None
        lesson, logger, risk, priority = row
        risk_title = session.get(Risk, lesson.risk_id).title if lesson.risk_id else ""
        return LessonDetail(
            identifier=lesson.identifier,
            title=lesson.title,
            lesson_type=lesson.lesson_type,
            event=lesson.event,
            effect=lesson.effect,
            causes=lesson.causes,
            early_warning_indicators=lesson.early_warning_indicators,
            recommendations=lesson.recommendations,
            previously_identified_as_risk=lesson.previously_identified_as_risk,
            risk=risk or "",
            risk_title=risk_title,
            date_logged=lesson.date_logged,
            logged_by=logger or "",
            priority=f"{lesson.priority} {priority}" if lesson.priority else "",
            action_taken=lesson.action_taken,
            version=lesson.version,
        )


LESSONS_LOG_COLUMNS = (
    Column("identifier", "Lesson ID"),
    Column("lesson_type", "Lesson type"),
    Column("title", "Title"),
    Column("event", "Event"),
    Column("effect", "Effect"),
    Column("causes", "Causes or trigger"),
    Column("early_warning_indicators", "Early warning indicators"),
    Column("recommendations", "Recommendations"),
    Column("previously_identified_as_risk", "Previously identified as a risk", BOOL),
    Column("risk", "Risk"),
    Column("date_logged", "Date logged", DATE),
    Column("logged_by", "Logged by"),
    Column("priority", "Priority"),
    Column("action_taken", "Action taken"),
)


def lessons_log_table(db, key: str, selection: Selection | None = None) -> Table:
    """The lessons log of ``key`` as a ``Table`` for the common exporter (every lesson by
    default, in identifier order; or the ids given, in their order)."""
    selection = selection or Selection()
    with db.read() as session:
        project = project_by_key(session, key)
        query = _query(project.id)
        if selection.ids is not None:
            query = query.where(col(Lesson.id).in_(list(selection.ids)))
        else:
            condition = _status_condition(selection.status)
            if condition is not None:
                query = query.where(condition)
        found = session.execute(query.order_by(Lesson.number)).all()
        title = f"{project.key} lessons log"
    if selection.ids is not None:
        by_id = {row[0].id: row for row in found}
        found = [by_id[i] for i in selection.ids if i in by_id]

    def rows() -> Iterator[tuple]:
        for lesson, logger, risk, priority in found:
            yield (
                lesson.identifier,
                lesson.lesson_type,
                lesson.title,
                lesson.event,
                lesson.effect,
                lesson.causes,
                lesson.early_warning_indicators,
                lesson.recommendations,
                lesson.previously_identified_as_risk,
                risk,
                lesson.date_logged,
                logger,
                f"{lesson.priority} {priority}" if lesson.priority else "",
                lesson.action_taken,
            )

    return Table(title, LESSONS_LOG_COLUMNS, rows())


def lesson_history(db, key: str, identifier: str) -> list[HistoryLine]:
    from tracker.services.history import HistoryWords, audit_history, people_names

    with db.read() as session:
        project = project_by_key(session, key)
        lesson = find_lesson(session, project, identifier)
        people = people_names(session)
        risks = {v: k for k, v in project_risks(session, project.id).items()}
        words = HistoryWords(
            created="logged",
            label=lesson.identifier,
            names={"lesson_type": "type"},
            lookups={"logged_by_id": people, "risk_id": risks},
            dates=frozenset({"date_logged"}),
            flags=frozenset({"previously_identified_as_risk"}),
        )
        return audit_history(session, "lesson", lesson.id, words)
