"""Change control as pure rules: every lifecycle transition and every refusal, who may decide,
and the change budget in exact pence."""

from __future__ import annotations

import itertools

import pytest

from db.models import DECISION_AUTHORITIES, ISSUE_DECISIONS, ISSUE_STATUSES
from tracker.domain import change_control as cc
from tracker.domain.validation import InvalidValue

# The lifecycle as the issue states it, written out independently of the module's tables:
# (status, decision) -> where it may go.
EXPECTED = {
    ("raised", None): {"examined"},
    ("examined", None): {"options proposed"},
    ("options proposed", None): {"decided"},
    ("decided", "approved"): {"implemented"},
    ("decided", "rejected"): {"closed"},
    ("decided", "concession"): {"closed"},
    ("decided", "deferred"): {"options proposed", "closed"},
    ("decided", "request more information"): {"examined", "options proposed"},
    ("decided", "escalated"): {"decided"},
    ("implemented", None): {"closed"},
    ("closed", None): set(),
}


def test_the_vocabulary_is_the_databases():
    assert cc.STATUSES == ISSUE_STATUSES
    assert set(cc.DECISIONS) == set(ISSUE_DECISIONS)
    assert cc.AUTHORITIES == DECISION_AUTHORITIES


@pytest.mark.parametrize(
    ("state", "target"), list(itertools.product(EXPECTED, ISSUE_STATUSES)), ids=str
)
def test_every_transition_is_allowed_or_refused_naming_both_states(state, target):
    status, decision = state
    if target in EXPECTED[state]:
        cc.check_transition(status, target, decision)
        return
    with pytest.raises(InvalidValue) as refused:
        cc.check_transition(status, target, decision)
    message = str(refused.value)
    here = f"decided ({decision})" if decision else status
    assert f"from {here} to {target}" in message
    if EXPECTED[state]:
        for way in EXPECTED[state]:
            assert way in message.split(" it goes to ")[1]
    else:
        assert "is the end" in message


def test_the_happy_path_runs_start_to_end():
    path = ["raised", "examined", "options proposed", "decided", "implemented", "closed"]
    for here, there in itertools.pairwise(path):
        cc.check_transition(here, there, "approved" if here == "decided" else None)


def test_an_unknown_status_is_refused():
    with pytest.raises(InvalidValue, match="'sideways' is not a status"):
        cc.check_transition("raised", "sideways")
    with pytest.raises(InvalidValue, match="not a status"):
        cc.next_statuses("sideways")


@pytest.mark.parametrize("status", ISSUE_STATUSES)
def test_only_proposed_options_or_an_escalation_can_be_decided(status):
    for current in (None, *ISSUE_DECISIONS):
        if status != "decided" and current is not None:
            continue
        if status == "options proposed" or (status == "decided" and current == "escalated"):
            cc.check_decision(status, current, "approved", "request for change")
        else:
            with pytest.raises(InvalidValue, match="to decided"):
                cc.check_decision(status, current, "approved", "request for change")


def test_a_concession_is_only_for_an_off_specification():
    cc.check_decision("options proposed", None, "concession", "off-specification")
    with pytest.raises(InvalidValue, match="only for an off-specification, not a request"):
        cc.check_decision("options proposed", None, "concession", "request for change")
    with pytest.raises(InvalidValue, match="'waved through' is not one of"):
        cc.check_decision("options proposed", None, "waved through", "problem/concern")


def test_awaiting_decision():
    assert [s for s in ISSUE_STATUSES if cc.awaiting_decision(s, None)] == [
        "raised",
        "examined",
        "options proposed",
    ]
    assert cc.awaiting_decision("decided", "escalated")
    assert not any(cc.awaiting_decision("decided", d) for d in ISSUE_DECISIONS if d != "escalated")


# --------------------------------------------------------------------------- authority


@pytest.mark.parametrize(
    ("required", "deciding"), list(itertools.product(DECISION_AUTHORITIES, repeat=2))
)
def test_a_decision_is_made_at_the_required_level_or_above(required, deciding):
    if DECISION_AUTHORITIES.index(deciding) >= DECISION_AUTHORITIES.index(required):
        cc.check_authority(required, deciding)
    else:
        with pytest.raises(InvalidValue) as refused:
            cc.check_authority(required, deciding, why="severity 4 (Major)")
        assert str(refused.value) == (
            f"severity 4 (Major) is for the {required} to decide, not the {deciding}; "
            "escalate it instead"
        )


