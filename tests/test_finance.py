"""The financial summary (issue 5, seed 004): historical costs, current budget provision and
projected costs, per project, per stage and per UK financial year, with a stage that crosses
1 April split between the years by days."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from conftest import run_cli
from sqlmodel import select

from db.models import Project, Stage
from tracker.domain.finance import (
    FinancialYear,
    apportion,
    days_by_year,
    financial_year,
    year_boundaries,
)
from tracker.services.finance import TOTAL, UNPHASED, financial_summary
from tracker.services.progress import record_progress

TODAY = date(2012, 3, 1)
FY11, FY12, FY13 = FinancialYear(2011), FinancialYear(2012), FinancialYear(2013)


def test_financial_years_run_from_april_to_march():
    assert financial_year(date(2012, 3, 31)) == FY11
    assert financial_year(date(2012, 4, 1)) == FY12
    assert FY11.label == "2011/12" and FinancialYear(1999).label == "1999/00"
    assert (FY11.first_day, FY11.last_day) == (date(2011, 4, 1), date(2012, 3, 31))


def test_a_stage_crossing_1_april_is_split_by_days():
    # 01/03/2012 to 31/05/2012: 31 days of March in 2011/12, 30 + 31 in 2012/13 (92 days).
    assert days_by_year(date(2012, 3, 1), date(2012, 5, 31)) == {FY11: 31, FY12: 61}
    shares = apportion(92_000_00, date(2012, 3, 1), date(2012, 5, 31))
    assert shares == {FY11: 31_000_00, FY12: 61_000_00}
    # An amount that does not divide evenly: whole pounds, adding up exactly.
    shares = apportion(1_000_000_00, date(2012, 3, 1), date(2012, 5, 31))
    assert sum(shares.values()) == 1_000_000_00
    assert all(share % 100 == 0 for share in shares.values())
    assert abs(shares[FY11] - 1_000_000_00 * 31 / 92) < 100


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2012, 3, 1), date(2012, 3, 31), {FY11: 31}),  # ends on 31 March: one year
        (date(2012, 4, 1), date(2012, 4, 30), {FY12: 30}),  # starts on 1 April: the next
        (date(2012, 3, 31), date(2012, 4, 1), {FY11: 1, FY12: 1}),
        (date(2012, 2, 1), date(2012, 3, 31), {FY11: 60}),  # 2012 is a leap year
        (
            date(2011, 1, 1),
            date(2013, 12, 31),
            {FinancialYear(2010): 90, FY11: 366, FY12: 365, FY13: 275},
        ),
        (date(2012, 6, 1), date(2012, 6, 1), {FY12: 1}),
    ],
)
def test_days_by_financial_year_at_the_edges(start, end, expected):
    assert days_by_year(start, end) == expected
    assert sum(expected.values()) == (end - start).days + 1


def test_year_boundaries_come_from_rrule():
    assert year_boundaries(date(2011, 4, 1), date(2013, 4, 1)) == [
        date(2012, 4, 1),
        date(2013, 4, 1),
    ]
    assert year_boundaries(date(2012, 4, 2), date(2013, 3, 31)) == []


@pytest.mark.parametrize("pence", [1, 99, 101, 12_345_67, -50_000_00, -150])
def test_shares_always_add_up(pence):
    shares = apportion(pence, date(2011, 10, 3), date(2012, 4, 8))
    assert sum(shares.values()) == pence
    assert set(shares) == {FY11, FY12}


def _line(lines, label_start):
    return next(line for line in lines if line.label.startswith(label_start))


def test_the_worked_example_by_stage_and_by_year(demo_db):
    summary = financial_summary(demo_db, "ICS", TODAY)
    with demo_db.read() as session:
        ics = session.exec(select(Project).where(Project.key == "ICS")).one()
        stages = session.exec(
            select(Stage).where(Stage.project_id == ics.id).order_by(Stage.sequence)
        ).all()
        budget = ics.budget_pence
        reserves = ics.change_budget_pence + ics.risk_budget_pence
    implementation = _line(summary.by_stage, "3 Implementation")
    assert implementation.budget_pence == stages[2].planned_cost_pence
    assert implementation.historical_pence == stages[2].actual_cost_pence
    assert implementation.forecast_pence == stages[2].forecast_cost_pence
    assert implementation.projected_pence == (
        stages[2].forecast_cost_pence - stages[2].actual_cost_pence
    )
    # The exception plan replaced Procurement's plan; the original baseline is still shown.
    procurement = _line(summary.by_stage, "2 Procurement")
    assert procurement.baseline_pence == procurement.budget_pence == 60_000_00
    # Per project: the budget provision is the whole budget, including what the project holds.
    assert summary.total.label == TOTAL and summary.total.budget_pence == budget
    assert sum(line.budget_pence or 0 for line in summary.by_stage) == budget
    assert summary.total.historical_pence == sum(s.actual_cost_pence or 0 for s in stages)
    assert summary.total.variance_pence == summary.total.forecast_pence - budget

    # By year, the same totals.
    years = {line.label: line for line in summary.by_year}
    assert sum(line.budget_pence for line in summary.by_year) == budget
    assert sum(line.historical_pence for line in summary.by_year) == summary.total.historical_pence
    assert sum(line.projected_pence for line in summary.by_year) == summary.total.projected_pence
    assert years[UNPHASED].budget_pence == budget - sum(s.planned_cost_pence for s in stages)
    assert years[UNPHASED].budget_pence >= reserves
    # Initiation, Procurement and Implementation are planned inside 2011/12; Closure in 2012/13.
    assert years["2011/12"].budget_pence == sum(s.planned_cost_pence for s in stages[:3])
    assert years["2012/13"].budget_pence == stages[3].planned_cost_pence
    # Everything spent so far was spent before 1 April 2012.
    assert years["2011/12"].historical_pence == summary.total.historical_pence
    # Implementation's estimate to complete runs from today to its forecast end, 08/04/2012,
    # across 1 April: 31 of its 39 days fall in 2011/12.
    to_complete = implementation.projected_pence
    days = (stages[2].forecast_end - TODAY).days + 1
    in_march = (date(2012, 3, 31) - TODAY).days + 1
    assert (days, in_march) == (39, 31)
    assert abs(years["2011/12"].projected_pence - to_complete * in_march / days) < 100
    closure = stages[3].forecast_cost_pence
    assert abs(years["2012/13"].projected_pence - (to_complete * 8 / days + closure)) < 100


def test_spending_between_progress_updates_falls_in_its_own_year(demo_db):
    """What was spent between two updates is spread over the days between them: an update just
    after 1 April puts only the days since 1 April into the new year."""
    today = date(2012, 4, 10)
    record_progress(
        demo_db,
        "ICS",
        "Implementation",
        {
            "as at": "10/04/2012",
            "actual cost to date": "£1,000,000",
            "estimate to complete": "£205,000",
            "forecast end": "20/04/2012",
            "per cent complete": "95",
        },
        today=today,
    )
    summary = financial_summary(demo_db, "ICS", today)
    years = {line.label: line for line in summary.by_year}
    spent_since = 1_000_000_00 - 760_000_00  # since the update of 29/02/2012
    days = (date(2012, 4, 10) - date(2012, 3, 1)).days + 1  # 01/03 to 10/04 inclusive
    expected_new_year = spent_since * 10 / days
    assert abs(years["2012/13"].historical_pence - expected_new_year) < 100
    assert summary.total.historical_pence == sum(line.historical_pence for line in summary.by_year)


def test_a_project_without_costs_still_summarises(demo_db):
    summary = financial_summary(demo_db, "CFA", TODAY)
    assert summary.total.historical_pence == 0 and summary.total.projected_pence == 0
    assert all(line.budget_pence is None for line in summary.by_stage)
    assert summary.by_year == ()


# --------------------------------------------------------------------------- the command


def test_finance_by_stage_and_by_year_on_the_command_line(demo_db, tmp_path):
    env = {"TRACKER_DB": demo_db.url}
    by_stage = run_cli("finance", "--project", "ics", "--format", "csv", env=env)
    assert by_stage.returncode == 0, by_stage.stderr
    rows = list(csv.DictReader(io.StringIO(by_stage.stdout)))
    assert [r["Stage"] for r in rows][:4] == [
        "1 Initiation",
        "2 Procurement: OJEU tenders for system and implementation partner",
        "3 Implementation",
        "4 Closure and transition",
    ]
    assert rows[-1]["Stage"] == TOTAL and rows[-1]["Budget provision"] == "1450000"
    assert rows[2]["Historical"] == "760000" and rows[2]["Projected"] == "445000"

    by_year = run_cli("finance", "--project", "ICS", "--by", "year", "-f", "json", env=env)
    assert by_year.returncode == 0, by_year.stderr
    years = json.loads(by_year.stdout)
    assert [y["financial_year"] for y in years] == ["2011/12", "2012/13", UNPHASED, TOTAL]
    assert sum(y["budget_pence"] for y in years[:-1]) == years[-1]["budget_pence"]

    target = tmp_path / "finance.xlsx"
    as_xlsx = run_cli(
        "finance", "--project", "ICS", "--by", "year", "-f", "xlsx", "-o", str(target), env=env
    )
    assert as_xlsx.returncode == 0, as_xlsx.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert sheet["A1"].value == "Financial year" and sheet["A2"].value == "2011/12"
    assert sheet["B2"].value == 1_245_000  # a number in the workbook, not text

    table = run_cli("finance", "--project", "ICS", env=env)
    assert "£1,450,000" in table.stdout and "Historical" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["finance", "--project", "ICS", "--by", "month"], 2, "invalid choice: 'month'"),
        (["finance", "--project", "NOPE"], 1, "no project with key 'NOPE'"),
        (["finance"], 2, "--project"),
        (["finance", "--project", "ICS", "-f", "docx"], 2, "unknown format 'docx'"),
    ],
)
def test_finance_bad_input_is_one_line(demo_db, args, code, fragment):
    result = run_cli(*args, env={"TRACKER_DB": demo_db.url})
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr


def test_a_stage_ending_on_31_march_is_not_split(demo_db):
    """Implementation's plan ends on 30/03/2012: its whole budget stays in 2011/12 (checked
    against the stage's own dates, so moving them would break this test)."""
    with demo_db.read() as session:
        stage = session.exec(select(Stage).where(Stage.name == "Implementation")).first()
    assert stage.planned_end + timedelta(days=1) < date(2012, 4, 1)
    assert apportion(stage.planned_cost_pence, stage.planned_start, stage.planned_end) == {
        FY11: stage.planned_cost_pence
    }
