"""Change control (PRINCE2 issue and change control): the issue lifecycle, who may decide an
issue, and the change budget.

An issue moves raised -> examined -> options proposed -> decided -> implemented -> closed. What
may follow "decided" depends on the decision: an approved change is implemented, then closed; a
rejection or a concession closes the issue; a deferred issue comes back for a decision (or is
closed as a follow-on action); a request for more information sends it back to be examined; an
escalated issue waits for the authority above. Nothing else is a transition, and a refused one
says which states it was between and where the issue can go.

The project's severity scale says which level of management decides: the project manager, the
Change Authority, the project board or corporate (programme) management. A decision may be made at
that level or above, never below; anything above the project manager is in the board's queue for
its next review. Approved changes draw on the change budget (exact pence); an approval that would
overspend it is refused unless the project board (or the level above it) decides it.

Pure rules: no database, no screens. They raise ``InvalidValue``; the services say which field.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.money import format_money
from tracker.domain.validation import InvalidValue

RAISED, EXAMINED, OPTIONS, DECIDED, IMPLEMENTED, CLOSED = (
    "raised",
    "examined",
    "options proposed",
    "decided",
    "implemented",
    "closed",
)
STATUSES = (RAISED, EXAMINED, OPTIONS, DECIDED, IMPLEMENTED, CLOSED)
OPEN_STATUSES = STATUSES[:-1]

APPROVED, REJECTED, DEFERRED, ESCALATED, MORE_INFORMATION, CONCESSION = (
    "approved",
    "rejected",
    "deferred",
    "escalated",
    "request more information",
    "concession",
)
DECISIONS = (APPROVED, REJECTED, DEFERRED, ESCALATED, MORE_INFORMATION, CONCESSION)

PROJECT_MANAGER, CHANGE_AUTHORITY, PROJECT_BOARD, CORPORATE = (
    "project manager",
    "change authority",
    "project board",
    "corporate",
)
AUTHORITIES = (PROJECT_MANAGER, CHANGE_AUTHORITY, PROJECT_BOARD, CORPORATE)  # lowest first

OFF_SPECIFICATION = "off-specification"

# Where an issue may go from each status. "decided" is reached only by recording a decision.
_AFTER = {
    RAISED: (EXAMINED,),
    EXAMINED: (OPTIONS,),
    OPTIONS: (DECIDED,),
    IMPLEMENTED: (CLOSED,),
    CLOSED: (),
}
# Where a decided issue may go, by its decision. An escalated issue is decided again, above.
_AFTER_DECISION = {
    APPROVED: (IMPLEMENTED,),
    REJECTED: (CLOSED,),
    CONCESSION: (CLOSED,),
    DEFERRED: (OPTIONS, CLOSED),
    MORE_INFORMATION: (EXAMINED, OPTIONS),
    ESCALATED: (DECIDED,),
}
# Which roles on the project may record a decision at each level (corporate management is
# outside the project, so anyone, or nobody named, may be recorded).
DECIDER_ROLES = {
    PROJECT_MANAGER: ("project manager",),
    CHANGE_AUTHORITY: ("change authority", "executive", "senior user", "senior supplier"),
    PROJECT_BOARD: ("executive", "senior user", "senior supplier"),
}


def next_statuses(status: str, decision: str | None = None) -> tuple[str, ...]:
    """Where an issue in ``status`` (with ``decision``, once decided) may go next."""
    if status == DECIDED:
        return _AFTER_DECISION.get(decision or "", ())
    if status not in _AFTER:
        raise InvalidValue(f"{status!r} is not a status of an issue")
    return _AFTER[status]


def _state(status: str, decision: str | None) -> str:
    return f"decided ({decision})" if status == DECIDED and decision else status


def check_transition(
    status: str, target: str, decision: str | None = None, *, who: str = "an issue"
) -> None:
    """Refuse a move that is not in the lifecycle, naming both states and the ways on."""
    if target not in STATUSES:
        raise InvalidValue(f"{target!r} is not a status of an issue: {', '.join(STATUSES)}")
    allowed = next_statuses(status, decision)
    if target in allowed:
        return
    here = _state(status, decision)
    if not allowed:
        raise InvalidValue(f"{who} cannot go from {here} to {target}: {here} is the end")
    raise InvalidValue(
        f"{who} cannot go from {here} to {target}; from {here} it goes to " + " or ".join(allowed)
    )


def awaiting_decision(status: str, decision: str | None) -> bool:
    """Open and not yet decided (or escalated, so waiting for the level above)."""
    return status in (RAISED, EXAMINED, OPTIONS) or (status == DECIDED and decision == ESCALATED)


def check_decision(
    status: str,
    current_decision: str | None,
    decision: str,
    issue_type: str,
    *,
    who: str = "an issue",
) -> None:
    """Refuse a decision the issue cannot take now: only an issue with its options proposed (or
    one escalated to the deciding level) is decided, and a concession is for off-specifications."""
    if decision not in DECISIONS:
        raise InvalidValue(f"{decision!r} is not one of: {', '.join(DECISIONS)}")
    check_transition(status, DECIDED, current_decision, who=who)
    if decision == CONCESSION and issue_type != OFF_SPECIFICATION:
        raise InvalidValue(
            f"a concession is granted only for an off-specification, not a {issue_type}"
        )


# --------------------------------------------------------------------------- authority


def rank(authority: str) -> int:
    if authority not in AUTHORITIES:
        raise InvalidValue(f"{authority!r} is not one of: {', '.join(AUTHORITIES)}")
    return AUTHORITIES.index(authority)


def required_authority(by_severity: str, escalated_to: str | None = None) -> str:
    """Who must decide: the level the severity names, or the level it was escalated to if
    that is higher."""
    if escalated_to and rank(escalated_to) > rank(by_severity):
        return escalated_to
    return by_severity


def for_the_board(required: str) -> bool:
    """Above the project manager's authority: in the board's queue for its next review."""
    return rank(required) > rank(PROJECT_MANAGER)


def check_authority(required: str, deciding: str, *, why: str = "this issue") -> None:
    """A decision is made at the required level or above, never below. ``why`` says what
    makes it the required level's (its severity, or an escalation)."""
    if rank(deciding) < rank(required):
        raise InvalidValue(
            f"{why} is for the {required} to decide, not the {deciding}; escalate it instead"
        )