def test_escalation_raises_the_level_that_must_decide():
    assert cc.required_authority("project manager") == "project manager"
    assert cc.required_authority("project manager", "project board") == "project board"
    assert cc.required_authority("project board", "change authority") == "project board"
    assert cc.escalation_target("project manager") == "change authority"
    assert cc.escalation_target("project manager", "project board") == "project board"
    assert cc.escalation_target("project board") == "corporate"
    with pytest.raises(InvalidValue, match="escalating goes up"):
        cc.escalation_target("project board", "change authority")
    with pytest.raises(InvalidValue, match="the highest level"):
        cc.escalation_target("corporate")


def test_everything_above_the_project_manager_goes_to_the_board():
    assert [a for a in DECISION_AUTHORITIES if cc.for_the_board(a)] == [
        "change authority",
        "project board",
        "corporate",
    ]


def test_who_may_record_a_decision_at_each_level():
    cc.check_decider("project manager", {"project manager"}, "Helen Marsh")
    cc.check_decider("change authority", {"change authority"}, "Nadia Qureshi")
    cc.check_decider("change authority", {"executive"}, "Chief Finance Officer")
    cc.check_decider("project board", {"senior user"}, "Sarah Whitcombe")
    cc.check_decider("corporate", set(), "Chief Executive")
    with pytest.raises(InvalidValue) as refused:
        cc.check_decider("project board", {"project manager"}, "Helen Marsh")
    assert str(refused.value) == (
        "Helen Marsh cannot decide for the project board: that needs the executive or "
        "senior user or senior supplier (their roles: project manager)"
    )
    with pytest.raises(InvalidValue, match="needs the project manager"):
        cc.check_decider("project manager", {"team manager"}, "Joanne Pike")


# --------------------------------------------------------------------------- change budget


def test_change_budget_arithmetic_is_exact_pence():
    budget = cc.ChangeBudget(6_000_000)  # £60,000
    budget = budget.after(1_800_000).after(350_000)  # £18,000 and £3,500
    assert (budget.drawn_pence, budget.left_pence, budget.approved) == (2_150_000, 3_850_000, 2)
    # Pennies never drift: a thousand approvals of £0.10 draw exactly £100.
    small = cc.ChangeBudget(10_000)
    for _ in range(1000):
        small = small.after(10)
    assert small.left_pence == 0 and small.drawn_pence == 10_000
    assert budget.describe() == (
        "change budget £60,000: £21,500 drawn by 2 approved changes, £38,500 left"
    )


def test_an_approval_that_would_overspend_is_refused_below_the_board():
    budget = cc.ChangeBudget(6_000_000, 5_999_999, 3)  # 1p left
    cc.check_draw(budget, 1, "project manager")  # exactly what is left
    with pytest.raises(InvalidValue) as refused:
        cc.check_draw(budget, 2, "change authority")
    assert str(refused.value) == (
        "approving £0.02 would overspend the change budget (£0.01 left of £60,000); "
        "only the project board can approve it"
    )
    for authority in ("project board", "corporate"):
        cc.check_draw(budget, 2_500_000, authority)
    overspent = budget.after(2_500_000)
    assert overspent.left_pence == -2_499_999
    assert overspent.describe().endswith("overspent by £24,999.99 (board approval)")
    with pytest.raises(InvalidValue, match=r"\(£0 left of £60,000\)"):
        cc.check_draw(overspent, 1, "project manager")


def test_without_a_change_budget_only_the_board_approves_a_cost():
    none = cc.ChangeBudget(None)
    cc.check_draw(none, 0, "project manager")
    cc.check_draw(none, 100, "project board")
    with pytest.raises(InvalidValue, match="no change budget"):
        cc.check_draw(none, 100, "change authority")
    with pytest.raises(InvalidValue, match="less than nothing"):
        cc.check_draw(none, -1, "project board")
    assert none.describe() == "no change budget set"
