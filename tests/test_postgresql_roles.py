"""The documented PostgreSQL roles (db/postgresql_roles.sql): board members can only read, and
nobody using the app role can edit or delete the audit trail."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import run_cli
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import db as db_package

ROLES_SQL = Path(db_package.__file__).parent / "postgresql_roles.sql"


@pytest.fixture
def shared_database(postgres_server, postgres_templates):
    """A demo database plus the documented roles, with names unique to this test."""
    suffix = uuid.uuid4().hex[:8]
    name = f"tracker_roles_{suffix}"
    url = postgres_server.create(name, template=postgres_templates["demo"])
    roles = {
        "tracker_app": f"tracker_app_{suffix}",
        "tracker_board": f"tracker_board_{suffix}",
        "tracker_owner": "postgres",
        "DATABASE tracker": f'DATABASE "{name}"',
    }
    script = "\n".join(
        line for line in ROLES_SQL.read_text().splitlines() if not line.strip().startswith("--")
    )
    for old, new in roles.items():
        script = script.replace(old, new)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    engine.dispose()
    as_role = {
        role: make_url(url).set(username=roles[role]).render_as_string(hide_password=False)
        for role in ("tracker_app", "tracker_board")
    }
    yield as_role
    postgres_server.drop(name)
    with postgres_server.admin.connect() as conn:
        for role in ("tracker_app", "tracker_board"):
            conn.execute(text(f'DROP ROLE IF EXISTS "{roles[role]}"'))


def test_a_board_member_can_read_but_not_write(shared_database):
    board = shared_database["tracker_board"]
    listed = run_cli("--db", board, "projects", "list", "-f", "csv")
    assert listed.returncode == 0, listed.stderr
    assert "ICS" in listed.stdout
    refused = run_cli(
        "--db", board, "projects", "add", "NEW", "--name", "Written by a board member"
    )
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: the database refused the change")
    again = run_cli("--db", board, "projects", "list", "-f", "csv")
    assert "NEW" not in again.stdout


def test_the_app_role_writes_but_cannot_touch_the_audit_trail(shared_database):
    app = shared_database["tracker_app"]
    added = run_cli("--db", app, "projects", "add", "NEW", "--name", "Written by the PM")
    assert added.returncode == 0, added.stderr
    engine = create_engine(app)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar()
        assert count > 0
        for statement in (
            "UPDATE audit_entry SET actor = 'someone else'",
            "DELETE FROM audit_entry",
            "TRUNCATE audit_entry",
        ):
            with pytest.raises(Exception, match="permission denied"):
                conn.execute(text(statement))
            conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() == count
    engine.dispose()
