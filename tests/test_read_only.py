"""Read-only sessions: every write is refused below the UI, and nothing on disk changes."""

from __future__ import annotations

import pytest
from conftest import run_cli
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from db.engine import ReadOnlyDatabase, open_database
from db.models import Project
from tracker.services.projects import add_project, parse_project_input
from tracker.services.worked_example import load_worked_example


@pytest.fixture
def read_only(demo_db):
    database = open_database(demo_db.url, read_only=True)
    yield database
    database.dispose()


def test_service_writes_are_refused(read_only):
    with pytest.raises(ReadOnlyDatabase, match="read-only session"):
        add_project(read_only, parse_project_input(key="NEW", name="New project"))
    with pytest.raises(ReadOnlyDatabase):
        load_worked_example(read_only)


def test_even_raw_sql_cannot_write(read_only):
    with pytest.raises(DBAPIError) as caught, read_only.engine.connect() as conn:
        conn.execute(text("UPDATE project SET name = 'changed'"))
        conn.commit()
    message = str(caught.value.orig).lower()
    assert "read" in message and ("only" in message or "readonly" in message)
    with read_only.read() as session:
        assert "changed" not in {p.name for p in session.exec(select(Project))}


def test_a_read_session_never_flushes_changes(demo_db):
    with pytest.raises(ReadOnlyDatabase), demo_db.read() as session:
        project = session.exec(select(Project)).first()
        project.name = "changed"
        session.flush()


def test_reading_works(read_only):
    from tracker.services.projects import list_portfolio

    assert {row.key for row in list_portfolio(read_only)} >= {"ICS", "CFA"}


def test_a_read_only_session_never_creates_or_upgrades(tmp_path):
    missing = tmp_path / "missing.db"
    with pytest.raises(ReadOnlyDatabase, match="never creates"):
        open_database(str(missing), read_only=True)
    assert not missing.exists()


def test_the_sqlite_file_is_untouched(sqlite_db, db_path):
    add_project(sqlite_db, parse_project_input(key="ICS", name="ICS"))
    sqlite_db.dispose()
    with open_database(str(db_path)).engine.connect() as conn:  # checkpoint the WAL into the file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    database = open_database(str(db_path), read_only=True)
    with pytest.raises(ReadOnlyDatabase):
        add_project(database, parse_project_input(key="CFA", name="CFA"))
    database.dispose()
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["projects", "add", "NEW", "--name", "New"],
        ["db", "upgrade"],
    ],
)
def test_every_writing_command_is_refused(db_path, command):
    assert run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS").returncode == 0
    for args, env in (
        (["--read-only", "--db", str(db_path), *command], {}),
        (["--db", str(db_path), *command], {"TRACKER_READ_ONLY": "1"}),
    ):
        result = run_cli(*args, env=env)
        assert result.returncode == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "read-only session" in lines[0], result.stderr


def test_reading_commands_work_read_only(db_path):
    run_cli("--db", str(db_path), "projects", "add", "ICS", "--name", "ICS")
    listed = run_cli("--read-only", "--db", str(db_path), "projects", "list", "-f", "csv")
    assert listed.returncode == 0 and "ICS" in listed.stdout
    trail = run_cli("--read-only", "--db", str(db_path), "audit", "--project", "ICS", "-f", "csv")
    assert trail.returncode == 0 and "project,ICS,insert" in trail.stdout
