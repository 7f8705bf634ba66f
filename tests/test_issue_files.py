"""The issue register, the lessons log and the daily log in and out of the command line: every
format of the risk log through the one exporter, golden files for the text outputs, the issue
report as a document, the board's queue, and change control from the command line (subprocess,
one-line errors, exit codes 0, 1 and 2)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from conftest import run_cli
from golden_files import assert_golden
from openpyxl import load_workbook

from tracker.exports.table import render
from tracker.reports.markdown import render_markdown
from tracker.services.daily_log import daily_log_table
from tracker.services.issue_log import issue_register_table, issue_report_document
from tracker.services.lessons import lessons_log_table
from tracker.services.registers import Selection

TODAY = date(2012, 3, 1)


def cli(db, *args):
    return run_cli("--db", str(db.path), *args)


def one_line_error(result, code: int, fragment: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", ["csv", "github", "json"])
def test_the_issue_register_export_matches_its_golden_file(sqlite_demo_db, fmt):
    table = issue_register_table(sqlite_demo_db, "ICS", Selection(status="all"))
    assert_golden(f"ics-issue-register.{ {'github': 'md'}.get(fmt, fmt) }", render(table, fmt))


@pytest.mark.parametrize("fmt", ["csv", "github"])
def test_the_logs_export_match_their_golden_files(sqlite_demo_db, fmt):
    ext = {"github": "md"}.get(fmt, fmt)
    assert_golden(f"ics-lessons-log.{ext}", render(lessons_log_table(sqlite_demo_db, "ICS"), fmt))
    assert_golden(f"ics-daily-log.{ext}", render(daily_log_table(sqlite_demo_db, "ICS"), fmt))


def test_the_issue_report_document_matches_its_golden_file(sqlite_demo_db):
    for identifier in ("I-001", "I-003"):
        document = issue_report_document(sqlite_demo_db, "ICS", identifier)
        assert_golden(f"ics-issue-report-{identifier}.md", render_markdown(document))


# --------------------------------------------------------------------------- export


def test_the_export_has_every_field_and_chooses_rows_by_status(sqlite_demo_db):
    out = cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["Issue ID"] for r in rows] == ["I-002", "I-003", "I-004", "I-005", "I-006"]
    i003 = rows[1]
    assert i003["Issue type"] == "off-specification" and i003["Severity"] == "4 Major"
    assert i003["To be decided by"] == "project board" and i003["Cost of change"] == "24000"
    assert i003["Uses the change budget"] == "Yes" and i003["Date raised"] == "06/02/2012"
    assert i003["Impact on time"].startswith("Option 2 adds three weeks")

    def ids(*options):
        found = cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "json", *options)
        assert found.returncode == 0, found.stderr
        return [r["identifier"] for r in json.loads(found.stdout)]

    assert ids("--status", "closed") == ["I-001"]
    assert len(ids("--status", "all")) == 6
    first = json.loads(
        cli(
            sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "json", "--status", "all"
        ).stdout
    )[0]
    assert first["decision_date"] == "2011-09-14" and first["risks"] == "R-003 (materialised)"
    assert "cost_of_change_pence" in first


@pytest.mark.parametrize("fmt", ["simple", "grid", "html", "latex", "tsv", "rst", "markdown"])
def test_every_table_format_of_the_risk_log_writes_the_issue_register(sqlite_demo_db, fmt):
    out = cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "--format", fmt)
    assert out.returncode == 0, out.stderr
    assert "I-003" in out.stdout and "I-006" in out.stdout


def test_an_issue_register_workbook(sqlite_demo_db, tmp_path):
    target = tmp_path / "issues.xlsx"
    out = cli(
        sqlite_demo_db,
        "issues",
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
    assert out.returncode == 0 and "wrote 6 rows" in out.stderr
    book = load_workbook(target)
    assert book.sheetnames == ["ICS issue register", "Severity and change budget"]
    sheet = book["ICS issue register"]
    header = [c.value for c in sheet[1]]
    cost = sheet.cell(3, header.index("Cost of change") + 1)
    assert cost.value == 18_000  # I-002, in pounds
    reference = [[c.value for c in row] for row in book["Severity and change budget"].iter_rows()]
    assert [4, "Major", "project board"] in [row[:3] for row in reference]
    assert ["Left", "£38,500"] in [row[:2] for row in reference]


def test_html_and_csv_are_safe_with_nasty_text(sqlite_demo_db):
    nasty = '=HYPERLINK("http://evil.example") <script>x</script>'
    raised = cli(
        sqlite_demo_db,
        "issues",
        "raise",
        "--project",
        "ICS",
        "--set",
        "type=problem/concern",
        "--set",
        f"title={nasty}",
        "--set",
        "priority=2",
        "--set",
        "severity=1",
    )
    assert raised.returncode == 0, raised.stderr
    rows = list(
        csv.DictReader(
            io.StringIO(
                cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "csv").stdout
            )
        )
    )
    assert rows[-1]["Title"] == "'" + nasty
    html = cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_lessons_and_daily_log_exports(sqlite_demo_db, tmp_path):
    lessons = list(
        csv.DictReader(
            io.StringIO(
                cli(sqlite_demo_db, "lessons", "export", "--project", "ICS", "-f", "csv").stdout
            )
        )
    )
    assert [r["Lesson ID"] for r in lessons] == ["L-001", "L-002", "L-003", "L-004", "L-005"]
    assert lessons[0]["Risk"] == "R-003" and lessons[0]["Previously identified as a risk"] == "Yes"
    pending = json.loads(
        cli(
            sqlite_demo_db,
            "lessons",
            "export",
            "--project",
            "ICS",
            "-f",
            "json",
            "--status",
            "open",
        ).stdout
    )
    assert [r["identifier"] for r in pending] == ["L-005"]  # no action taken yet
    daily = cli(
        sqlite_demo_db,
        "dailylog",
        "export",
        "--project",
        "ICS",
        "-f",
        "xlsx",
        "-o",
        str(tmp_path / "daily.xlsx"),
    )
    assert daily.returncode == 0 and "wrote 10 rows" in daily.stderr
    awaiting = json.loads(
        cli(
            sqlite_demo_db,
            "dailylog",
            "export",
            "--project",
            "ICS",
            "-f",
            "json",
            "--status",
            "open",
        ).stdout
    )
    assert [r["date"] for r in awaiting] == ["2012-02-24"]


def test_bad_options_are_one_line(sqlite_demo_db):
    one_line_error(
        cli(sqlite_demo_db, "issues", "export", "--project", "NOPE"),
        1,
        "no project with key 'NOPE'",
    )
    one_line_error(
        cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "--status", "x"),
        2,
        "invalid choice",
    )
    one_line_error(
        cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "pdf"),
        2,
        "unknown format 'pdf'",
    )
    one_line_error(
        cli(sqlite_demo_db, "lessons", "export", "--project", "ICS", "-f", "xlsx"),
        2,
        "give --output FILE",
    )
    one_line_error(
        cli(sqlite_demo_db, "issues", "report", "I-099", "--project", "ICS"),
        1,
        "ICS has no issue I-099",
    )
    one_line_error(
        cli(sqlite_demo_db, "issues", "report", "I-003", "--project", "ICS", "-f", "pdf"),
        2,
        "'pdf' is not one of: md",
    )


# --------------------------------------------------------------------------- reports and queue


def test_the_issue_report_prints_to_stdout_or_a_file(sqlite_demo_db, tmp_path):
    out = cli(sqlite_demo_db, "issues", "report", "I-003", "--project", "ICS")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("**OFFICIAL**\n\n# Issue report I-003: Migration tool")
    assert "| Risk | Raises R-001 (Ofsted)" in out.stdout
    assert "approving this change would leave £14,500" in out.stdout
    target = tmp_path / "I-003.md"
    saved = cli(sqlite_demo_db, "issues", "report", "I-003", "--project", "ICS", "-o", str(target))
    assert saved.returncode == 0 and target.read_text(encoding="utf-8") == out.stdout


def test_the_board_queue_from_the_command_line(sqlite_demo_db):
    out = cli(sqlite_demo_db, "issues", "board-queue", "--project", "ICS", "-f", "json")
    assert out.returncode == 0, out.stderr
    queue = json.loads(out.stdout)
    assert [(q["identifier"], q["decides"], q["ready"]) for q in queue] == [
        ("I-003", "project board", "yes")
    ]


# --------------------------------------------------------------------------- change control


def test_change_control_from_the_command_line(sqlite_demo_db):
    env_db = ("--db", str(sqlite_demo_db.path))
    run = lambda *a: run_cli(*env_db, *a)  # noqa: E731
    one_line_error(
        run(
            "issues",
            "decide",
            "I-003",
            "--project",
            "ICS",
            "--decision",
            "approved",
            "--authority",
            "project manager",
            "--by",
            "Helen Marsh",
        ),
        1,
        "decided by authority: severity 4 (Major) is for the project board to decide, not the "
        "project manager",
    )
    one_line_error(
        run("issues", "advance", "I-003", "--project", "ICS", "--to", "closed"),
        1,
        "status: I-003 cannot go from options proposed to closed",
    )
    decided = run(
        "issues",
        "decide",
        "I-003",
        "--project",
        "ICS",
        "--decision",
        "approved",
        "--authority",
        "project board",
        "--by",
        "Chief Finance Officer",
        "--rationale",
        "Option 3",
    )
    assert decided.returncode == 0, decided.stderr
    assert "ICS I-003 saved as version 2 (status decided" in decided.stdout
    moved = run("issues", "advance", "I-003", "--project", "ICS", "--to", "implemented")
    assert moved.returncode == 0 and "status implemented" in moved.stdout
    one_line_error(
        run("issues", "advance", "I-003", "--project", "ICS", "--to", "done"),
        1,
        "'done' is not one of",
    )
    stale = run(
        "issues", "update", "I-003", "--project", "ICS", "--set", "notes=x", "--if-version", "1"
    )
    one_line_error(stale, 1, "was changed by tester after you opened it")
    one_line_error(
        run("issues", "update", "I-003", "--project", "ICS", "--set", "status=closed"),
        1,
        "status: changes through the lifecycle",
    )
    budget = json.loads(run("issues", "export", "--project", "ICS", "-f", "json").stdout)
    assert {r["identifier"]: r["status"] for r in budget}["I-003"] == "implemented"


def test_escalation_links_from_the_command_line(sqlite_demo_db):
    made = cli(
        sqlite_demo_db,
        "issues",
        "from-risk",
        "R-012",
        "--project",
        "ICS",
        "--set",
        "severity=3",
        "--set",
        "priority=4",
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "ICS R-012 materialised as I-007; R-012 closed"
    raised = cli(
        sqlite_demo_db,
        "issues",
        "raise-risk",
        "I-007",
        "--project",
        "ICS",
        "--set",
        "title=Go-live slips past the Ofsted window",
        "--set",
        "inherent probability=3",
        "--set",
        "inherent impact=5",
        "--set",
        "owner=Helen Marsh",
    )
    assert raised.returncode == 0 and raised.stdout.strip() == "ICS I-007 raised risk R-014"
    risks = json.loads(
        cli(
            sqlite_demo_db, "risks", "export", "--project", "ICS", "-f", "json", "--status", "all"
        ).stdout
    )
    by_id = {r["identifier"]: r for r in risks}
    assert by_id["R-012"]["status"] == "closed" and by_id["R-014"]["notes"] == (
        "Raised by issue I-007."
    )
    issues = json.loads(
        cli(sqlite_demo_db, "issues", "export", "--project", "ICS", "-f", "json").stdout
    )
    assert {r["identifier"]: r["risks"] for r in issues}["I-007"] == (
        "R-012 (materialised), R-014 (raised)"
    )


def test_adding_to_the_logs_from_the_command_line(sqlite_demo_db):
    added = cli(
        sqlite_demo_db,
        "lessons",
        "add",
        "--project",
        "ICS",
        "--set",
        "title=Book the cutover weekend early",
        "--set",
        "type=project",
        "--set",
        "risk=R-013",
        "--set",
        "logged by=Helen Marsh",
        "--set",
        "priority=3",
    )
    assert added.returncode == 0 and added.stdout.strip() == "ICS L-006 logged"
    one_line_error(
        cli(
            sqlite_demo_db,
            "lessons",
            "add",
            "--project",
            "ICS",
            "--set",
            "title=x",
            "--set",
            "risk=R-099",
        ),
        1,
        "risk: 'R-099' is not a risk",
    )
    written = cli(
        sqlite_demo_db,
        "dailylog",
        "add",
        "--project",
        "ICS",
        "--set",
        "description=Cutover rehearsal booked",
        "--set",
        "type=action",
        "--set",
        "target date=09/03/2012",
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == "ICS daily log entry of 01/03/2012 written"
    one_line_error(
        cli(
            sqlite_demo_db,
            "dailylog",
            "add",
            "--project",
            "ICS",
            "--set",
            "description=x",
            "--set",
            "target date=01/01/2012",
        ),
        1,
        "target date: 01/01/2012 is before the entry's date",
    )
