"""The database itself refuses what PRINCE2 and the tracker's rules forbid, whatever code writes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from db.models import (
    IssueType,
    Person,
    Project,
    Risk,
    RiskActionee,
    RiskResponseType,
    RoleAssignment,
    Stage,
)
from tracker.domain.profiles import PRINCE2_7, PRINCE2_2017
from tracker.services.projects import ProjectInput, create_project


@pytest.fixture
def project(db):
    with db.write() as session:
        created = create_project(session, ProjectInput(key="ICS", name="ICS replacement"))
        owner = Person(name="Helen Marsh", organisation="Council")
        session.add(owner)
        session.flush()
        return created.id, owner.id


def _risk(project_id: int, owner_id: int | None, **overrides) -> Risk:
    values = dict(
        project_id=project_id,
        number=1,
        identifier="R-001",
        title="Ofsted re-inspection",
        date_registered=date(2011, 7, 12),
        inherent_probability=3,
        inherent_impact=5,
        owner_id=owner_id,
    )
    values.update(overrides)
    return Risk(**values)


def _refused(db, *rows) -> str:
    with pytest.raises(IntegrityError) as caught, db.write() as session:
        session.add_all(rows)
        session.flush()
    return str(caught.value.orig)


def test_a_valid_risk_is_stored_with_its_score(db, project):
    project_id, owner_id = project
    with db.write() as session:
        session.add(_risk(project_id, owner_id, residual_probability=2, residual_impact=4))
    with db.read() as session:
        risk = session.exec(select(Risk)).one()
        assert (risk.inherent_score, risk.residual_score) == (15, 8)


@pytest.mark.parametrize(
    "overrides",
    [
        {"inherent_probability": 6},  # the 2017 profile's probability scale stops at 5
        {"inherent_impact": 0},
        {"residual_probability": 9, "residual_impact": 2},
    ],
)
def test_probability_and_impact_must_be_on_the_project_scale(db, project, overrides):
    project_id, owner_id = project
    _refused(db, _risk(project_id, owner_id, **overrides))


def test_identifiers_are_unique_within_a_project(db, project):
    project_id, owner_id = project
    with db.write() as session:
        session.add(_risk(project_id, owner_id))
    message = _refused(db, _risk(project_id, owner_id, number=2)).lower()
    assert "unique" in message and "identifier" in message


def test_the_same_identifier_may_exist_in_another_project(db, project):
    project_id, owner_id = project
    with db.write() as session:
        other = create_project(session, ProjectInput(key="CFA", name="CFA ICT programme"))
        session.add(_risk(project_id, owner_id))
        session.add(_risk(other.id, owner_id))
    with db.read() as session:
        assert len(session.exec(select(Risk)).all()) == 2


def test_orphan_rows_are_refused(db, project):
    project_id, owner_id = project
    _refused(db, _risk(999, owner_id))
    _refused(db, _risk(project_id, 999))
    _refused(db, Stage(project_id=999, sequence=1, name="Initiation"))
    _refused(db, RiskActionee(risk_id=999, person_id=owner_id))


def test_a_response_category_must_fit_the_kind_of_risk(db, project):
    project_id, owner_id = project
    with db.read() as session:
        exploit = session.exec(
            select(RiskResponseType).where(
                RiskResponseType.project_id == project_id, RiskResponseType.name == "exploit"
            )
        ).one()
        reduce = session.exec(
            select(RiskResponseType).where(
                RiskResponseType.project_id == project_id, RiskResponseType.name == "reduce"
            )
        ).one()
    _refused(db, _risk(project_id, owner_id, kind="threat", response_category_id=exploit.id))
    _refused(db, _risk(project_id, owner_id, kind="opportunity", response_category_id=reduce.id))
    with db.write() as session:
        session.add(
            _risk(project_id, owner_id, kind="opportunity", response_category_id=exploit.id)
        )


def test_a_category_from_another_project_is_refused(db, project):
    project_id, owner_id = project
    with db.write() as session:
        other = create_project(session, ProjectInput(key="CFA", name="CFA ICT programme"))
        foreign = session.exec(select(IssueType).where(IssueType.project_id == other.id)).first()
        assert foreign is not None
    from db.models import RiskCategory

    with db.read() as session:
        category = session.exec(
            select(RiskCategory).where(RiskCategory.project_id != project_id)
        ).first()
    _refused(db, _risk(project_id, owner_id, category_id=category.id))


def test_an_active_risk_needs_exactly_one_owner(db, project):
    project_id, _ = project
    assert "owner_required" in _refused(db, _risk(project_id, None))
    with db.write() as session:
        session.add(_risk(project_id, None, status="draft"))


def test_a_closed_risk_needs_a_closure_date(db, project):
    project_id, owner_id = project
    _refused(db, _risk(project_id, owner_id, status="closed"))


def test_a_project_has_only_one_executive_at_a_time(db, project):
    project_id, owner_id = project
    with db.write() as session:
        second = Person(name="Chief Finance Officer")
        session.add(second)
        session.flush()
        session.add(RoleAssignment(project_id=project_id, person_id=owner_id, role="executive"))
        second_id = second.id
    _refused(db, RoleAssignment(project_id=project_id, person_id=second_id, role="executive"))
    with db.write() as session:  # a named deputy is allowed
        principal = session.exec(
            select(RoleAssignment).where(RoleAssignment.role == "executive")
        ).one()
        session.add(
            RoleAssignment(
                project_id=project_id,
                person_id=second_id,
                role="executive",
                deputy_for_id=principal.id,
            )
        )


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Project, {"key": "ics", "name": "lower-case key"}),
        (Project, {"key": "X", "name": "key too short"}),
        (Project, {"key": "BAD", "name": "Bad status", "status": "finished"}),
        (Project, {"key": "NEG", "name": "Negative budget", "budget_pence": -1}),
        (RoleAssignment, {"project_id": 1, "person_id": 1, "role": "sponsor"}),
    ],
)
def test_check_constraints(db, project, model, values):
    _refused(db, model(**values))


def test_stage_sequence_and_percentages(db, project):
    project_id, _ = project
    with db.write() as session:
        session.add(Stage(project_id=project_id, sequence=1, name="Initiation", kind="initiation"))
    _refused(db, Stage(project_id=project_id, sequence=1, name="Again"))
    _refused(db, Stage(project_id=project_id, sequence=2, name="Over", percent_complete=101))
    _refused(
        db,
        Stage(
            project_id=project_id,
            sequence=3,
            name="Backwards",
            planned_start=date(2012, 1, 2),
            planned_end=date(2012, 1, 1),
        ),
    )


def test_profiles_seed_the_project_vocabulary(db):
    from tracker.services.configuration import load_vocabulary

    with db.write() as session:
        old = create_project(session, ProjectInput(key="OLD", name="2017 project"))
        new = create_project(
            session, ProjectInput(key="NEW", name="7th edition", profile="PRINCE2 7")
        )
        v2017, v7 = load_vocabulary(session, old.id), load_vocabulary(session, new.id)
    assert "sustainability" not in v2017.aspects and "sustainability" in v7.aspects
    assert ("threat", "fallback") in v2017.responses and ("threat", "fallback") not in v7.responses
    assert ("threat", "prepare contingent plans") in v7.responses
    assert ("opportunity", "transfer") in v7.responses
    assert {n for (k, n) in v2017.responses if k == "opportunity"} == {
        "exploit",
        "enhance",
        "share",
        "reject",
    }
    assert len(v2017.probability) == len(PRINCE2_2017.probability) == 5
    assert [lv.name for lv in v7.priority.values()] == [lv.name for lv in PRINCE2_7.priority]
    assert v2017.severity_decided_by[4] == "project board"
