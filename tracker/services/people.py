"""People and their PRINCE2 roles on projects."""

from __future__ import annotations

from sqlmodel import Session, select

from db.models import Person, RoleAssignment


def find_person(session: Session, name: str, organisation: str | None = None) -> Person | None:
    """A person by name (case-insensitive). Given an organisation, only someone from that
    organisation matches: two councils' Directors of Children's Services are two people."""
    wanted = name.strip().casefold()
    matches = [p for p in session.exec(select(Person)) if p.name.casefold() == wanted]
    if organisation is not None:
        org = organisation.strip().casefold()
        matches = [p for p in matches if p.organisation.casefold() == org]
    return matches[0] if matches else None


def find_or_add_person(
    session: Session, name: str, organisation: str = "", job_title: str = ""
) -> Person:
    person = find_person(session, name, organisation)
    if person is None:
        person = Person(
            name=name.strip(), organisation=organisation.strip(), job_title=job_title.strip()
        )
        session.add(person)
        session.flush()
    return person


def project_people(session: Session, project_id: int) -> dict[str, int]:
    """Everyone who holds a role on the project, by lower-cased name."""
    rows = session.exec(
        select(Person)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(RoleAssignment.project_id == project_id)
    )
    return {p.name.casefold(): p.id for p in rows}


def ensure_on_project(
    session: Session, project_id: int, person: Person, role: str = "team member"
) -> None:
    """Give ``person`` a role on the project unless they already have one."""
    existing = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.project_id == project_id, RoleAssignment.person_id == person.id
        )
    ).first()
    if existing is None:
        session.add(RoleAssignment(project_id=project_id, person_id=person.id, role=role))
        session.flush()


def roles_of(session: Session, project_id: int, person_id: int) -> set[str]:
    """The roles a person holds on a project (for who may decide what)."""
    return set(
        session.exec(
            select(RoleAssignment.role).where(
                RoleAssignment.project_id == project_id, RoleAssignment.person_id == person_id
            )
        )
    )


def project_people_names(session: Session, project_id: int) -> tuple[str, ...]:
    """Everyone on the project by name, in alphabetical order (what the forms offer)."""
    ids = set(project_people(session, project_id).values())
    return tuple(
        sorted((p.name for p in session.exec(select(Person)) if p.id in ids), key=str.casefold)
    )
