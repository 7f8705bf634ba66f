"""The risk log in and out of files: `tracker risks export` in every format (injection-safe CSV,
escaped HTML, a workbook for people), and `tracker risks import` (all rows or none, dry runs,
council headers, round trips without loss)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from openpyxl import Workbook, load_workbook

from tracker.services.risk_changes import add_risk
from tracker.services.risk_import import ImportRefused, import_risks
from tracker.services.risk_log import RiskLogSelection, risk_log_table

TODAY = date(2012, 3, 1)
NASTY = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> & | pipes'


def cli(db, *args):
    return run_cli("--db", str(db.path), *args)


@pytest.fixture
def nasty(sqlite_demo_db):
    add_risk(
        sqlite_demo_db,
        "ICS",
        {
            "title": NASTY,
            "cause": "+cmd|' /C calc'!A0",
            "event": "@SUM(1+1)",
            "effect": "-2+3",
            "inherent probability": "2",
            "inherent impact": "2",
            "owner": "Helen Marsh",
            "notes": "'quoted already",
        },
        today=TODAY,
    )
    return sqlite_demo_db


def test_csv_neutralises_formulas_and_keeps_every_field(nasty):
    result = cli(nasty, "risks", "export", "--project", "ICS", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_id = {r["Risk ID"]: r for r in rows}
    bad = by_id["R-014"]
    assert bad["Title"] == "'" + NASTY
    assert bad["Cause"].startswith("'+") and bad["Event"].startswith("'@")
    assert bad["Effect"] == "'-2+3"
    assert bad["Notes"] == "''quoted already"  # so the importer can undo it exactly
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    # Closed risks are left out unless asked for.
    assert "R-003" not in by_id and len(rows) == 11
    assert by_id["R-001"]["Date registered"] == "13/07/2011"
    assert by_id["R-001"]["Inherent cost impact"] == "150000"
    assert by_id["R-001"]["RAG"] == "Red"


def test_status_and_minimum_score_choose_the_rows(sqlite_demo_db):
    def ids(*options):
        out = cli(sqlite_demo_db, "risks", "export", "--project", "ICS", "-f", "json", *options)
        assert out.returncode == 0, out.stderr
        return [r["identifier"] for r in json.loads(out.stdout)]

    assert ids("--status", "closed") == ["R-003", "R-008", "R-011"]
    assert len(ids("--status", "all")) == 13
    assert ids("--min-score", "12") == ["R-001", "R-002", "R-004", "R-006"]


def test_json_is_a_list_of_objects_with_iso_dates_and_stable_names(sqlite_demo_db):
    out = cli(sqlite_demo_db, "risks", "export", "--project", "ICS", "--format", "json")
    records = json.loads(out.stdout)
    first = records[0]
    assert first["identifier"] == "R-001"
    assert first["date_registered"] == "2011-07-13"
    assert first["proximity_date"] == "2012-03-31"
    assert first["inherent_cost_impact_pence"] == 15_000_000
    assert first["inherent_expected_value_pence"] == 9_000_000  # £150,000 x 60% ("High")
    assert first["rag"] == "red" and first["score"] == 16
    assert set(first) == {
        c.key if c.kind != "money" else f"{c.key}_pence"
        for c in risk_log_table(sqlite_demo_db, "ICS").columns
    }


def test_html_and_markdown_escape_register_text(nasty):
    html = cli(nasty, "risks", "export", "--project", "ICS", "--format", "html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = cli(nasty, "risks", "export", "--project", "ICS", "--format", "markdown").stdout
    line = next(line for line in markdown.splitlines() if "R-014" in line)
    assert "&lt;script&gt;" in line and "\\|" in line


@pytest.mark.parametrize("fmt", ["simple", "grid", "latex", "tsv", "rst"])
def test_every_table_format_writes_the_register(sqlite_demo_db, fmt):
    out = cli(sqlite_demo_db, "risks", "export", "--project", "ICS", "--format", fmt)
    assert out.returncode == 0, out.stderr
    assert "R-001" in out.stdout and "R-013" in out.stdout


def test_xlsx_is_a_workbook_for_people(nasty, tmp_path):
    target = tmp_path / "risks.xlsx"
    out = cli(
        nasty,
        "risks",
        "export",
        "--project",
        "ICS",
        "-f",
        "xlsx",
        "-o",
        str(target),
        "--status",
        "all",
    )
    assert out.returncode == 0, out.stderr
    assert "wrote 14 rows" in out.stderr
    book = load_workbook(target)
    assert book.sheetnames == [
        "ICS risk log",
        "Scales and RAG key",
        "Inherent matrix",
        "Residual matrix",
    ]
    sheet = book["ICS risk log"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Risk ID", "Threat or opportunity", "Title"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}15"
    registered = sheet.cell(2, header.index("Date registered") + 1)
    assert isinstance(registered.value, datetime) and registered.value.date() == date(2011, 7, 13)
    assert registered.number_format == "DD/MM/YYYY"
    rag = sheet.cell(2, header.index("RAG") + 1)
    assert rag.value == "Red" and rag.fill.start_color.rgb.endswith("FFC7CE")
    title = sheet.cell(15, header.index("Title") + 1)
    assert title.value == NASTY and title.data_type == "s"  # text, never a formula
    assert 10 <= sheet.column_dimensions["C"].width <= 60
    key = book["Scales and RAG key"]
    assert any(
        row[0].value == "Risk tolerance line" and row[1].value == 15 for row in key.iter_rows()
    )
    residual = [[c.value for c in row] for row in book["Residual matrix"].iter_rows()]
    # P4 row of the threat grid: one threat at I4.
    p4 = next(row for row in residual if row[0] == 4)
    assert p4[1:6] == [0, 0, 0, 1, 0]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed here")
def test_the_workbook_opens_in_libreoffice(sqlite_demo_db, tmp_path):
    target = tmp_path / "risks.xlsx"
    cli(sqlite_demo_db, "risks", "export", "--project", "ICS", "-f", "xlsx", "-o", str(target))
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(target)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    converted = (tmp_path / "risks.csv").read_text(encoding="utf-8", errors="replace")
    assert "R-001" in converted and "Ofsted" in converted


def test_xlsx_needs_an_output_file(sqlite_demo_db):
    out = cli(sqlite_demo_db, "risks", "export", "--project", "ICS", "--format", "xlsx")
    assert out.returncode == 2 and "give --output FILE" in out.stderr


def test_bad_options_are_one_line(sqlite_demo_db):
    for args, code, fragment in (
        (("--project", "NOPE"), 1, "no project with key 'NOPE'"),
        (("--project", "ICS", "--status", "sideways"), 2, "invalid choice"),
        (("--project", "ICS", "--min-score", "high"), 2, "invalid int value"),
        (("--project", "ICS", "--format", "pdf"), 2, "unknown format 'pdf'"),
    ):
        out = cli(sqlite_demo_db, "risks", "export", *args)
        assert out.returncode == code, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and fragment in out.stderr
        assert "Traceback" not in out.stderr


# --------------------------------------------------------------------------- import

# A register as a council keeps it: a title block, its own references and headers, H/VH
# scales, UK and ISO dates, a blank row, statuses in its own words.
COUNCIL_CSV = (Path(__file__).parent / "fixtures" / "council_risk_register.csv").read_text(
    encoding="utf-8"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def count_risks(db, key: str) -> int:
    table = risk_log_table(db, key, RiskLogSelection(status="all"))
    return sum(1 for _ in table.rows)


def test_a_council_spreadsheet_imports_with_its_own_headers(demo_db, tmp_path):
    from tracker.services.projects import add_project, parse_project_input

    add_project(demo_db, parse_project_input(key="CBC", name="Imported register"))
    path = write(tmp_path, "register.csv", COUNCIL_CSV)
    report = import_risks(demo_db, path, "CBC", dry_run=False, today=TODAY)
    assert report.imported == 3 and report.identifiers == ["R-001", "R-002", "R-003"]
    assert report.blank_rows == 1  # the empty row (the title block above the header is skipped)
    assert report.new_categories == ["Infrastructure", "People"]
    assert "Estates Manager" in report.new_people
    rows = {r[0]: r for r in risk_log_table(demo_db, "CBC", RiskLogSelection(status="all")).rows}
    titles = [c.key for c in risk_log_table(demo_db, "CBC").columns]

    def field(identifier, name):
        return rows[identifier][titles.index(name)]

    assert field("R-002", "inherent_probability") == 4 and field("R-002", "inherent_impact") == 5
    assert field("R-002", "date_registered") == date(2012, 3, 1)  # "March 2012": the 1st
    assert field("R-001", "date_registered") == date(2011, 12, 7)  # UK day first
    assert field("R-001", "status") == "active" and field("R-003", "status") == "closed"
    assert field("R-001", "response") == "Retention payments"
    assert field("R-001", "event") == "Agency staff leave before training"
    assert field("R-002", "owner") == "Estates Manager"
    assert field("R-001", "notes") == "Reference in the imported register: CB-01"


def test_a_dry_run_reports_and_writes_nothing(demo_db, tmp_path):
    path = write(tmp_path, "register.csv", COUNCIL_CSV)
    before = count_risks(demo_db, "ICS")
    report = import_risks(demo_db, path, "ICS", dry_run=True, today=TODAY)
    assert report.dry_run and report.imported == 3
    assert report.identifiers == ["R-014", "R-015", "R-016"]  # after the register's own
    assert count_risks(demo_db, "ICS") == before


def test_any_bad_row_refuses_the_whole_import_listing_every_problem(demo_db, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        "ID,Title,Probability,Impact,Score,Owner,Date raised,Response category\n"
        "R-101,Good risk,3,3,9,Helen Marsh,01/02/2012,reduce\n"
        "R-102,Score wrong,3,3,12,Helen Marsh,01/02/2012,\n"
        "R-103,Too likely,7,3,,Helen Marsh,31/02/2012,\n"
        "R-101,Duplicate id,2,2,,Helen Marsh,,exploit\n"
        "R-001,Clashes with the register,2,2,,Helen Marsh,,\n",
    )
    before = count_risks(demo_db, "ICS")
    with pytest.raises(ImportRefused) as caught:
        import_risks(demo_db, path, "ICS", dry_run=False, today=TODAY)
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert problems == {
        (3, "inherent score"),
        (4, "inherent probability"),
        (4, "date registered"),
        (5, "identifier"),
        (5, "response category"),  # exploit is for opportunities
        (6, "identifier"),
    }
    messages = {str(p) for p in caught.value.problems}
    assert "row 3, inherent score: 12 is not inherent probability 3 x impact 3 = 9" in messages
    assert "row 5, identifier: R-101 is also on row 2" in messages
    assert "row 6, identifier: R-001 is already in the ICS risk register" in messages
    assert count_risks(demo_db, "ICS") == before


def test_the_command_line_lists_problems_and_says_one_line_on_stderr(sqlite_demo_db, tmp_path):
    path = write(tmp_path, "bad.csv", "Title,Likelihood,Impact\nNo owner,3,3\n,9,9\n")
    out = cli(sqlite_demo_db, "risks", "import", str(path), "--project", "ICS")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "tracker: bad.csv: import refused: 5 problem(s) in 2 row(s); nothing was imported"
    ]
    assert "row 2, owner: is required" in out.stdout
    assert "row 3, title: is required" in out.stdout
    assert "row 3, inherent probability: 9 is outside the scale 1 to 5" in out.stdout
    assert "row 3, owner: is required" in out.stdout
    dry = cli(
        sqlite_demo_db,
        "risks",
        "import",
        str(write(tmp_path, "ok.csv", COUNCIL_CSV)),
        "--project",
        "ICS",
        "--dry-run",
    )
    assert dry.returncode == 0, dry.stderr
    assert "Would import 3 risks into ICS" in dry.stdout and "Nothing was written" in dry.stdout
    assert "would add categories: Infrastructure, People" in dry.stdout


def test_files_that_are_not_registers_are_refused_cleanly(sqlite_demo_db, tmp_path):
    for name, content, fragment in (
        ("notes.csv", "just,some\nwords,here\n", "no header row found"),
        ("register.pdf", "%PDF", "import reads .csv and .xlsx files"),
        ("broken.xlsx", "not a zip", "not a readable Excel workbook"),
        ("empty.csv", "Title,Probability,Impact\n,,\n", "no risks found"),
    ):
        out = cli(
            sqlite_demo_db,
            "risks",
            "import",
            str(write(tmp_path, name, content)),
            "--project",
            "ICS",
        )
        assert out.returncode == 1, (name, out.stderr)
        assert fragment in out.stderr and len(out.stderr.strip().splitlines()) == 1
    missing = cli(sqlite_demo_db, "risks", "import", str(tmp_path / "nope.csv"), "--project", "ICS")
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_an_excel_register_with_real_dates_and_numbers(demo_db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Risk Register"
    sheet.append(["ICS risks"])
    sheet.append(
        [
            "Ref",
            "Title",
            "Likelihood",
            "Impact",
            "Cost impact",
            "Owner",
            "Date identified",
            "Proximity",
        ]
    )
    sheet.append(
        [1, "Excel risk", 3.0, 4, 12500.5, "Helen Marsh", datetime(2012, 2, 14), "within stage"]
    )
    path = tmp_path / "register.xlsx"
    book.save(path)
    from tracker.services.projects import add_project, parse_project_input

    add_project(demo_db, parse_project_input(key="XLS", name="From Excel"))
    import_risks(demo_db, path, "XLS", dry_run=False, today=TODAY)
    table = risk_log_table(demo_db, "XLS")
    keys = [c.key for c in table.columns]
    row = dict(zip(keys, next(iter(table.rows)), strict=True))
    assert row["identifier"] == "R-001"
    assert (row["inherent_probability"], row["inherent_impact"]) == (3, 4)
    assert row["inherent_cost_impact"] == 1_250_050  # £12,500.50 exactly, in pence
    assert row["date_registered"] == date(2012, 2, 14)
    assert row["proximity_band"] == "within stage" and row["proximity_date"] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_project_gives_the_same_register(nasty, tmp_path, fmt):
    path = tmp_path / f"ics.{fmt}"
    out = cli(
        nasty, "risks", "export", "--project", "ICS", "-f", fmt, "-o", str(path), "--status", "all"
    )
    assert out.returncode == 0, out.stderr
    assert cli(nasty, "projects", "add", "COPY", "--name", "Copy").returncode == 0
    imported = cli(nasty, "risks", "import", str(path), "--project", "COPY")
    assert imported.returncode == 0, imported.stdout + imported.stderr

    def register(key):
        out = cli(nasty, "risks", "export", "--project", key, "-f", "json", "--status", "all")
        records = json.loads(out.stdout)
        for record in records:
            record.pop("updated")
        return records

    original, copy = register("ICS"), register("COPY")
    assert len(original) == 14 and copy == original


def test_actionees_are_the_same_for_the_whole_log_and_for_chosen_rows(demo_db):
    """A whole log reads every risk's actionees in one query; the screen's chosen rows read
    theirs a chunk at a time: both give each risk its own names, in name order."""
    add_risk(
        demo_db,
        "ICS",
        {
            "title": "Two actionees",
            "inherent probability": "2",
            "inherent impact": "3",
            "owner": "Helen Marsh",
            "actionees": "Joanne Pike, Claire Boyd",
        },
        today=TODAY,
    )
    whole = risk_log_table(demo_db, "ICS", RiskLogSelection(status="all"))
    where = [c.key for c in whole.columns].index("actionees")
    rows = list(whole.rows)
    by_id = {row[0]: row[where] for row in rows}
    assert by_id["R-014"] == "Claire Boyd, Joanne Pike"
    with demo_db.read() as session:
        from sqlalchemy import select

        from db.models import Project, Risk

        ics = select(Project.id).where(Project.key == "ICS").scalar_subquery()
        ids = list(
            session.execute(
                select(Risk.id).where(Risk.project_id == ics).order_by(Risk.number.desc())
            ).scalars()
        )
        updated = dict(
            session.execute(
                select(Risk.identifier, Risk.updated_at).where(Risk.project_id == ics)
            ).all()
        )
    # Timestamps are read as stored and made aware UTC again, equal to what the ORM reads.
    assert {r[0]: r[-1] for r in rows} == updated
    assert all(r[-1].utcoffset() == timedelta(0) for r in rows)
    chosen = risk_log_table(demo_db, "ICS", RiskLogSelection(ids=ids))
    rows = list(chosen.rows)
    assert [r[0] for r in rows] == sorted(by_id, reverse=True)
    assert {r[0]: r[where] for r in rows} == by_id


def test_spreadsheet_timestamps_are_london_time_either_side_of_the_clock_change():
    from datetime import UTC, timezone

    from tracker.exports.table import DATETIME, Column, Table, local_time, render

    stamps = [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # clocks go forward at 01:00 UTC
        datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # and back at 01:00 UTC
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=-4))),
    ]
    table = Table("stamps", [Column("at", "At", DATETIME)], [(s,) for s in stamps])
    assert render(table, "csv").splitlines()[1:] == [
        "29/03/2026 00:59:59",
        "29/03/2026 02:00:00",
        "25/10/2026 01:30:00",
        "25/10/2026 01:30:00",
        "01/07/2026 17:00:00",
    ]
    assert [local_time(s) for s in stamps] == render(table, "tsv").splitlines()[1:]
