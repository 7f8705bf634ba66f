"""Highlight reports: the content equals the registers (each figure worked out again here with
plain SQL and simple loops), drafts are saved with optimistic locking, issuing freezes the
report and nothing changes it afterwards, corrections supersede, and the reporting calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from report_helpers import TODAY, column, complete, project_id, section, sql, tables
from sqlalchemy.exc import DBAPIError

from tracker.domain.validation import ValidationError
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Heading, Note
from tracker.reports.render import render_bytes
from tracker.services import highlight
from tracker.services.records import EditConflict
from tracker.services.risk_changes import change_risk

FINAL = ("approved", "rejected", "deferred", "concession")


def add_issue(db, **raw) -> str:
    from tracker.services.configuration import load_vocabulary
    from tracker.services.fields import PeopleResolver
    from tracker.services.issues import create_issue, parse_issue
    from tracker.services.projects import project_by_key

    with db.write("tester") as session:
        project = project_by_key(session, "ICS")
        data = parse_issue(
            {k.replace("_", " "): v for k, v in raw.items()},
            load_vocabulary(session, project.id),
            PeopleResolver(session, project.id),
            today=TODAY,
        )
        return create_issue(session, project, data).identifier


def draft_view(db):
    highlight.start_draft(db, "ICS", today=TODAY)
    return highlight.reports_overview(db, "ICS", TODAY).draft


def issue_complete(db, **changes):
    view = draft_view(db)
    return highlight.issue_report(
        db,
        "ICS",
        view.number,
        complete(view.raw, **changes),
        opened_version=view.version,
        today=TODAY,
    )


def audit_count(db) -> int:
    return sql(db, "SELECT count(*) FROM audit_entry")[0][0]


# --------------------------------------------------------------------------- the period


def test_the_period_runs_from_the_day_after_the_last_issued_report_to_today(demo_db):
    last_end = sql(
        demo_db,
        "SELECT max(period_end) FROM highlight_report WHERE project_id = :p AND status = 'issued'",
        p=project_id(demo_db),
    )[0][0]
    last_end = date.fromisoformat(str(last_end))
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    expected = f"{last_end + timedelta(days=1):%d/%m/%Y} to {TODAY:%d/%m/%Y}"
    assert dict(document.header)["Period"] == expected == "01/02/2012 to 01/03/2012"
    assert document.title == "Highlight report 7 (draft)" and document.watermark == "DRAFT"
    later = highlight.highlight_document(demo_db, "ICS", period_end="29/02/2012", today=TODAY)
    assert dict(later.header)["Period"] == "01/02/2012 to 29/02/2012"
    with pytest.raises(ValidationError, match="before the period start 01/02/2012"):
        highlight.highlight_document(demo_db, "ICS", period_end="15/01/2012", today=TODAY)
    with pytest.raises(ValidationError, match="after today"):
        highlight.highlight_document(demo_db, "ICS", period_end="02/03/2012", today=TODAY)


# --------------------------------------------------------------------------- figures = registers


def test_requests_for_change_equal_the_issue_register(demo_db):
    rfc = "request for change"
    add_issue(
        demo_db, type=rfc, title="Pending change", date_raised="05/02/2012", priority=3, severity=3
    )
    add_issue(
        demo_db,
        type=rfc,
        title="Approved change",
        date_raised="10/02/2012",
        priority=3,
        severity=2,
        status="decided",
        decided_by_authority="project board",
        decision_by="Chief Finance Officer",
        decision="approved",
        decision_date="20/02/2012",
        cost_of_change="£5,000",
    )
    add_issue(
        demo_db,
        type=rfc,
        title="Rejected change",
        date_raised="15/01/2012",
        priority=2,
        severity=3,
        status="decided",
        decided_by_authority="project board",
        decision_by="Chief Finance Officer",
        decision="rejected",
        decision_date="12/02/2012",
    )
    add_issue(
        demo_db,
        type=rfc,
        title="Deferred change",
        date_raised="20/02/2012",
        priority=2,
        severity=4,
        status="decided",
        decided_by_authority="project board",
        decision_by="Chief Finance Officer",
        decision="deferred",
        decision_date="25/02/2012",
    )
    add_issue(
        demo_db,
        type="problem/concern",
        title="Not a change",
        date_raised="08/02/2012",
        priority=2,
        severity=2,
    )
    start, end = date(2012, 2, 1), TODAY
    rows = sql(
        demo_db,
        "SELECT i.identifier, i.date_raised, i.decision, i.decision_date, i.closure_date "
        "FROM issue i JOIN issue_type t ON t.id = i.issue_type_id "
        "WHERE i.project_id = :p AND t.name = 'request for change'",
        p=project_id(demo_db),
    )

    def day(value):
        return None if value is None else date.fromisoformat(str(value))

    expected = {"raised": 0, "approved": 0, "rejected": 0, "deferred": 0, "pending": 0}
    listed = set()
    for ident, raised, decision, decided, closed in rows:
        raised, decided, closed = day(raised), day(decided), day(closed)
        decided_by_end = decision in FINAL and decided is not None and decided <= end
        if start <= raised <= end:
            expected["raised"] += 1
            listed.add(ident)
        if decided_by_end and decided >= start and decision in expected:
            expected[decision] += 1
            listed.add(ident)
        if raised <= end and not decided_by_end and (closed is None or closed > end):
            expected["pending"] += 1
            listed.add(ident)
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    counts, listing = tables(document, "6. Requests for change")
    assert (
        dict(
            zip(
                ["raised", "approved", "rejected", "deferred", "pending"],
                counts.rows[0],
                strict=True,
            )
        )
        == expected
    )
    assert expected == {"raised": 3, "approved": 1, "rejected": 1, "deferred": 1, "pending": 1}
    assert set(column(listing, "Ref")) == listed
    assert "Not a change" not in column(listing, "Request for change")


def test_top_risks_are_the_highest_current_scores_in_the_register(demo_db):
    expected = sql(
        demo_db,
        "SELECT identifier, coalesce(residual_probability * residual_impact, "
        "inherent_probability * inherent_impact) AS score FROM risk "
        "WHERE project_id = :p AND status = 'active' ORDER BY score DESC, number LIMIT 10",
        p=project_id(demo_db),
    )
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    top = tables(document, "Top risks by current score")[0]
    assert list(zip(column(top, "Ref"), column(top, "Score"), strict=True)) == expected
    open_count = sql(
        demo_db,
        "SELECT count(*) FROM risk WHERE project_id = :p AND status = 'active'",
        p=project_id(demo_db),
    )[0][0]
    assert top.caption.startswith(f"{open_count} open risks")


def test_risk_movement_is_measured_against_the_last_reports_snapshot(demo_db):
    change_risk(
        demo_db,
        "ICS",
        "R-009",
        {
            "status": "closed",
            "closed on": "20/02/2012",
            "closure reason": "Interfaces tested and ready",
        },
        opened_version=None,
        today=TODAY,
    )
    change_risk(
        demo_db,
        "ICS",
        "R-007",
        {"residual probability": "4", "residual impact": "4"},
        opened_version=None,
        today=TODAY,
    )
    p = project_id(demo_db)
    baseline = sql(
        demo_db,
        "SELECT id, number FROM highlight_report WHERE project_id = :p AND status = 'issued' "
        "ORDER BY period_end DESC LIMIT 1",
        p=p,
    )[0]
    then = {
        rid: (status, rp * ri if rp is not None else ip * ii)
        for rid, status, ip, ii, rp, ri in sql(
            demo_db,
            "SELECT risk_id, status, inherent_probability, inherent_impact, "
            "residual_probability, residual_impact FROM risk_snapshot WHERE report_id = :r",
            r=baseline[0],
        )
    }
    expected = {"new": set(), "up": set(), "down": set(), "closed": set()}
    for rid, ident, status, score in sql(
        demo_db,
        "SELECT id, identifier, status, coalesce(residual_probability * residual_impact, "
        "inherent_probability * inherent_impact) FROM risk WHERE project_id = :p",
        p=p,
    ):
        was = then.get(rid)
        if status == "draft":
            continue
        if was is None or (was[0] == "closed" and status != "closed"):
            expected["closed" if status == "closed" else "new"].add(ident)
        elif status == "closed" and was[0] != "closed":
            expected["closed"].add(ident)
        elif status != "closed" and score > was[1]:
            expected["up"].add(ident)
        elif status != "closed" and score < was[1]:
            expected["down"].add(ident)
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    counts, listing = tables(document, "Risk movement since highlight report")
    assert counts.rows[0] == tuple(len(expected[k]) for k in ("new", "up", "down", "closed"))
    words = {"New": "new", "Increased": "up", "Decreased": "down", "Closed": "closed"}
    found = {k: set() for k in expected}
    for ref, movement in zip(column(listing, "Ref"), column(listing, "Movement"), strict=True):
        found[words[movement]].add(ref)
    assert found == expected
    assert "R-009" in expected["closed"] and "R-007" in expected["up"]
    heading = next(h for h in section(document, "7. Key issues") if isinstance(h, Heading))
    assert heading.text == "Top risks by current score"


def test_issues_awaiting_decision_and_the_boards_decisions_equal_the_register(demo_db):
    p = project_id(demo_db)
    awaiting = sql(
        demo_db,
        "SELECT i.identifier, s.decided_by FROM issue i JOIN severity_level s "
        "ON s.project_id = i.project_id AND s.level = i.severity "
        "WHERE i.project_id = :p AND i.status IN ('raised', 'examined', 'options proposed') "
        "AND (i.decision IS NULL OR i.decision NOT IN ('approved', 'rejected', 'deferred', "
        "'concession'))",
        p=p,
    )
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    listed = tables(document, "Issues awaiting decision")[0]
    assert sorted(column(listed, "Ref")) == sorted(ident for ident, _ in awaiting)
    for_board = {i for i, who in awaiting if who in ("project board", "corporate")}
    decisions = tables(document, "8. Decisions required")[0]
    decided_refs = {
        ref
        for ref, kind in zip(column(decisions, "Ref"), column(decisions, "Action"), strict=True)
        if kind == "Decide" and ref
    }
    assert decided_refs == for_board == {"I-003"}
    # Time and cost at risk in the stage are put to the board to note.
    assert "Implementation time is at risk" in column(decisions, "Decision required")


def test_budget_and_tolerance_figures_equal_the_stage_plans(demo_db):
    p = project_id(demo_db)
    stages = sql(
        demo_db,
        "SELECT status, planned_cost_pence, actual_cost_pence, forecast_cost_pence, "
        "planned_end, forecast_end FROM stage WHERE project_id = :p ORDER BY sequence",
        p=p,
    )
    actual = sum(a or 0 for _, _, a, _, _, _ in stages)
    forecast = 0
    for status, planned, spent, forecast_cost, _, _ in stages:
        if status == "completed" and spent is not None:
            forecast += spent
        else:
            forecast += forecast_cost if forecast_cost is not None else planned
    budget, change, risk = sql(
        demo_db,
        "SELECT budget_pence, change_budget_pence, risk_budget_pence FROM project WHERE id = :p",
        p=p,
    )[0]
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    summary = dict(tables(document, "10. Budget summary")[0].rows)
    assert summary["Budget"] == budget
    assert summary["Actual to date"] == actual == 85_550_000
    assert summary["Forecast at completion"] == forecast == 134_050_000
    assert summary["Forecast spend to completion"] == forecast - actual
    assert summary["Plan (budget less change and risk budgets)"] == budget - change - risk
    assert summary["Budget remaining after forecast"] == budget - forecast

    lines = {(r[0], r[1]): r for r in tables(document, "5. Tolerance status")[0].rows}
    status, planned, _, _, planned_end, forecast_end = stages[2]  # Implementation
    late = (date.fromisoformat(str(forecast_end)) - date.fromisoformat(str(planned_end))).days
    time_line = lines[("Stage", "Time")]
    assert time_line[3] == f"{date.fromisoformat(str(planned_end)):%d/%m/%Y}"
    assert time_line[5].startswith(f"+{late} days ({late * 100 // 10}% of tolerance)")
    assert time_line[6] == "amber"  # 9 of 10 days: over 80% of the tolerance
    cost_line = lines[("Project", "Cost")]
    plan = budget - change - risk
    assert cost_line[4] == f"£{(forecast) // 100:,}"
    used = round((forecast - plan) * 100 / (plan * 5 // 100))
    assert cost_line[5].endswith(f"({used}% of tolerance)") and cost_line[6] == "green"


def test_lessons_logged_in_the_period_equal_the_lessons_log(demo_db):
    expected = sql(
        demo_db,
        "SELECT identifier FROM lesson WHERE project_id = :p AND date_logged BETWEEN :a AND :b "
        "ORDER BY number",
        p=project_id(demo_db),
        a=date(2012, 2, 1),
        b=TODAY,
    )
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    assert column(tables(document, "9. Lessons")[0], "Ref") == [e[0] for e in expected] == ["L-005"]


def test_every_report_carries_a_rag_key_and_its_baseline(demo_db):
    for document in (
        highlight.highlight_document(demo_db, "ICS", today=TODAY),
        highlight.report_document(demo_db, "ICS", 1).document,
    ):
        rag_section = section(document, "2. RAG status")
        key = next(b for b in rag_section if getattr(b, "caption", "") == "RAG key")
        assert [row[0] for row in key.rows] == ["green", "amber", "red", "blue", "not started"]
        baseline = section(document, "Baseline the ratings are measured against")
        assert baseline and baseline[0].rows  # Facts naming the plans and the risk baseline
    draft = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    facts = dict(section(draft, "Baseline the ratings")[0].rows)
    assert facts["Stage plan"].startswith("Implementation: authorised on 14/09/2011")
    assert "highlight report 6" in facts["Risk movement"]


# --------------------------------------------------------------------------- drafts and issuing


def test_issuing_is_refused_naming_every_row_that_needs_a_comment(demo_db):
    view = draft_view(demo_db)
    raw = dict(view.raw, **{"project scope": ""})
    before = audit_count(demo_db)
    with pytest.raises(ValidationError) as refused:
        highlight.issue_report(
            demo_db, "ICS", view.number, raw, opened_version=view.version, today=TODAY
        )
    fields = {e.field: e.message for e in refused.value.errors}
    assert fields["status summary"] == "is not written"
    assert fields["project scope"] == "has no rating"
    assert fields["stage time"].startswith("is Amber, so it needs a comment")  # worked out
    assert fields["project risk"].startswith("is Amber")  # judged, carried forward
    assert "project time" not in fields  # green: no comment needed
    assert audit_count(demo_db) == before  # nothing was written, not even the edits
    row = sql(
        demo_db,
        "SELECT status, version FROM highlight_report WHERE number = :n AND project_id = :p",
        n=view.number,
        p=project_id(demo_db),
    )[0]
    assert row == ("draft", view.version)


def test_issuing_freezes_the_document_and_later_changes_never_alter_it(demo_db):
    issued = issue_complete(demo_db)
    p = project_id(demo_db)
    stored, status, report_id = sql(
        demo_db,
        "SELECT issued_content, status, id FROM highlight_report WHERE project_id = :p AND "
        "number = :n",
        p=p,
        n=issued.number,
    )[0]
    assert status == "issued" and stored == issued.document.to_json()
    risks = sql(demo_db, "SELECT count(*) FROM risk WHERE project_id = :p", p=p)[0][0]
    snapshot = sql(demo_db, "SELECT count(*) FROM risk_snapshot WHERE report_id = :r", r=report_id)[
        0
    ][0]
    assert snapshot == risks == issued.risks_recorded
    printed = {fmt: render_bytes(issued.document, fmt) for fmt in ("md", "html", "txt", "pdf")}

    change_risk(
        demo_db,
        "ICS",
        "R-001",
        {"title": "Renamed after the report was issued"},
        opened_version=None,
        today=TODAY,
    )
    with demo_db.write("tester") as session:
        from sqlalchemy import text

        session.execute(
            text(
                "UPDATE stage SET forecast_cost_pence = 150000000 "
                "WHERE project_id = :p AND sequence = 3"
            ),
            {"p": p},
        )
    add_issue(
        demo_db,
        type="request for change",
        title="A change after issue",
        date_raised="29/02/2012",
        priority=3,
        severity=4,
    )

    copy = highlight.report_document(demo_db, "ICS", issued.number)
    assert copy.frozen and copy.document.to_json() == stored
    for fmt, data in printed.items():
        assert render_bytes(copy.document, fmt) == data, fmt
    text_copy = printed["md"].decode()
    assert "Renamed after" not in text_copy and "A change after issue" not in text_copy
    assert "Ofsted unannounced re-inspection" in text_copy
    # The next report sees the change; the issued one does not.
    later = highlight.highlight_document(demo_db, "ICS", today=TODAY + timedelta(days=7))
    assert "Renamed after the report was issued" in render_bytes(later, "md").decode()
    with pytest.raises(ValidationError, match="nothing to report until 02/03/2012"):
        highlight.highlight_document(demo_db, "ICS", today=TODAY)


def test_the_database_refuses_to_change_an_issued_report(demo_db):
    p = project_id(demo_db)
    report_id = sql(
        demo_db, "SELECT id FROM highlight_report WHERE project_id = :p AND number = 6", p=p
    )[0][0]
    from sqlalchemy import text

    for statement in (
        "UPDATE highlight_report SET status_summary = 'rewritten' WHERE id = :r",
        "UPDATE highlight_report SET issued_content = '{}' WHERE id = :r",
        "UPDATE highlight_report SET status = 'draft' WHERE id = :r",
        "DELETE FROM highlight_report WHERE id = :r",
        "UPDATE highlight_report_rating SET rag = 'green' WHERE report_id = :r",
        "DELETE FROM highlight_report_rating WHERE report_id = :r",
        "INSERT INTO highlight_report_rating (report_id, level, aspect, rag, comment) "
        "VALUES (:r, 'project', 'sustainability', 'green', '')",
    ):
        with pytest.raises(DBAPIError), demo_db.engine.begin() as conn:
            conn.execute(text(statement), {"r": report_id})
    with pytest.raises(Conflict, match="cannot be changed"):
        highlight.save_draft(demo_db, "ICS", 6, {}, opened_version=None, today=TODAY)


def test_a_corrected_report_supersedes_the_original_and_both_are_kept(demo_db):
    first = issue_complete(demo_db)
    correction = highlight.correct_report(demo_db, "ICS", first.number, today=TODAY)
    view = highlight.reports_overview(demo_db, "ICS", TODAY).draft
    assert view.number == correction and view.supersedes == first.number
    assert view.raw["status summary"] == complete({})["status summary"]
    raw = dict(view.raw, **{"status summary": "Corrected: UAT started on 21/02/2012."})
    second = highlight.issue_report(
        demo_db, "ICS", correction, raw, opened_version=view.version, today=TODAY
    )
    assert second.superseded == first.number
    old = highlight.report_document(demo_db, "ICS", first.number)
    new = highlight.report_document(demo_db, "ICS", second.number)
    assert old.status == "superseded" and old.superseded_by == second.number
    assert old.document == first.document  # kept exactly as it was issued
    assert "Corrected: UAT started" in render_bytes(new.document, "md").decode()
    status_line = dict(new.document.blocks[0].rows)["Status"]
    assert status_line.endswith(f"corrects and supersedes report {first.number}")
    with pytest.raises(Conflict, match="already superseded"):
        highlight.correct_report(demo_db, "ICS", first.number, today=TODAY)
    # The next report follows the corrected one.
    nxt = highlight.highlight_document(demo_db, "ICS", today=TODAY + timedelta(days=30))
    assert dict(nxt.header)["Period"].startswith("02/03/2012")
    assert dict(nxt.blocks[0].rows)["Last report"].startswith(f"Highlight report {second.number}")


def test_one_draft_at_a_time(demo_db):
    first = highlight.start_draft(demo_db, "ICS", today=TODAY)
    assert highlight.start_draft(demo_db, "ICS", today=TODAY) == first
    with pytest.raises(Conflict, match=f"report {first} is already in draft"):
        highlight.correct_report(demo_db, "ICS", 6, today=TODAY)
    from sqlalchemy import text

    with pytest.raises(DBAPIError), demo_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO highlight_report (created_at, updated_at, version, project_id, "
                "number, period_start, period_end, report_date, distribution, status, "
                "status_summary, work_completed, work_planned, corrective_actions) "
                "VALUES (:t, :t, 1, :p, 99, :d, :d, :d, '', 'draft', '', '', '', '')"
            ),
            {"t": "2012-03-01 09:00:00", "p": project_id(demo_db), "d": TODAY},
        )


def test_a_stale_save_is_refused_with_both_versions(demo_db):
    view = draft_view(demo_db)
    mine = dict(view.raw, **{"status summary": "Mine"})
    theirs = dict(view.raw, **{"status summary": "Theirs"})
    highlight.save_draft(
        demo_db, "ICS", view.number, theirs, opened_version=view.version, today=TODAY, actor="alice"
    )
    with pytest.raises(EditConflict) as conflict:
        highlight.save_draft(
            demo_db,
            "ICS",
            view.number,
            mine,
            opened_version=view.version,
            today=TODAY,
            opened=view.raw,
            actor="bob",
        )
    difference = next(d for d in conflict.value.differences if d.field == "status summary")
    assert (difference.yours, difference.theirs) == ("Mine", "Theirs") and difference.clashes
    assert conflict.value.changed_by == "alice"
    assert highlight.reports_overview(demo_db, "ICS", TODAY).draft.raw["status summary"] == (
        "Theirs"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period end", "31/02/2012", "is not a date"),
        ("period end", "15/01/2012", "before the period start"),
        ("period end", "", "is required"),
        ("project scope", "purple", "is not one of"),
        ("status summary", "x" * 20_001, "at most 20,000"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(demo_db, field, value, message):
    view = draft_view(demo_db)
    before = audit_count(demo_db)
    with pytest.raises(ValidationError) as refused:
        highlight.save_draft(
            demo_db,
            "ICS",
            view.number,
            dict(view.raw, **{field: value}),
            opened_version=view.version,
            today=TODAY,
        )
    assert refused.value.for_field(field) and message in refused.value.for_field(field)
    assert audit_count(demo_db) == before


def test_a_saved_draft_round_trips_into_the_preview(demo_db):
    view = draft_view(demo_db)
    raw = complete(view.raw, **{"project scope": "amber", "stage benefits": "green"})
    version = highlight.save_draft(
        demo_db, "ICS", view.number, raw, opened_version=view.version, today=TODAY
    )
    assert version == view.version + 1
    again = highlight.reports_overview(demo_db, "ICS", TODAY).draft
    assert again.raw == raw and again.version == version
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    project_grid = tables(document, "2. RAG status")[0]
    ratings = dict(
        zip(column(project_grid, "Aspect"), column(project_grid, "This period"), strict=True)
    )
    assert ratings["Scope"] == "amber" and ratings["Overall"] == "amber"
    assert ratings["Time"] == "green"  # worked out: 30% of the project time tolerance


# --------------------------------------------------------------------------- the worked example


def test_the_worked_examples_issued_reports_are_frozen_with_their_ratings(demo_db):
    p = project_id(demo_db)
    rows = sql(
        demo_db,
        "SELECT number, issued_content FROM highlight_report WHERE "
        "project_id = :p AND status = 'issued' ORDER BY number",
        p=p,
    )
    assert [n for n, _ in rows] == [1, 2, 3, 4, 5, 6] and all(c for _, c in rows)
    copy = highlight.report_document(demo_db, "ICS", 6)
    assert copy.frozen and copy.status == "issued"
    ratings = dict(
        sql(
            demo_db,
            "SELECT r.aspect, r.rag FROM highlight_report_rating r JOIN "
            "highlight_report h ON h.id = r.report_id WHERE h.project_id = :p AND h.number = 6 "
            "AND r.level = 'project'",
            p=p,
        )
    )
    grid = tables(copy.document, "2. RAG status")[0]
    printed = dict(zip(column(grid, "Aspect"), column(grid, "This period"), strict=True))
    assert {k.lower(): v for k, v in printed.items()} == ratings
    notes = [b.text for b in section(copy.document, "5. Tolerance status") if isinstance(b, Note)]
    assert notes and notes[0].startswith("Not recorded")
    with pytest.raises(NotFound, match="no highlight report 99"):
        highlight.report_document(demo_db, "ICS", 99)


# --------------------------------------------------------------------------- quarterly summary


def test_the_quarterly_summary_shows_the_rag_trend_of_the_quarters_reports(demo_db):
    from tracker.domain.highlight import parse_quarter
    from tracker.services.quarterly import quarterly_document

    p = project_id(demo_db)
    document = quarterly_document(demo_db, "ICS", parse_quarter("2011Q4"), today=TODAY)
    trend = tables(document, "2. RAG trend")[0]
    numbers = [
        n
        for (n,) in sql(
            demo_db,
            "SELECT number FROM highlight_report WHERE project_id = :p "
            "AND status = 'issued' AND period_end BETWEEN :a AND :b ORDER BY "
            "period_end",
            p=p,
            a=date(2011, 10, 1),
            b=date(2011, 12, 31),
        )
    ]
    assert numbers == [3, 4, 5]
    assert [c.title for c in trend.columns[1:-1]] == [
        "Report 3 (Oct 2011)",
        "Report 4 (Nov 2011)",
        "Report 5 (Dec 2011)",
    ]
    scope = next(row for row in trend.rows if row[0] == "Scope")
    expected = [
        sql(
            demo_db,
            "SELECT r.rag FROM highlight_report_rating r JOIN highlight_report h ON "
            "h.id = r.report_id WHERE h.project_id = :p AND h.number = :n AND r.level = "
            "'project' AND r.aspect = 'scope'",
            p=p,
            n=n,
        )[0][0]
        for n in numbers
    ]
    assert list(scope[1:-1]) == expected == ["green", "amber", "amber"]
    assert scope[-1] == "Worse"
    changes = tables(document, "6. Requests for change")[0].rows[0]
    assert changes == (3, 2, 0, 0, 1)  # I-002, I-005, I-006 raised; I-002, I-006 approved
    empty = quarterly_document(demo_db, "ICS", parse_quarter("2012Q3"), today=TODAY)
    notes = [b.text for b in section(empty, "2. RAG trend") if isinstance(b, Note)]
    assert notes[0].startswith("No highlight report issued")


# --------------------------------------------------------------------------- reporting calendar


def test_the_reporting_calendar_shows_the_next_report_due_and_flags_overdue(demo_db):
    from tracker.services.projects import list_portfolio

    calendar = highlight.reports_overview(demo_db, "ICS", TODAY).calendar
    assert calendar.frequency == "monthly" and calendar.next_due == date(2012, 3, 5)
    assert not calendar.overdue
    assert [(d.due, d.answered_by) for d in calendar.due[:2]] == [
        (date(2011, 9, 5), 1),
        (date(2011, 10, 5), 2),
    ]
    late = highlight.reports_overview(demo_db, "ICS", date(2012, 3, 12)).calendar
    assert late.overdue and late.due[-2].overdue and not late.due[-1].overdue  # 05/03, 05/04
    ics = next(r for r in list_portfolio(demo_db, date(2012, 3, 12)) if r.key == "ICS")
    assert ics.next_highlight_due == date(2012, 3, 5) and ics.highlight_overdue

    issue_complete(demo_db)  # report 7, for the period to 01/03/2012
    ics = next(r for r in list_portfolio(demo_db, date(2012, 3, 12)) if r.key == "ICS")
    assert ics.next_highlight_due == date(2012, 4, 5) and not ics.highlight_overdue
    calendar = highlight.reports_overview(demo_db, "ICS", date(2012, 3, 12)).calendar
    assert (calendar.due[-2].due, calendar.due[-2].answered_by) == (date(2012, 3, 5), 7)
