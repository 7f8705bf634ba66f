"""What the smaller registers (issues, lessons, the daily log) share: a filtered, sorted query
that returns the ids the screen shows, and the selection an export is made from.

A council project's issue register and logs hold hundreds of entries, not the risk log's
hundred thousand, so the database answers each filter directly (the risk register keeps an
in-memory index instead; see ``tracker.services.risk_register``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.sql import Select


@dataclass(frozen=True)
class RegisterSort:
    key: str = "identifier"
    descending: bool = False


@dataclass
class IdView:
    """The ids a register shows, in order, and how many entries it holds in all."""

    ids: list[int]
    total: int
    extra: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Selection:
    """Which entries an export holds: by status (the command line), or exactly the given ids
    in the given order (the screen's current view)."""

    status: str = "all"
    ids: Sequence[int] | None = None


def words_match(text: str, columns: Sequence[ColumnElement]) -> ColumnElement | None:
    """Every word typed (in any order, any case) appears in at least one of ``columns``."""
    words = text.casefold().split()
    if not words:
        return None
    return and_(
        *(
            or_(*(func.lower(func.coalesce(c, "")).contains(w, autoescape=True) for c in columns))
            for w in words
        )
    )


def ordered(
    query: Select,
    sort: RegisterSort,
    keys: Mapping[str, ColumnElement],
    tiebreak: ColumnElement,
) -> Select:
    """``query`` in the order asked for, ties always in identifier order; blanks last."""
    if sort.key not in keys:
        raise ValueError(f"unknown sort key {sort.key!r}; choose one of: {', '.join(keys)}")
    column = keys[sort.key]
    direction = column.desc() if sort.descending else column.asc()
    if column is tiebreak:
        return query.order_by(direction)
    return query.order_by(column.is_(None), direction, tiebreak.asc())
