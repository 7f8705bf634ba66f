"""The lessons log and the daily log through their services: one validation path, filters and
sorting checked against SQL, edits with versions, and history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tracker.domain.validation import ValidationError
from tracker.errors import Conflict
from tracker.services.daily_log import (
    DailyLogFilter,
    add_entry,
    change_entry,
    daily_log_rows,
    daily_log_view,
    entry_history,
)
from tracker.services.lessons import (
    LessonFilter,
    add_lesson,
    change_lesson,
    lesson_detail_by_id,
    lesson_history,
    lesson_rows,
    lesson_view,
)
from tracker.services.registers import RegisterSort

TODAY = date(2012, 3, 1)


def sql(db, query: str):
    with db.engine.connect() as conn:
        return conn.execute(text(query)).all()


def lessons(db):
    return sql(
        db,
        "SELECT l.identifier, l.lesson_type, l.title, l.priority, l.date_logged, "
        "l.action_taken, l.event, l.causes, p.name AS logged_by FROM lesson l "
        "JOIN project j ON j.id = l.project_id LEFT JOIN person p ON p.id = l.logged_by_id "
        "WHERE j.key = 'ICS' ORDER BY l.number",
    )


def entries(db):
    return sql(
        db,
        "SELECT e.id, e.entry_date, e.entry_type, e.description, e.result, e.target_date "
        "FROM daily_log_entry e JOIN project j ON j.id = e.project_id WHERE j.key = 'ICS' "
        "ORDER BY e.id",
    )


def lesson_ids(db, ids):
    return [r.identifier for r in lesson_rows(db, "ICS", ids)]


# --------------------------------------------------------------------------- lessons


def test_logging_a_lesson_names_its_risk_and_takes_the_next_identifier(demo_db):
    saved = add_lesson(
        demo_db,
        "ICS",
        {
            "type": "both",
            "title": "Rehearse the cutover with the supplier",
            "event": "The dry run found two missing steps",
            "risk": "r-013",
            "logged by": "Helen Marsh",
            "priority": "High",
        },
        today=TODAY,
    )
    assert saved.identifier == "L-006"
    detail = lesson_detail_by_id(demo_db, "ICS", saved.lesson_id)
    assert (detail.risk, detail.previously_identified_as_risk) == ("R-013", True)
    assert (detail.priority, detail.date_logged) == ("4 High", TODAY)
    assert detail.risk_title.startswith("Final trial load fails")


def test_a_bad_lesson_names_every_field_and_writes_nothing(demo_db):
    before = len(lessons(demo_db))
    with pytest.raises(ValidationError) as refused:
        add_lesson(
            demo_db,
            "ICS",
            {
                "type": "personal",
                "title": " ",
                "risk": "R-099",
                "priority": "7",
                "date logged": "2012",
                "logged by": "A Stranger",
                "previously identified as risk": "perhaps",
            },
            today=TODAY,
        )
    assert {e.field for e in refused.value.errors} == {
        "type",
        "title",
        "risk",
        "priority",
        "date logged",
        "logged by",
        "previously identified as risk",
    }
    assert refused.value.for_field("risk") == "'R-099' is not a risk in this project's register"
    assert len(lessons(demo_db)) == before
    with pytest.raises(ValidationError, match="is not a field of the lessons log"):
        add_lesson(demo_db, "ICS", {"title": "x", "colour": "red"}, today=TODAY)


def test_lesson_filters_and_sorts_agree_with_sql(demo_db):
    rows = lessons(demo_db)
    assert lesson_ids(demo_db, lesson_view(demo_db, "ICS").ids) == [r.identifier for r in rows]
    both = lesson_view(demo_db, "ICS", LessonFilter(lesson_type="both"))
    assert lesson_ids(demo_db, both.ids) == [r.identifier for r in rows if r.lesson_type == "both"]
    pending = lesson_view(demo_db, "ICS", LessonFilter(status="open"))
    assert lesson_ids(demo_db, pending.ids) == [r.identifier for r in rows if not r.action_taken]
    words = lesson_view(demo_db, "ICS", LessonFilter(text="trial LOAD"))
    assert lesson_ids(demo_db, words.ids) == [
        r.identifier
        for r in rows
        if all(
            w in f"{r.identifier} {r.title} {r.event} {r.causes}".lower() for w in ("trial", "load")
        )
    ]
    by_priority = lesson_view(demo_db, "ICS", sort=RegisterSort("priority", True))
    expected = sorted(rows, key=lambda r: -(r.priority or 0))  # stable: ties by identifier
    assert lesson_ids(demo_db, by_priority.ids) == [r.identifier for r in expected]


def test_editing_a_lesson_is_versioned_and_in_its_history(demo_db):
    change_lesson(
        demo_db,
        "ICS",
        "L-005",
        {"action taken": "Added to the tender template"},
        opened_version=1,
        today=TODAY,
        actor="helen",
    )
    with pytest.raises(Conflict, match="was changed by helen"):
        change_lesson(demo_db, "ICS", "L-005", {"priority": "5"}, opened_version=1, today=TODAY)
    lines = lesson_history(demo_db, "ICS", "L-005")
    assert lines[0].action == "logged"
    assert ("helen", "action taken", "", "Added to the tender template") in {
        (h.actor, h.field, h.old, h.new) for h in lines
    }
    assert lesson_view(demo_db, "ICS", LessonFilter(status="open")).ids == []


# --------------------------------------------------------------------------- daily log


def test_the_daily_log_reads_newest_first_and_filters(demo_db):
    rows = entries(demo_db)
    view = daily_log_view(demo_db, "ICS")
    shown = daily_log_rows(demo_db, "ICS", view.ids, TODAY)
    expected = sorted(rows, key=lambda r: str(r.entry_date), reverse=True)  # ties: by id
    assert [r.id for r in shown] == [r.id for r in expected]
    assert view.total == len(rows) == 10
    problems = daily_log_view(demo_db, "ICS", DailyLogFilter(entry_type="problem"))
    assert set(problems.ids) == {r.id for r in rows if r.entry_type == "problem"}
    awaiting = daily_log_view(demo_db, "ICS", DailyLogFilter(status="open"))
    assert set(awaiting.ids) == {r.id for r in rows if not r.result}
    words = daily_log_view(demo_db, "ICS", DailyLogFilter(text="standstill legal"))
    assert [
        r.id
        for r in rows
        if all(w in f"{r.description} {r.result}".lower() for w in ("standstill", "legal"))
    ] == words.ids


def test_an_entry_past_its_target_with_no_result_is_overdue(demo_db):
    saved = add_entry(
        demo_db,
        "ICS",
        {
            "date": "20/02/2012",
            "type": "action",
            "description": "Chase the DfE guidance",
            "person responsible": "Nadia Qureshi",
            "target date": "24/02/2012",
        },
        today=TODAY,
    )
    [row] = daily_log_rows(demo_db, "ICS", [saved.entry_id], TODAY)
    assert row.overdue
    change_entry(
        demo_db,
        "ICS",
        saved.entry_id,
        {"result": "Received 27/02"},
        opened_version=saved.version,
        today=TODAY,
    )
    [row] = daily_log_rows(demo_db, "ICS", [saved.entry_id], TODAY)
    assert not row.overdue and row.result == "Received 27/02"
    changes = {(h.field, h.new) for h in entry_history(demo_db, "ICS", saved.entry_id)}
    assert ("result", "Received 27/02") in changes


def test_a_bad_entry_is_refused_whole(demo_db):
    before = len(entries(demo_db))
    with pytest.raises(ValidationError) as refused:
        add_entry(
            demo_db,
            "ICS",
            {
                "date": "05/03/2012",
                "type": "rumour",
                "description": "",
                "target date": "01/03/2012",
                "person responsible": "Nobody",
            },
            today=TODAY,
        )
    assert {e.field for e in refused.value.errors} == {
        "type",
        "description",
        "target date",
        "person responsible",
    }
    assert len(entries(demo_db)) == before
