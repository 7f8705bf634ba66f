"""The issue register through its services: the lifecycle and its refusals, who may decide,
the change budget in exact pence, the board's queue, links with the risk register both ways,
filtering and sorting, history, and one validation path."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tracker.domain.validation import ValidationError
from tracker.errors import Conflict
from tracker.services.issue_changes import add_issue, advance_issue, change_issue, decide_issue
from tracker.services.issue_register import (
    IssueFilter,
    change_budget,
    issue_detail,
    issue_history,
    issue_rows,
    issue_view,
    issues_awaiting_board,
)
from tracker.services.links import materialise_risk, raise_risk_from_issue
from tracker.services.registers import RegisterSort
from tracker.services.risk_register import risk_detail, risk_history

TODAY = date(2012, 3, 1)


def ids_to_identifiers(db, ids):
    return [r.identifier for r in issue_rows(db, "ICS", ids)]


def sql_issues(db, where: str = "1=1"):
    """The ICS issue register straight from SQL, independently of the services."""
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT i.identifier, i.status, i.decision, i.severity, i.priority, i.title, "
                "i.description, i.cost_of_change_pence, i.escalated_to, i.version, "
                "t.name AS type, s.decided_by, r.name AS raised_by, o.name AS owner "
                "FROM issue i JOIN project p ON p.id = i.project_id "
                "JOIN issue_type t ON t.id = i.issue_type_id "
                "JOIN severity_level s ON s.project_id = i.project_id AND s.level = i.severity "
                "LEFT JOIN person r ON r.id = i.raised_by_id "
                "LEFT JOIN person o ON o.id = i.owner_id "
                f"WHERE p.key = 'ICS' AND {where} ORDER BY i.number"
            )
        ).all()


def one(db, identifier: str):
    return sql_issues(db, f"i.identifier = '{identifier}'")[0]


def raise_issue(db, **fields) -> str:
    raw = {
        "type": "request for change",
        "title": "Extra report for the Director",
        "priority": "3",
        "severity": "2",
        "raised by": "Sarah Whitcombe",
        "owner": "Helen Marsh",
    } | {k.replace("_", " "): v for k, v in fields.items()}
    return add_issue(db, "ICS", raw, today=TODAY).identifier


def ready_for_decision(db, identifier: str) -> None:
    for status in ("examined", "options proposed"):
        advance_issue(db, "ICS", identifier, to=status, opened_version=None, today=TODAY)


def decide(
    db, identifier, decision="approved", authority="project manager", by="Helen Marsh", **extra
):
    names = {"rationale": "decision rationale"}
    raw = {
        "decision": decision,
        "decided by authority": authority,
        "decision by": by,
    } | {names.get(k, k.replace("_", " ")): v for k, v in extra.items()}
    return decide_issue(db, "ICS", identifier, raw, opened_version=None, today=TODAY)


# --------------------------------------------------------------------------- lifecycle


def test_a_new_issue_starts_raised_and_walks_the_whole_lifecycle(demo_db):
    identifier = raise_issue(demo_db, cost_of_change="£2,000")
    assert identifier == "I-007" and one(demo_db, identifier).status == "raised"
    steps = []
    for status in ("examined", "options proposed"):
        saved = advance_issue(
            demo_db, "ICS", identifier, to=status, opened_version=None, today=TODAY
        )
        steps.append(saved.status)
    saved = decide(demo_db, identifier, rationale="Small and statutory")
    steps.append(saved.status)
    for status in ("implemented", "closed"):
        steps.append(
            advance_issue(
                demo_db, "ICS", identifier, to=status, opened_version=None, today=TODAY
            ).status
        )
    assert steps == ["examined", "options proposed", "decided", "implemented", "closed"]
    row = one(demo_db, identifier)
    assert (row.status, row.decision, row.version) == ("closed", "approved", 6)
    with demo_db.engine.connect() as conn:
        closed = conn.execute(
            text("SELECT closure_date FROM issue WHERE identifier = 'I-007'")
        ).scalar()
    assert str(closed) == "2012-03-01"


@pytest.mark.parametrize(
    ("identifier", "target", "message"),
    [
        (
            "I-004",
            "closed",
            "I-004 cannot go from examined to closed; from examined it goes to options proposed",
        ),
        ("I-004", "implemented", "I-004 cannot go from examined to implemented"),
        (
            "I-003",
            "implemented",
            "I-003 cannot go from options proposed to implemented; from "
            "options proposed it goes to decided",
        ),
        (
            "I-002",
            "examined",
            "I-002 cannot go from implemented to examined; from implemented it goes to closed",
        ),
        ("I-001", "raised", "I-001 cannot go from closed to raised: closed is the end"),
        (
            "I-005",
            "implemented",
            "I-005 cannot go from decided (deferred) to implemented; from "
            "decided (deferred) it goes to options proposed or closed",
        ),
    ],
)
def test_a_move_that_does_not_exist_is_refused_naming_both_states(
    demo_db, identifier, target, message
):
    before = one(demo_db, identifier)
    with pytest.raises(ValidationError) as refused:
        advance_issue(demo_db, "ICS", identifier, to=target, opened_version=None, today=TODAY)
    assert refused.value.for_field("status").startswith(message)
    after = one(demo_db, identifier)
    assert (after.status, after.version) == (before.status, before.version)  # nothing written


def test_a_decision_is_not_a_move(demo_db):
    with pytest.raises(ValidationError) as refused:
        advance_issue(demo_db, "ICS", "I-003", to="decided", opened_version=None, today=TODAY)
    assert "recording the decision" in refused.value.for_field("status")
    with pytest.raises(ValidationError, match="'sideways' is not one of"):
        advance_issue(demo_db, "ICS", "I-003", to="sideways", opened_version=None, today=TODAY)


def test_only_an_issue_with_options_proposed_can_be_decided(demo_db):
    with pytest.raises(ValidationError) as refused:
        decide(demo_db, "I-004")  # examined
    assert refused.value.for_field("decision") == (
        "I-004 cannot go from examined to decided; from examined it goes to options proposed"
    )
    with pytest.raises(ValidationError, match="from decided \\(deferred\\) to decided"):
        decide(demo_db, "I-005", authority="project board", by="Chief Finance Officer")


def test_more_information_sends_it_back_and_the_history_keeps_the_request(demo_db):
    identifier = raise_issue(demo_db, severity="1")
    ready_for_decision(demo_db, identifier)
    decide(demo_db, identifier, decision="request more information", rationale="Cost it")
    with pytest.raises(ValidationError, match="goes to examined or options proposed"):
        advance_issue(demo_db, "ICS", identifier, to="closed", opened_version=None, today=TODAY)
    advance_issue(demo_db, "ICS", identifier, to="examined", opened_version=None, today=TODAY)
    row = one(demo_db, identifier)
    assert (row.status, row.decision) == ("examined", None)  # waiting for a new decision
    changes = {(h.field, h.old, h.new) for h in issue_history(demo_db, "ICS", identifier)}
    assert ("decision", "", "request more information") in changes
    assert ("decision", "request more information", "") in changes


def test_a_rejected_or_conceded_issue_closes_without_implementation(demo_db):
    rejected = raise_issue(demo_db, severity="1")
    ready_for_decision(demo_db, rejected)
    decide(demo_db, rejected, decision="rejected")
    with pytest.raises(ValidationError, match="goes to closed"):
        advance_issue(demo_db, "ICS", rejected, to="implemented", opened_version=None, today=TODAY)
    advance_issue(demo_db, "ICS", rejected, to="closed", opened_version=None, today=TODAY)
    # A concession is only for an off-specification; I-003 is one (decided by the board).
    change = raise_issue(demo_db, severity="1")
    ready_for_decision(demo_db, change)
    with pytest.raises(ValidationError, match="only for an off-specification"):
        decide(demo_db, change, decision="concession")
    decide(
        demo_db,
        "I-003",
        decision="concession",
        authority="project board",
        by="Chief Finance Officer",
    )
    assert one(demo_db, "I-003").decision == "concession"


# --------------------------------------------------------------------------- authority


def test_the_severity_says_who_decides_and_lower_levels_are_refused(demo_db):
    # I-003 is severity 4 (Major): the project board's.
    for authority, by in (
        ("project manager", "Helen Marsh"),
        ("change authority", "Nadia Qureshi"),
    ):
        with pytest.raises(ValidationError) as refused:
            decide(demo_db, "I-003", authority=authority, by=by)
        assert refused.value.for_field("decided by authority") == (
            f"severity 4 (Major) is for the project board to decide, not the {authority}; "
            "escalate it instead"
        )
    # The level must be held by the person named: the PM is not the board.
    with pytest.raises(ValidationError) as refused:
        decide(demo_db, "I-003", authority="project board", by="Helen Marsh")
    assert refused.value.for_field("decision by").startswith(
        "Helen Marsh cannot decide for the project board"
    )
    assert one(demo_db, "I-003").status == "options proposed"
    decide(demo_db, "I-003", authority="project board", by="Chief Finance Officer")
    assert one(demo_db, "I-003").decision == "approved"


def test_a_higher_level_may_decide_and_corporate_needs_no_name(demo_db):
    identifier = raise_issue(demo_db, severity="1", type="problem/concern")
    ready_for_decision(demo_db, identifier)
    decide(demo_db, identifier, authority="corporate", by="")
    row = one(demo_db, identifier)
    assert row.decision == "approved"
    other = raise_issue(demo_db, severity="1", type="problem/concern")
    ready_for_decision(demo_db, other)
    with pytest.raises(ValidationError, match="decision by: is required"):
        decide(demo_db, other, authority="project manager", by="")
    with pytest.raises(ValidationError, match="needs the project manager"):
        decide(demo_db, other, authority="project manager", by="Joanne Pike")  # team manager


def test_escalation_sends_it_up_and_only_that_level_or_above_decides_it(demo_db):
    # I-004 is severity 2 (Moderate): the project manager's, who escalates it.
    advance_issue(demo_db, "ICS", "I-004", to="options proposed", opened_version=None, today=TODAY)
    assert "I-004" not in [q.identifier for q in issues_awaiting_board(demo_db, "ICS")]
    decide(demo_db, "I-004", decision="escalated", rationale="Needs the Director's staff")
    row = one(demo_db, "I-004")
    assert (row.status, row.decision, row.escalated_to) == (
        "decided",
        "escalated",
        "change authority",
    )
    queue = {q.identifier: q for q in issues_awaiting_board(demo_db, "ICS")}
    assert queue["I-004"].required == "change authority" and queue["I-004"].escalated
    with pytest.raises(ValidationError) as refused:
        decide(demo_db, "I-004", authority="project manager", by="Helen Marsh")
    assert refused.value.for_field("decided by authority").startswith(
        "an issue escalated to the change authority is for the change authority to decide"
    )
    with pytest.raises(ValidationError, match="already escalated to the change authority"):
        decide(demo_db, "I-004", decision="escalated")
    # Escalating further up: to the board, then the board decides.
    decide(
        demo_db,
        "I-004",
        decision="escalated",
        authority="change authority",
        by="Nadia Qureshi",
        escalated_to="project board",
    )
    assert one(demo_db, "I-004").escalated_to == "project board"
    with pytest.raises(ValidationError, match="for the project board to decide"):
        decide(demo_db, "I-004", authority="change authority", by="Nadia Qureshi")
    decide(demo_db, "I-004", authority="project board", by="Sarah Whitcombe")
    assert "I-004" not in [q.identifier for q in issues_awaiting_board(demo_db, "ICS")]
    with pytest.raises(ValidationError, match="escalating goes up"):
        i = raise_issue(demo_db, severity="3")
        ready_for_decision(demo_db, i)
        decide(
            demo_db,
            i,
            decision="escalated",
            authority="change authority",
            by="Nadia Qureshi",
            escalated_to="project manager",
        )


# --------------------------------------------------------------------------- change budget


def test_the_change_budget_is_what_approved_changes_left_in_exact_pence(demo_db):
    budget = change_budget(demo_db, "ICS")
    approved = [
        r
        for r in sql_issues(demo_db, "i.decision = 'approved'")
        if r.type in ("request for change", "off-specification") and r.cost_of_change_pence
    ]
    drawn = sum(r.cost_of_change_pence for r in approved)
    assert (budget.budget_pence, budget.drawn_pence, budget.approved) == (
        6_000_000,
        drawn,
        len(approved),
    )
    assert budget.left_pence == 6_000_000 - drawn == 3_850_000  # £60,000 - £18,000 - £3,500


def test_an_approval_that_would_overspend_is_refused_unless_the_board_decides(demo_db):
    over = raise_issue(demo_db, cost_of_change="£38,500.01")
    ready_for_decision(demo_db, over)
    with pytest.raises(ValidationError) as refused:
        decide(demo_db, over)
    assert refused.value.for_field("decision") == (
        "approving £38,500.01 would overspend the change budget (£38,500 left of £60,000); "
        "only the project board can approve it"
    )
    assert change_budget(demo_db, "ICS").left_pence == 3_850_000  # nothing drawn
    exact = raise_issue(demo_db, cost_of_change="£38,500")
    ready_for_decision(demo_db, exact)
    decide(demo_db, exact)
    assert change_budget(demo_db, "ICS").left_pence == 0
    # Nothing left: even a penny needs the board, and the board may overspend.
    penny = raise_issue(demo_db, severity="3", cost_of_change="£0.01")
    ready_for_decision(demo_db, penny)
    with pytest.raises(ValidationError, match=r"\(£0 left of £60,000\)"):
        decide(demo_db, penny, authority="change authority", by="Nadia Qureshi")
    decide(demo_db, over, authority="project board", by="Chief Finance Officer")
    budget = change_budget(demo_db, "ICS")
    assert budget.left_pence == -3_850_001 and budget.drawn_pence == 9_850_001
    assert budget.describe().endswith("overspent by £38,500.01 (board approval)")


def test_an_approved_change_needs_a_cost_and_keeps_it(demo_db):
    identifier = raise_issue(demo_db)
    ready_for_decision(demo_db, identifier)
    with pytest.raises(ValidationError, match="cost of change: is required to approve"):
        decide(demo_db, identifier)
    decide(demo_db, identifier, cost_of_change="£1,200")  # given with the decision
    assert one(demo_db, identifier).cost_of_change_pence == 120_000
    with pytest.raises(ValidationError) as refused:
        change_issue(
            demo_db,
            "ICS",
            identifier,
            {"cost of change": "£900,000"},
            opened_version=None,
            today=TODAY,
        )
    assert "is fixed once I-007 is decided" in refused.value.for_field("cost of change")
    # A problem/concern does not draw on the budget at all.
    problem = raise_issue(demo_db, type="problem/concern", cost_of_change="£99,000")
    ready_for_decision(demo_db, problem)
    decide(demo_db, problem)
    assert change_budget(demo_db, "ICS").drawn_pence == 2_150_000 + 120_000


def test_the_board_queue_is_every_undecided_issue_above_the_project_manager(demo_db):
    assert [q.identifier for q in issues_awaiting_board(demo_db, "ICS")] == ["I-003"]
    for_authority = raise_issue(demo_db, severity="3")
    for_corporate = raise_issue(demo_db, severity="5")
    raise_issue(demo_db, severity="2")  # the project manager's: not for the board
    queue = issues_awaiting_board(demo_db, "ICS")
    assert [(q.identifier, q.required, q.ready) for q in queue] == [
        (for_corporate, "corporate", False),
        ("I-003", "project board", True),
        (for_authority, "change authority", False),
    ]
    expected = {
        r.identifier
        for r in sql_issues(demo_db, "i.status IN ('raised', 'examined', 'options proposed')")
        if r.decided_by != "project manager"
    }
    assert {q.identifier for q in queue} == expected
    decide(
        demo_db, "I-003", decision="deferred", authority="project board", by="Chief Finance Officer"
    )
    assert "I-003" not in [q.identifier for q in issues_awaiting_board(demo_db, "ICS")]


# --------------------------------------------------------------------------- links


def test_a_materialised_risk_becomes_an_issue_linked_both_ways(demo_db):
    made = materialise_risk(
        demo_db, "ICS", "R-012", {"severity": "3", "priority": "4"}, today=TODAY
    )
    assert (made.issue, made.risk, made.risk_closed) == ("I-007", "R-012", True)
    issue = issue_detail(demo_db, "ICS", "I-007")
    assert issue.title == "User acceptance testing finds defects that delay go-live"
    assert issue.description.startswith("Risk R-012 has materialised. Event:")
    assert issue.status == "raised" and issue.issue_type == "problem/concern"
    assert [(link.identifier, link.kind) for link in issue.links] == [
        ("R-012", "risk became issue")
    ]
    risk = risk_detail(demo_db, "ICS", "R-012")
    assert [(link.identifier, link.on_risk()) for link in risk.links] == [
        ("I-007", "materialised as issue I-007 on 01/03/2012")
    ]
    assert risk.closure_reason == "Materialised: became issue I-007."
    assert ("issue linked", "issues", "", "I-007") in {
        (h.action, h.field, h.old, h.new) for h in risk_history(demo_db, "ICS", "R-012")
    }
    assert ("risk linked", "risks", "", "R-012") in {
        (h.action, h.field, h.old, h.new) for h in issue_history(demo_db, "ICS", "I-007")
    }


def test_a_risk_that_may_recur_can_stay_open(demo_db):
    made = materialise_risk(
        demo_db, "ICS", "R-009", {"severity": "2", "priority": "3"}, close_risk=False, today=TODAY
    )
    assert not made.risk_closed
    assert risk_detail(demo_db, "ICS", "R-009").closed_on is None


def test_an_issue_raises_a_risk_linked_both_ways(demo_db):
    made = raise_risk_from_issue(
        demo_db,
        "ICS",
        "I-003",
        {
            "title": "Document management links break after go-live",
            "inherent probability": "2",
            "inherent impact": "3",
            "owner": "Gareth Lloyd",
        },
        today=TODAY,
    )
    assert (made.risk, made.issue) == ("R-014", "I-003")
    risk = risk_detail(demo_db, "ICS", "R-014")
    assert [link.on_risk() for link in risk.links] == ["raised by issue I-003 on 01/03/2012"]
    assert risk.notes == "Raised by issue I-003."
    issue = issue_detail(demo_db, "ICS", "I-003")
    assert [link.on_issue() for link in issue.links] == ["raised risk R-014 on 01/03/2012"]
    with pytest.raises(ValidationError) as refused:
        raise_risk_from_issue(demo_db, "ICS", "I-003", {"title": "No scores"}, today=TODAY)
    assert refused.value.for_field("inherent probability") == "is required"


def test_the_worked_example_links_the_procurement_risk_to_its_issue(demo_db):
    assert [link.on_issue() for link in issue_detail(demo_db, "ICS", "I-001").links] == [
        "from risk R-003, which materialised on 07/09/2011"
    ]
    assert [link.identifier for link in risk_detail(demo_db, "ICS", "R-003").links] == ["I-001"]


def test_the_database_refuses_links_across_projects_and_unknown_levels(demo_db):
    with demo_db.engine.connect() as conn:
        cfa = conn.execute(text("SELECT id FROM project WHERE key = 'CFA'")).scalar()
        risk = conn.execute(
            text("SELECT id FROM risk WHERE project_id = :p LIMIT 1"), {"p": cfa}
        ).scalar()
        issue = conn.execute(text("SELECT id, project_id FROM issue LIMIT 1")).one()
    with pytest.raises(IntegrityError), demo_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO issue_risk_link (issue_id, risk_id, project_id, kind, linked_on) "
                "VALUES (:i, :r, :p, 'issue raised risk', '2012-03-01')"
            ),
            {"i": issue.id, "r": risk, "p": issue.project_id},
        )
    with pytest.raises(IntegrityError), demo_db.engine.begin() as conn:
        conn.execute(
            text("UPDATE issue SET escalated_to = 'the mayor' WHERE id = :i"), {"i": issue.id}
        )


# --------------------------------------------------------------------------- reading


def test_filters_by_words_status_type_and_awaiting(demo_db):
    everything = sql_issues(demo_db)
    view = issue_view(demo_db, "ICS")
    assert view.total == len(everything) == 6
    assert ids_to_identifiers(demo_db, view.ids) == [
        r.identifier for r in everything if r.status != "closed"
    ]
    words = issue_view(demo_db, "ICS", IssueFilter(text="  MUNRO forms ", status="all"))
    assert (
        ids_to_identifiers(demo_db, words.ids)
        == [
            r.identifier
            for r in everything
            if all(
                w
                in " ".join(
                    [r.identifier, r.title, r.description, r.raised_by or "", r.owner or ""]
                ).lower()
                for w in ("munro", "forms")
            )
        ]
        == ["I-002"]
    )
    by_owner = issue_view(demo_db, "ICS", IssueFilter(text="joanne", status="all"))
    assert ids_to_identifiers(demo_db, by_owner.ids) == ["I-004"]
    rfcs = issue_view(demo_db, "ICS", IssueFilter(status="all", issue_type="request for change"))
    assert ids_to_identifiers(demo_db, rfcs.ids) == [
        r.identifier for r in everything if r.type == "request for change"
    ]
    implemented = issue_view(demo_db, "ICS", IssueFilter(status="implemented"))
    assert ids_to_identifiers(demo_db, implemented.ids) == ["I-002", "I-006"]
    awaiting = issue_view(demo_db, "ICS", IssueFilter(awaiting="decision"))
    assert ids_to_identifiers(demo_db, awaiting.ids) == ["I-003", "I-004"]
    board = issue_view(demo_db, "ICS", IssueFilter(awaiting="board"))
    assert ids_to_identifiers(demo_db, board.ids) == ["I-003"]
    assert issue_view(demo_db, "ICS", IssueFilter(text="100%_not there")).ids == []
    with pytest.raises(ValueError, match="'sideways' is not one of"):
        issue_view(demo_db, "ICS", IssueFilter(status="sideways"))


@pytest.mark.parametrize(
    ("key", "descending", "value"),
    [
        ("severity", True, lambda r: r.severity),
        ("priority", False, lambda r: r.priority),
        ("title", False, lambda r: r.title.casefold()),
        ("owner", False, lambda r: (r.owner or "").casefold()),
        ("type", True, lambda r: r.type),
        (
            "authority",
            True,
            lambda r: ["project manager", "change authority", "project board", "corporate"].index(
                r.decided_by
            ),
        ),
    ],
)
def test_sorting_keeps_ties_in_identifier_order(demo_db, key, descending, value):
    shown = ids_to_identifiers(
        demo_db,
        issue_view(demo_db, "ICS", IssueFilter(status="all"), RegisterSort(key, descending)).ids,
    )
    expected = sorted(sql_issues(demo_db), key=value, reverse=descending)  # stable: ties by number
    assert shown == [r.identifier for r in expected]


def test_rows_say_who_decides_and_what_is_for_the_board(demo_db):
    rows = {
        r.identifier: r
        for r in issue_rows(
            demo_db, "ICS", issue_view(demo_db, "ICS", IssueFilter(status="all")).ids
        )
    }
    assert (rows["I-003"].required, rows["I-003"].for_the_board) == ("project board", True)
    assert (rows["I-004"].required, rows["I-004"].for_the_board) == ("project manager", False)
    assert rows["I-004"].awaiting and not rows["I-005"].awaiting  # I-005 was deferred
    assert rows["I-002"].priority == "4 High" and rows["I-002"].severity == "3 Significant"


def test_history_reads_the_lifecycle_in_the_registers_words(demo_db):
    decide(
        demo_db,
        "I-003",
        authority="project board",
        by="Chief Finance Officer",
        rationale="Option 3",
    )
    lines = issue_history(demo_db, "ICS", "I-003")
    assert lines[0].action == "raised" and lines[0].actor == "tracker demo"
    changes = {(h.field, h.old, h.new) for h in lines if h.action == "changed"}
    assert ("status", "options proposed", "decided") in changes
    assert ("decision by", "", "Chief Finance Officer") in changes
    assert ("decision date", "", "01/03/2012") in changes
    change_issue(
        demo_db,
        "ICS",
        "I-004",
        {"cost of change": "£15,000", "issue report": "no"},
        opened_version=None,
        today=TODAY,
    )
    changes = {(h.field, h.old, h.new) for h in issue_history(demo_db, "ICS", "I-004")}
    assert ("cost of change", "", "£15,000") in changes and ("issue report", "yes", "no") in changes


def test_a_stale_edit_is_refused(demo_db):
    version = one(demo_db, "I-004").version
    change_issue(
        demo_db,
        "ICS",
        "I-004",
        {"notes": "Theirs"},
        opened_version=version,
        today=TODAY,
        actor="alice",
    )
    with pytest.raises(Conflict, match="was changed by alice"):
        advance_issue(
            demo_db, "ICS", "I-004", to="options proposed", opened_version=version, today=TODAY
        )
    assert one(demo_db, "I-004").status == "examined"


# --------------------------------------------------------------------------- validation


def test_status_and_decisions_change_only_through_the_lifecycle(demo_db):
    with pytest.raises(ValidationError) as refused:
        change_issue(
            demo_db, "ICS", "I-004", {"status": "closed"}, opened_version=None, today=TODAY
        )
    assert "changes through the lifecycle" in refused.value.for_field("status")
    with pytest.raises(ValidationError, match="a new issue starts raised"):
        add_issue(demo_db, "ICS", {"title": "x", "decision": "approved"}, today=TODAY)
    with pytest.raises(ValidationError, match="is not a field of the issue register"):
        add_issue(demo_db, "ICS", {"title": "x", "colour": "red"}, today=TODAY)


def test_every_bad_field_is_named_and_nothing_is_written(demo_db):
    before = len(sql_issues(demo_db))
    with pytest.raises(ValidationError) as refused:
        add_issue(
            demo_db,
            "ICS",
            {
                "type": "complaint",
                "title": "",
                "priority": "9",
                "severity": "Huge",
                "date raised": "31/02/2012",
                "owner": "Nobody Known",
                "cost of change": "lots",
            },
            today=TODAY,
        )
    problems = {e.field for e in refused.value.errors}
    assert problems == {
        "type",
        "title",
        "priority",
        "severity",
        "date raised",
        "owner",
        "cost of change",
    }
    assert refused.value.for_field("priority") == "9 is outside the scale 1 to 5"
    assert len(sql_issues(demo_db)) == before


def test_the_form_and_the_command_line_say_the_same(demo_db):
    from conftest import run_cli

    with pytest.raises(ValidationError) as form:
        add_issue(
            demo_db,
            "ICS",
            {"type": "request for change", "title": "x", "priority": "9", "severity": "2"},
            today=TODAY,
        )
    if demo_db.is_sqlite:
        cli = run_cli(
            "--db",
            str(demo_db.path),
            "issues",
            "raise",
            "--project",
            "ICS",
            "--set",
            "type=request for change",
            "--set",
            "title=x",
            "--set",
            "priority=9",
            "--set",
            "severity=2",
        )
        assert cli.returncode == 1
        assert cli.stderr.strip() == f"tracker: {form.value}"
