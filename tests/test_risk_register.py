"""The register as the screen reads it: filtering, sorting, the heat map, movement, history,
and the same validation message from the form, the importer and the command line."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import run_cli
from sqlalchemy import text

from tracker.domain.validation import ValidationError
from tracker.services.risk_changes import add_risk, change_risk, close_risk
from tracker.services.risk_register import (
    HeatCell,
    RiskFilter,
    RiskSort,
    register_context,
    register_index,
    register_rows,
    risk_history,
)

TODAY = date(2012, 3, 1)


def identifiers(db, ids):
    return [row.identifier for row in register_rows(db, "ICS", ids, TODAY)]


def sql_rows(db, where: str = "1=1", **params):
    """The ICS register straight from SQL, computed independently of the services."""
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.identifier, r.status, r.kind, "
                "coalesce(r.residual_probability, r.inherent_probability) AS p, "
                "coalesce(r.residual_impact, r.inherent_impact) AS i, "
                "r.inherent_probability AS ip, r.inherent_impact AS ii, "
                "r.title, r.cause, r.event, r.effect, o.name AS owner, c.name AS category "
                "FROM risk r JOIN project p ON p.id = r.project_id "
                "LEFT JOIN person o ON o.id = r.owner_id "
                "LEFT JOIN risk_category c ON c.id = r.category_id "
                f"WHERE p.key = 'ICS' AND {where} ORDER BY r.number"
            ),
            params,
        ).all()


def test_the_default_view_is_open_risks_by_score_then_identifier(demo_db):
    index = register_index(demo_db, "ICS")
    view = index.view()
    expected = sorted(
        (r for r in sql_rows(demo_db) if r.status != "closed"),
        key=lambda r: (-(r.p * r.i), int(r.identifier[2:])),
    )
    assert identifiers(demo_db, view.ids) == [r.identifier for r in expected]
    assert view.total == len(sql_rows(demo_db)) == 13
    assert view.count == 10


def test_free_text_matches_every_word_in_title_description_or_owner(demo_db):
    index = register_index(demo_db, "ICS")
    view = index.view(RiskFilter(text="  TRIAL load ", status="all"))
    expected = [
        r.identifier
        for r in sql_rows(demo_db)
        if all(
            w in " ".join([r.identifier, r.title, r.cause, r.event, r.effect, r.owner]).lower()
            for w in ("trial", "load")
        )
    ]
    assert sorted(identifiers(demo_db, view.ids)) == sorted(expected) and expected
    by_owner = index.view(RiskFilter(text="whitcombe"))
    assert set(identifiers(demo_db, by_owner.ids)) == {
        r.identifier
        for r in sql_rows(demo_db)
        if r.status != "closed"
        and "whitcombe" in " ".join([r.title, r.cause, r.event, r.effect, r.owner]).lower()
    }
    assert index.view(RiskFilter(text="no such words anywhere")).ids == ()


def test_status_owner_category_and_minimum_score_filters(demo_db):
    index = register_index(demo_db, "ICS")
    closed = index.view(RiskFilter(status="closed"))
    assert set(identifiers(demo_db, closed.ids)) == {
        r.identifier for r in sql_rows(demo_db, "r.status = 'closed'")
    }
    owner = index.view(RiskFilter(owner="clive jones", status="all"))
    assert set(identifiers(demo_db, owner.ids)) == {
        r.identifier for r in sql_rows(demo_db) if r.owner == "Clive Jones"
    }
    category = index.view(RiskFilter(category="Technical"))
    assert set(identifiers(demo_db, category.ids)) == {
        r.identifier
        for r in sql_rows(demo_db)
        if r.category == "Technical" and r.status != "closed"
    }
    high = index.view(RiskFilter(min_score=12))
    assert set(identifiers(demo_db, high.ids)) == {
        r.identifier for r in sql_rows(demo_db) if r.status != "closed" and r.p * r.i >= 12
    }
    inherent = index.view(RiskFilter(min_score=16, basis="inherent", status="all"))
    assert set(identifiers(demo_db, inherent.ids)) == {
        r.identifier for r in sql_rows(demo_db) if r.ip * r.ii >= 16
    }


def test_the_heat_map_counts_the_filtered_risks_and_a_cell_narrows_the_table(demo_db):
    index = register_index(demo_db, "ICS")
    view = index.view()
    expected: dict[HeatCell, int] = {}
    for r in sql_rows(demo_db, "r.status <> 'closed'"):
        cell = HeatCell(r.kind, r.p, r.i)
        expected[cell] = expected.get(cell, 0) + 1
    assert view.heat == expected
    cell = HeatCell("threat", 3, 3)
    narrowed = index.view(RiskFilter(cell=cell))
    assert narrowed.heat == view.heat  # the map keeps every cell while one is chosen
    assert narrowed.count == expected[cell] == 3
    rows = register_rows(demo_db, "ICS", narrowed.ids, TODAY)
    assert all((r.kind, r.probability, r.impact) == ("threat", 3, 3) for r in rows)
    # Inherent values put the same risks in other cells.
    inherent = index.view(RiskFilter(basis="inherent"))
    assert inherent.heat != view.heat
    assert sum(inherent.heat.values()) == sum(view.heat.values())


@pytest.mark.parametrize(
    ("key", "descending"),
    [("title", False), ("owner", False), ("proximity", False), ("category", True)],
)
def test_sorting_on_any_column_keeps_ties_in_identifier_order(demo_db, key, descending):
    index = register_index(demo_db, "ICS")
    rows = register_rows(demo_db, "ICS", index.view(sort=RiskSort(key, descending)).ids, TODAY)
    values = {
        "title": lambda r: r.title.casefold(),
        "owner": lambda r: r.owner.casefold(),
        "proximity": lambda r: r.proximity_date or date.max,
        "category": lambda r: r.category,
    }[key]
    expected = sorted(rows, key=lambda r: int(r.identifier[2:]))
    expected = sorted(expected, key=values, reverse=descending)
    assert [r.identifier for r in rows] == [r.identifier for r in expected]


def test_rows_carry_rag_tolerance_proximity_and_movement(demo_db):
    index = register_index(demo_db, "ICS")
    rows = {r.identifier: r for r in register_rows(demo_db, "ICS", index.view().ids, TODAY)}
    assert rows["R-001"].score == 16 and rows["R-001"].rag == "red"
    assert rows["R-001"].above_tolerance and not rows["R-002"].above_tolerance
    assert rows["R-013"].proximity_flag == "soon"  # 16/03/2012 is within 30 days
    assert rows["R-007"].proximity_flag is None
    # Against highlight report 6: R-001 was 3 x 4, R-004 was 4 x 4, R-013 is newer.
    assert rows["R-001"].movement == "up"
    assert rows["R-004"].movement == "down"
    assert rows["R-013"].movement == "new"
    assert rows["R-002"].movement is None
    assert index.movement() == {"new": 1, "up": 1, "down": 1, "closed": 0}
    context = register_context(demo_db, "ICS", TODAY)
    assert context.baseline == "highlight report 6 (06/02/2012)"
    assert (context.green_max, context.amber_max, context.tolerance_score) == (4, 12, 15)


def test_the_index_catches_up_with_saves_made_elsewhere(demo_db):
    index = register_index(demo_db, "ICS")
    assert not index.sync(demo_db)
    before = index.view()  # kept for a filter seen again, until the register changes
    assert index.view() is before and before.total == 13
    change_risk(
        demo_db,
        "ICS",
        "R-007",
        {"residual probability": "5", "residual impact": "5"},
        opened_version=None,
        today=TODAY,
        actor="someone else",
    )
    saved = add_risk(
        demo_db,
        "ICS",
        {
            "title": "Cutover weekend staffing",
            "inherent probability": "2",
            "inherent impact": "3",
            "owner": "Helen Marsh",
        },
        today=TODAY,
    )
    assert index.sync(demo_db)
    view = index.view()
    shown = identifiers(demo_db, view.ids)
    assert shown[0] == "R-007"  # now 25, top of the register
    assert saved.identifier == "R-014" and saved.identifier in shown
    assert view.total == 14 and view is not before


def test_history_shows_every_change_in_the_registers_words(demo_db):
    change_risk(
        demo_db,
        "ICS",
        "R-002",
        {
            "owner": "Helen Marsh",
            "inherent cost impact": "£75,000",
            "actionees": "Joanne Pike, Claire Boyd",
            "proximity date": "20/04/2012",
        },
        opened_version=None,
        today=TODAY,
        actor="helen",
    )
    close_risk(
        demo_db,
        "ICS",
        "R-002",
        reason="Backfill in place",
        opened_version=None,
        today=TODAY,
        actor="helen",
    )
    lines = risk_history(demo_db, "ICS", "R-002")
    assert lines[0].action == "registered" and lines[0].actor == "tracker demo"
    changes = {(line.field, line.old, line.new) for line in lines if line.action == "changed"}
    assert ("owner", "Director of Children's Services", "Helen Marsh") in changes
    assert ("inherent cost impact", "£60,000", "£75,000") in changes
    assert ("proximity date", "30/03/2012", "20/04/2012") in changes
    assert ("status", "active", "closed") in changes
    assert ("closure reason", "", "Backfill in place") in changes
    assert ("closed on", "", "01/03/2012") in changes
    added = [line for line in lines if line.action == "actionee added"]
    assert [(line.new, line.actor) for line in added[-1:]] == [("Claire Boyd", "helen")]
    # History is the audit trail: a later save adds lines and never rewrites earlier ones.
    before = [(line.field, line.old, line.new) for line in lines]
    change_risk(demo_db, "ICS", "R-002", {"notes": "Reviewed"}, opened_version=None, today=TODAY)
    after = [(line.field, line.old, line.new) for line in risk_history(demo_db, "ICS", "R-002")]
    assert after[: len(before)] == before and len(after) == len(before) + 1


def test_closing_needs_a_reason_and_writes_nothing_without_one(demo_db):
    with pytest.raises(ValidationError) as caught:
        close_risk(demo_db, "ICS", "R-002", reason="  ", opened_version=None, today=TODAY)
    assert caught.value.for_field("closure reason") == "is required to close a risk"
    index = register_index(demo_db, "ICS")
    assert "R-002" in identifiers(demo_db, index.view().ids)


# --------------------------------------------------------------------------- one validation path


BAD = {
    "title": "Bad probability",
    "inherent probability": "9",
    "inherent impact": "3",
    "owner": "Helen Marsh",
}
MESSAGE = "9 is outside the scale 1 to 5"


def test_the_form_the_importer_and_the_command_line_say_the_same(demo_db, tmp_path):
    # The form saves through add_risk / change_risk with the raw values it holds.
    with pytest.raises(ValidationError) as form:
        add_risk(demo_db, "ICS", BAD, today=TODAY)
    assert form.value.for_field("inherent probability") == MESSAGE

    from tracker.services.risk_import import ImportRefused, import_risks

    sheet = tmp_path / "register.csv"
    sheet.write_text(
        "Title,Likelihood,Impact,Owner\nBad probability,9,3,Helen Marsh\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as imported:
        import_risks(demo_db, sheet, "ICS", dry_run=False, today=TODAY)
    problems = {(p.row, p.field, p.message) for p in imported.value.problems}
    assert problems == {(2, "inherent probability", MESSAGE)}

    if demo_db.is_sqlite:
        cli = run_cli(
            "--db",
            str(demo_db.path),
            "risks",
            "update",
            "R-002",
            "--project",
            "ICS",
            "--set",
            "inherent probability=9",
        )
        assert cli.returncode == 1
        assert cli.stderr.strip() == f"tracker: inherent probability: {MESSAGE}"


def test_typing_and_deleting_give_the_same_answers_as_a_fresh_search(demo_db):
    """The index narrows its last answer as more is typed; each answer must still equal the
    one a fresh index gives for the same text."""
    typed = register_index(demo_db, "ICS")
    sequence = [
        "t",
        "tr",
        "tri",
        "trial",
        "trial l",
        "trial lo",
        "trial",
        "tri",
        "",
        "data",
        "data mig",
        "dat",
        "social",
        "ofsted re",
        "r-00",
        "r-0013",
        "cutover",
    ]
    for text_typed in sequence:
        for status in ("open", "all"):
            flt = RiskFilter(text=text_typed, status=status)
            fresh = register_index(demo_db, "ICS").view(flt)
            assert typed.view(flt).ids == fresh.ids, (text_typed, status)


def test_the_index_is_laid_out_in_the_opening_order_and_stays_right_when_a_save_moves_a_risk(
    demo_db,
):
    """A fresh index holds the risks in the order the register opens in, so a filter's
    matches need no sorting; a save that moves a risk breaks that order, and the index must
    then sort again rather than trust its layout."""
    index = register_index(demo_db, "ICS")
    assert isinstance(index._order(RiskSort(), "residual"), range)
    change_risk(
        demo_db,
        "ICS",
        "R-013",
        {"residual probability": "5", "residual impact": "5"},
        opened_version=None,
        today=TODAY,
        actor="someone else",
    )
    assert index.sync(demo_db)
    assert not isinstance(index._order(RiskSort(), "residual"), range)
    fresh = register_index(demo_db, "ICS")
    for text_typed in ("", "a", "data", "r-01"):
        for status in ("open", "all"):
            flt = RiskFilter(text=text_typed, status=status)
            assert index.view(flt).ids == fresh.view(flt).ids, (text_typed, status)
            assert index.view(flt).heat == fresh.view(flt).heat
    assert identifiers(demo_db, index.view().ids)[0] == "R-013"


TYPED = (
    "t", "tr", "tri", "trial", "trial lo", "data mig", "social", "ofsted re", "r-00",
    "r-0013", "cutover", "ion", "marsh", "zzz", "a b", "(", "ics",
)  # fmt: skip


def test_the_word_index_gives_the_answers_a_scan_gives(demo_db, monkeypatch):
    """With the word index built (and used however few risks are left to check), every
    filter answers exactly what scanning the texts answers, heat map included."""
    scanned = register_index(demo_db, "ICS")
    indexed = register_index(demo_db, "ICS")
    monkeypatch.setattr(type(indexed), "WORDS_FROM", 0)
    indexed.index_words()
    assert indexed.words_indexed and not scanned.words_indexed
    for typed in TYPED:
        for status in ("open", "all"):
            flt = RiskFilter(text=typed, status=status)
            assert indexed.view(flt).ids == scanned.view(flt).ids, (typed, status)
            assert indexed.view(flt).heat == scanned.view(flt).heat, (typed, status)
    holding = indexed._holding("trial", tuple(range(indexed.total)))
    assert holding is not None  # the index answered, not the scan
    assert identifiers(demo_db, [indexed.columns.ids[p] for p in sorted(holding)])


def test_a_save_after_the_word_index_was_built_is_found_by_its_new_words(demo_db, monkeypatch):
    """Risks saved since the word index was built are checked against their text: the new
    words are found, the old ones no longer are, and a risk added since is found too."""
    index = register_index(demo_db, "ICS")
    monkeypatch.setattr(type(index), "WORDS_FROM", 0)
    index.index_words()
    assert identifiers(demo_db, index.view(RiskFilter(text="quokka")).ids) == []
    before = set(identifiers(demo_db, index.view(RiskFilter(text="trial")).ids))
    assert "R-007" not in before
    change_risk(
        demo_db,
        "ICS",
        "R-007",
        {"title": "Quokka trial of the portal"},
        opened_version=None,
        today=TODAY,
        actor="someone else",
    )
    add_risk(
        demo_db,
        "ICS",
        {
            "title": "Quokkas in the server room",
            "inherent probability": "2",
            "inherent impact": "3",
            "owner": "Helen Marsh",
        },
        today=TODAY,
    )
    assert index.sync(demo_db)
    index.index_words()  # kept: the saved risks are checked against their text
    assert index.words_indexed
    found = identifiers(demo_db, index.view(RiskFilter(text="quokka")).ids)
    assert sorted(found) == ["R-007", "R-014"]
    fresh = register_index(demo_db, "ICS")
    for typed in (*TYPED, "quokka", "portal"):
        flt = RiskFilter(text=typed, status="all")
        assert index.view(flt).ids == fresh.view(flt).ids, typed
