"""Every command as a user runs it: a subprocess, one-line errors, exit codes 0, 1 and 2."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli

from db.engine import head_revision


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tracker: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("tracker 0.")


def test_projects_add_then_list_in_formats(db_path):
    added = run_cli(
        "--db",
        str(db_path),
        "projects",
        "add",
        "ics",
        "--name",
        "ICS replacement",
        "--organisation",
        "Central Bedfordshire Council",
        "--start",
        "12/07/2011",
        "--end",
        "April 2012",
        "--budget",
        "£1,450,000",
    )
    assert added.returncode == 0, added.stderr
    assert "Created project ICS" in added.stdout

    table = run_cli("projects", "list", "--db", str(db_path))  # --db after the subcommand too
    assert table.returncode == 0, table.stderr
    assert "ICS" in table.stdout and "£1,450,000" in table.stdout

    as_csv = run_cli("--db", str(db_path), "projects", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["Key"] == "ICS" and rows[0]["Budget"] == "1450000"
    assert rows[0]["Highlight report due"] == "12/08/2011"

    as_json = json.loads(run_cli("--db", str(db_path), "projects", "list", "-f", "json").stdout)
    assert as_json[0]["key"] == "ICS" and as_json[0]["budget_pence"] == 145_000_000
    assert as_json[0]["next_highlight_due"] == "2011-08-12"

    markdown = run_cli("--db", str(db_path), "projects", "list", "-f", "markdown").stdout
    assert markdown.splitlines()[0].startswith("| Key")


def test_projects_list_to_a_file(db_path, tmp_path):
    run_cli("--db", str(db_path), "projects", "add", "CFA", "--name", "CFA ICT programme")
    target = tmp_path / "portfolio.xlsx"
    result = run_cli(
        "--db", str(db_path), "projects", "list", "-f", "xlsx", "--output", str(target)
    )
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert sheet["A1"].value == "Key" and sheet["A2"].value == "CFA"
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["projects", "add", "1X", "--name", "Bad key"], 1, ["key:", "'1X'"]),
        (
            ["projects", "add", "OK", "--name", "x", "--start", "31/02/2012"],
            1,
            ["start:", "'31/02/2012'"],
        ),
        (["projects", "add", "OK", "--name", "x", "--budget", "lots"], 1, ["budget:", "'lots'"]),
        (
            [
                "projects",
                "add",
                "OK",
                "--name",
                "x",
                "--start",
                "01/05/2012",
                "--end",
                "01/04/2012",
            ],
            1,
            ["end:", "before the start"],
        ),
        (["projects", "add", "OK", "--name", "x", "--profile", "PRINCE3"], 1, ["profile:"]),
        (["projects", "add", "OK"], 2, ["--name"]),
        (["projects", "list", "--format", "docx"], 2, ["unknown format 'docx'"]),
        (["projects", "list", "--format", "xlsx"], 2, ["--output"]),
        (["projects", "list", "--format", "unsafehtml"], 2, ["unknown format"]),
        (["no-such-command"], 2, ["invalid choice"]),
        (["projects"], 2, []),
    ],
)
def test_bad_input_gets_one_line_and_writes_nothing(db_path, args, code, fragments):
    result = run_cli("--db", str(db_path), *args)
    assert_one_line_error(result, code, *fragments)
    if db_path.exists():
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("SELECT count(*) FROM project").fetchone() == (0,)


def test_duplicate_project_is_a_conflict(db_path):
    run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "First")
    result = run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "Second")
    assert_one_line_error(result, 1, "ICS already exists")


def test_default_database_lives_in_the_user_data_directory(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_cli("projects", "add", "ICS", "--name", "ICS", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "tracker" / "tracker.db").exists()


def test_tracker_db_environment_variable(tmp_path):
    target = tmp_path / "from-env.db"
    result = run_cli("projects", "add", "ICS", "--name", "ICS", env={"TRACKER_DB": str(target)})
    assert result.returncode == 0, result.stderr
    assert target.exists()
    explicit = tmp_path / "explicit.db"
    run_cli(
        "--db",
        str(explicit),
        "projects",
        "add",
        "CFA",
        "--name",
        "CFA",
        env={"TRACKER_DB": str(target)},
    )
    with sqlite3.connect(explicit) as conn:
        assert conn.execute("SELECT key FROM project").fetchall() == [("CFA",)]


def test_db_upgrade_reports_what_it_did(db_path):
    created = run_cli("--db", str(db_path), "db", "upgrade")
    assert (
        created.returncode == 0
        and "Created" in created.stdout
        and head_revision() in created.stdout
    )
    again = run_cli("--db", str(db_path), "db", "upgrade")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_db_backup_is_a_consistent_copy_while_the_database_is_open(db_path, tmp_path):
    run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS")
    holder = sqlite3.connect(db_path)  # another process-like connection holds a write transaction
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE project SET name = 'uncommitted' WHERE key = 'ICS'")
    target = tmp_path / "copy.db"
    result = run_cli("--db", str(db_path), "db", "backup", str(target))
    holder.rollback()
    holder.close()
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT name FROM project").fetchall() == [("ICS",)]
    refused = run_cli("--db", str(db_path), "db", "backup", str(target))
    assert_one_line_error(refused, 1, "already exists")


def _other_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")


def _truncated(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE big (x TEXT)")
        conn.executemany("INSERT INTO big VALUES (?)", [("x" * 500,)] * 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_text("Risk register\nR-001, Ofsted\n"), "not an SQLite file"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 40), "truncated"),
        (_other_sqlite, "some other application"),
        (_truncated, "truncated or damaged"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["projects", "list"], ["demo"], ["db", "upgrade"], ["projects", "add", "ICS", "--name", "x"]],
)
def test_a_file_that_is_not_a_tracker_database_is_refused_untouched(
    tmp_path, make, reason, command
):
    path = tmp_path / "not-tracker.db"
    make(path)
    before = path.read_bytes()
    result = run_cli("--db", str(path), *command)
    assert_one_line_error(result, 1, "not a tracker database", reason, str(path))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-tracker.db"]


def test_the_tui_refuses_a_bad_database_with_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    result = run_cli("--db", str(path), env={"TERM": "dumb"})
    assert result.returncode == 1
    assert "not a tracker database" in result.stderr
    assert path.read_text() == "not a database"


def test_unreachable_server_is_one_line():
    result = run_cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "projects", "list")
    assert_one_line_error(result, 1, "cannot connect")
