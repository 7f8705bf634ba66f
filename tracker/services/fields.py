"""Parsers for values that need the project's vocabulary or people: scale levels given by number or
name, categories, response types, people. They raise ``InvalidValue`` like the pure parsers, so
``Problems.take`` reports them against the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from db.models import Person
from tracker.domain.validation import InvalidValue
from tracker.services.configuration import ScaleLevelView
from tracker.services.people import ensure_on_project, find_or_add_person, project_people


def parse_level(
    value: object, scale: Mapping[int, ScaleLevelView], *, required: bool = True
) -> int | None:
    """``3``, ``"3"``, ``"3 Medium"`` or ``"Medium"`` to the level number on ``scale``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidValue("is required")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        head = text.split()[0]
        if head.isdigit():
            number = int(head)
        else:
            named = [lv.level for lv in scale.values() if lv.name.casefold() == text.casefold()]
            if not named:
                names = ", ".join(lv.label for lv in scale.values())
                raise InvalidValue(f"{text!r} is not on the scale ({names})")
            number = named[0]
    if number not in scale:
        low, high = min(scale), max(scale)
        raise InvalidValue(f"{number} is outside the scale {low} to {high}")
    return number


def match_name(value: str, names: list[str] | tuple[str, ...]) -> str | None:
    wanted = value.strip().casefold()
    return next((n for n in names if n.casefold() == wanted), None)


@dataclass
class PeopleResolver:
    """Resolves names to people on a project. With ``add_unknown`` a name the project does not
    know becomes a new person with a team-member role (as the importer and the worked example
    need); otherwise it is refused."""

    session: Session
    project_id: int
    organisation: str = ""
    add_unknown: bool = False
    known: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.known = project_people(self.session, self.project_id)

    def resolve(self, value: object, *, required: bool = False) -> int | None:
        name = str(value or "").strip()
        if not name:
            if required:
                raise InvalidValue("is required")
            return None
        found = self.known.get(name.casefold())
        if found is not None:
            return found
        if not self.add_unknown:
            raise InvalidValue(f"{name!r} is not a person on this project")
        person = find_or_add_person(self.session, name, self.organisation)
        ensure_on_project(self.session, self.project_id, person)
        self.known[name.casefold()] = person.id
        return person.id

    def name_of(self, person_id: int | None) -> str:
        if person_id is None:
            return ""
        person = self.session.get(Person, person_id)
        return person.name if person else ""
