"""The change-control dialogs: record a decision on an issue, move an issue on in its lifecycle,
raise a risk from an issue, and raise an issue from a risk that has materialised.

Each is a ``RecordForm``: the service applies the rules of ``tracker.domain.change_control``
and the dialog shows any refusal (a transition that does not exist, a decision below the level
the severity requires, an approval that would overspend the change budget) with nothing saved.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import Select

from tracker.domain import change_control as cc
from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.services.issues import ISSUE_FIELDS
from tracker.ui.screens.record_form import YES_NO, RecordForm, slug


def _budget_words(choices) -> str:
    budget = choices.budget
    if not choices.uses_budget:
        return f"A {choices.issue_type} does not draw on the change budget."
    cost = format_money(choices.cost_pence) if choices.cost_pence is not None else "its cost"
    if budget.budget_pence is None:
        return f"Approving it draws {cost}; the project has no change budget set."
    return (
        f"Approving it draws {cost} on the change budget: {format_money(budget.left_pence)} left "
        f"of {format_money(budget.budget_pence)}."
    )


class DecideIssueScreen(RecordForm):
    """Record a decision on an issue: what was decided, at what level, by whom, when and why."""

    FORM_ID = "decide-dialog"
    FIELDS = (
        "decision",
        "decided by authority",
        "decision by",
        "decision date",
        "escalated to",
        "cost of change",
        "decision rationale",
    )
    LAYOUT = (
        ("decision", "decided by authority"),
        ("decision by", "decision date"),
        ("escalated to", "cost of change"),
        ("decision rationale",),
    )
    CHOICES = frozenset({"decision", "decided by authority", "decision by", "escalated to"})
    LONG_TEXT = frozenset({"decision rationale"})
    REQUIRED = frozenset({"decision", "decided by authority"})
    LABELS = {"decided by authority": "Decided at (level)", "decision by": "Decided by"}
    HINTS = {
        "decision date": "day first (default today)",
        "escalated to": "only for an escalation (default the next level up)",
        "cost of change": "an approved change draws this on the change budget",
    }
    SAVE_LABEL = "Record the decision (F2)"
    COMPACT = True
    SAVES_CHANGES = False
    REREAD_ON_CONFLICT = True

    def heading(self) -> str:
        return f"Decide {self.key} {self.identifier}"

    def load(self, db):
        from tracker.domain.clock import today
        from tracker.services.issue_changes import lifecycle_choices

        choices = lifecycle_choices(db, self.key, self.identifier)
        values = {
            "decision": "",
            "decided by authority": choices.required,
            "decision by": "",
            "decision date": format_date(today()),
            "escalated to": "",
            "cost of change": format_money(choices.cost_pence),
            "decision rationale": "",
        }
        return choices, values, choices.version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("decision", [(d.capitalize(), d) for d in choices.decisions])
        # Every level is offered (the one that must decide is chosen): a lower one is refused
        # with the reason, which says how change control works here.
        self.set_options("decided by authority", [(a.capitalize(), a) for a in cc.AUTHORITIES])
        above = choices.authorities[1:]
        self.set_options("escalated to", [(a.capitalize(), a) for a in above])
        self._deciders_for(choices.required, choices)
        intro = Text()
        intro.append(f"{choices.identifier} {choices.title}\n", style="bold")
        intro.append(
            f"{choices.issue_type.capitalize()}, severity {choices.severity}: for the "
            f"{choices.required} to decide"
            + (f" (escalated to the {choices.escalated_to})" if choices.escalated_to else "")
            + ". "
        )
        intro.append(_budget_words(choices))
        if not choices.can_decide:
            here = choices.status + (f" ({choices.decision})" if choices.decision else "")
            intro.append(
                f"\nIt is {here}: only an issue with its options proposed, or one escalated to "
                "this level, is decided.",
                style="bold",
            )
        self.set_intro(intro)

    def _deciders_for(self, authority: str, choices=None) -> None:
        choices = choices or self.choices or self._pending
        select = self.query_one(f"#f-{slug('decision by')}", Select)
        current = select.value
        people = choices.deciders.get(authority, choices.people)
        self.set_options("decision by", [(p, p) for p in people])
        if current in people:
            select.value = current

    @on(Select.Changed, "#f-decided-by-authority")
    def authority_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and (self.choices or self._pending):
            self._deciders_for(str(event.value))

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.issue_changes import decide_issue

        return decide_issue(
            db, self.key, self.identifier, values, opened_version=version, today=today()
        )


class AdvanceIssueScreen(RecordForm):
    """Move an issue on: examined, options proposed, implemented, closed, or back for more work
    after a deferral or a request for more information."""

    FORM_ID = "advance-dialog"
    FIELDS = ("status", "closure date")
    LAYOUT = (("status", "closure date"),)
    CHOICES = frozenset({"status"})
    REQUIRED = frozenset({"status"})
    LABELS = {"status": "Move to"}
    HINTS = {"closure date": "when closing it; day first (default today)"}
    SAVE_LABEL = "Move on (F2)"
    COMPACT = True
    SAVES_CHANGES = False
    REREAD_ON_CONFLICT = True

    def heading(self) -> str:
        return f"Move {self.key} {self.identifier} on"

    def load(self, db):
        from tracker.services.issue_changes import lifecycle_choices

        choices = lifecycle_choices(db, self.key, self.identifier)
        first = choices.next_statuses[0] if choices.next_statuses else ""
        return choices, {"status": first, "closure date": ""}, choices.version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("status", [(s.capitalize(), s) for s in choices.next_statuses])
        here = choices.status + (f" ({choices.decision})" if choices.decision else "")
        intro = Text()
        intro.append(f"{choices.identifier} {choices.title}\n", style="bold")
        intro.append(f"It is {here}. ")
        if choices.next_statuses:
            intro.append("Next: " + " or ".join(choices.next_statuses) + ".")
        elif choices.can_decide:
            intro.append("The next step is a decision (d), not a move.", style="bold")
        else:
            intro.append(f"{cc.CLOSED.capitalize()}: the end of its lifecycle.", style="bold")
        self.set_intro(intro)

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.issue_changes import advance_issue

        return advance_issue(
            db,
            self.key,
            self.identifier,
            to=values["status"],
            on=values["closure date"],
            opened_version=version,
            today=today(),
        )


RISK_FROM_ISSUE = (
    "kind",
    "title",
    "cause",
    "event",
    "effect",
    "category",
    "inherent probability",
    "inherent impact",
    "owner",
)


class RaiseRiskScreen(RecordForm):
    """An issue raises a risk: register it in the risk register, linked to the issue both
    ways. (Open the risk register to fill in the rest.)"""

    FORM_ID = "raise-risk-dialog"
    FIELDS = RISK_FROM_ISSUE
    LAYOUT = (
        ("kind", "category"),
        ("title",),
        ("cause",),
        ("event",),
        ("effect",),
        ("inherent probability", "inherent impact", "owner"),
    )
    CHOICES = frozenset({"kind", "category", "inherent probability", "inherent impact", "owner"})
    LONG_TEXT = frozenset({"cause", "event", "effect"})
    REQUIRED = frozenset({"kind", "title", "inherent probability", "inherent impact", "owner"})
    HINTS = {"event": "what might happen now"}
    SAVE_LABEL = "Raise the risk (F2)"
    COMPACT = True
    SAVES_CHANGES = False

    def heading(self) -> str:
        return f"Raise a risk from {self.key} {self.identifier}"

    def load(self, db):
        from tracker.services.issue_register import issue_detail
        from tracker.services.risk_changes import risk_form_choices

        detail = issue_detail(db, self.key, self.identifier)
        values = {f: "" for f in RISK_FROM_ISSUE} | {
            "kind": "threat",
            "cause": f"Issue {detail.identifier}: {detail.title}.",
            "owner": detail.owner,
        }
        return (risk_form_choices(db, self.key), detail), values, None

    def fill(self, loaded, values: dict[str, str]) -> None:
        choices, detail = loaded
        self.set_options("kind", [(k.capitalize(), k) for k in choices.kinds])
        self.set_options("category", [(c, c) for c in choices.categories])
        self.set_options(
            "inherent probability", [(label, str(lv)) for lv, label in choices.probability]
        )
        self.set_options("inherent impact", [(label, str(lv)) for lv, label in choices.impact])
        self.set_options("owner", [(p, p) for p in choices.people])
        self.set_intro(
            f"The new risk is linked to {detail.identifier} ({detail.title}); both registers "
            "show the link."
        )

    def first_field(self) -> str:
        return "#f-title"

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.links import raise_risk_from_issue

        return raise_risk_from_issue(db, self.key, self.identifier, values, today=today())


ISSUE_FROM_RISK = ("type", "title", "description", "priority", "severity", "owner", "close risk")


class MaterialiseRiskScreen(RecordForm):
    """A risk has materialised: raise it as an issue linked to the risk, and close the risk
    (unless it may happen again)."""

    FORM_ID = "materialise-dialog"
    FIELDS = ISSUE_FROM_RISK
    LAYOUT = (
        ("type", "priority", "severity"),
        ("title",),
        ("description",),
        ("owner", "close risk"),
    )
    CHOICES = frozenset({"type", "priority", "severity", "owner", "close risk"})
    LONG_TEXT = frozenset({"description"})
    REQUIRED = frozenset({"type", "title", "priority", "severity"})
    LABELS = {"close risk": "Close the risk"}
    HINTS = {"close risk": "no if it could happen again"}
    SAVE_LABEL = "Raise the issue (F2)"
    COMPACT = True
    SAVES_CHANGES = False

    def heading(self) -> str:
        return f"{self.key} {self.identifier} has materialised: raise an issue"

    def load(self, db):
        from tracker.domain.clock import today
        from tracker.services.issue_changes import issue_form_choices
        from tracker.services.links import materialise_defaults

        defaults, title = materialise_defaults(db, self.key, self.identifier, today=today())
        values = {f: defaults.get(f, "") for f in ISSUE_FROM_RISK} | {"close risk": "yes"}
        return (issue_form_choices(db, self.key), title), values, None

    def fill(self, loaded, values: dict[str, str]) -> None:
        choices, title = loaded
        self.set_options("type", [(t, t) for t in choices.types])
        self.set_options("priority", [(label, str(level)) for level, label in choices.priority])
        self.set_options("severity", [(label, str(level)) for level, label in choices.severity])
        self.set_options("owner", [(p, p) for p in choices.people])
        self.set_options("close risk", list(YES_NO))
        self.set_intro(
            f"{self.identifier} {title}: the new issue and the risk are linked both ways."
        )

    def first_field(self) -> str:
        return "#f-priority"

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.links import materialise_risk

        raw = {k: v for k, v in values.items() if k in ISSUE_FIELDS}
        return materialise_risk(
            db,
            self.key,
            self.identifier,
            raw,
            close_risk=values.get("close risk") != "no",
            today=today(),
        )