def escalation_target(deciding: str, wanted: str | None = None) -> str:
    """The level an issue is escalated to: the one asked for (which must be above the level
    escalating it), else the next level up."""
    level = rank(deciding)
    if level == len(AUTHORITIES) - 1:
        raise InvalidValue(f"the {deciding} is the highest level: nobody to escalate to")
    if not wanted:
        return AUTHORITIES[level + 1]
    if rank(wanted) <= level:
        raise InvalidValue(f"escalating goes up: the {wanted} is not above the {deciding}")
    return wanted


def check_decider(authority: str, roles: set[str], name: str) -> None:
    """The person recording a decision holds a role at that level (the Executive, a Senior
    User or a Senior Supplier for the board, which is also the Change Authority by default)."""
    wanted = DECIDER_ROLES.get(authority)
    if wanted is None or roles & set(wanted):
        return
    raise InvalidValue(
        f"{name} cannot decide for the {authority}: that needs the "
        + " or ".join(wanted)
        + f" (their roles: {', '.join(sorted(roles)) or 'none'})"
    )


# --------------------------------------------------------------------------- change budget


@dataclass(frozen=True)
class ChangeBudget:
    """The change budget and what approved changes have drawn on it, in pence."""

    budget_pence: int | None
    drawn_pence: int = 0
    approved: int = 0  # approved changes that drew on it

    @property
    def left_pence(self) -> int | None:
        return None if self.budget_pence is None else self.budget_pence - self.drawn_pence

    def after(self, cost_pence: int) -> ChangeBudget:
        """The budget once a change costing ``cost_pence`` is approved."""
        return ChangeBudget(self.budget_pence, self.drawn_pence + cost_pence, self.approved + 1)

    def describe(self) -> str:
        """One line for the register: what is set, drawn and left."""
        if self.budget_pence is None:
            drawn = f"; {format_money(self.drawn_pence)} approved" if self.drawn_pence else ""
            return f"no change budget set{drawn}"
        changes = f"{self.approved} approved change{'s' if self.approved != 1 else ''}"
        left = self.left_pence
        tail = (
            f"{format_money(left)} left"
            if left >= 0
            else f"overspent by {format_money(-left)} (board approval)"
        )
        return (
            f"change budget {format_money(self.budget_pence)}: "
            f"{format_money(self.drawn_pence)} drawn by {changes}, {tail}"
        )


def may_overspend(authority: str) -> bool:
    return rank(authority) >= rank(PROJECT_BOARD)


def check_draw(budget: ChangeBudget, cost_pence: int, authority: str) -> None:
    """Refuse an approval that would overspend the change budget unless the project board (or
    corporate management) makes it."""
    if cost_pence < 0:
        raise InvalidValue("a change cannot cost less than nothing")
    if cost_pence == 0 or may_overspend(authority):
        return
    left = budget.left_pence
    if left is None:
        raise InvalidValue(
            f"the project has no change budget, so approving {format_money(cost_pence)} is "
            "for the project board"
        )
    if cost_pence > left:
        raise InvalidValue(
            f"approving {format_money(cost_pence)} would overspend the change budget "
            f"({format_money(max(left, 0))} left of {format_money(budget.budget_pence)}); "
            "only the project board can approve it"
        )
