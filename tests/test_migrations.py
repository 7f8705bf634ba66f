"""The schema comes only from the Alembic migrations shipped in the package."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import db.engine as engine_module
from db.engine import head_revision, known_revisions, open_database


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_an_empty_database_is_upgraded_to_head_and_matches_the_models(db_path):
    database = open_database(str(db_path))
    with database.engine.connect() as conn:
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    database.dispose()
    assert revision == head_revision()
    assert differences == []


def test_sqlite_settings(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_migrations_ship_as_package_data():
    root = Path(engine_module.__file__).parent / "migrations"
    assert (root / "env.py").exists() and (root / "script.py.mako").exists()
    assert head_revision() in known_revisions()


def test_the_revisions_read_without_alembic_are_alembics(tmp_path, monkeypatch):
    from alembic.script import ScriptDirectory

    def alembics() -> tuple[dict, str | None]:
        scripts = ScriptDirectory.from_config(engine_module.alembic_config())
        graph = {s.revision: s.down_revision for s in scripts.walk_revisions()}
        return graph, scripts.get_current_head()

    assert (engine_module.revision_graph(), head_revision()) == alembics()
    monkeypatch.setattr(engine_module, "MIGRATIONS_DIR", _migrations_with_extra_revision(tmp_path))
    assert (engine_module.revision_graph(), head_revision()) == alembics()
    assert head_revision() == "9999"


def test_opening_a_database_at_head_does_not_import_alembic(db_path):
    open_database(str(db_path)).dispose()
    code = (
        "import sys; from db.engine import open_database; "
        f"open_database({str(db_path)!r}).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _migrations_with_extra_revision(tmp_path: Path) -> Path:
    """A copy of the shipped migrations plus one more revision, standing in for the next release."""
    copy = tmp_path / "migrations"
    shutil.copytree(
        Path(engine_module.__file__).parent / "migrations",
        copy,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (copy / "versions" / "9999_next_release.py").write_text(
        f'''"""next release"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = {head_revision()!r}
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("sponsor_note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("project") as batch:
        batch.drop_column("sponsor_note")
'''
    )
    return copy


def test_an_older_database_is_backed_up_then_upgraded_keeping_its_data(
    tmp_path, db_path, monkeypatch
):
    from tracker.services.projects import add_project, parse_project_input

    database = open_database(str(db_path))
    add_project(
        database, parse_project_input(key="ICS", name="ICS replacement", budget="£1,450,000")
    )
    database.dispose()
    old_head = head_revision()

    monkeypatch.setattr(engine_module, "MIGRATIONS_DIR", _migrations_with_extra_revision(tmp_path))
    upgraded = open_database(str(db_path))
    backup = upgraded.backup_path
    upgraded.dispose()

    assert backup is not None and backup.exists() and old_head in backup.name
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (old_head,)
        assert old.execute("SELECT key, budget_pence FROM project").fetchall() == [
            ("ICS", 145_000_000)
        ]
    with sqlite3.connect(db_path) as new:
        assert new.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
        assert new.execute("SELECT key, budget_pence, sponsor_note FROM project").fetchall() == [
            ("ICS", 145_000_000, None)
        ]
        assert new.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_database_from_a_newer_tracker_is_refused_untouched(tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(engine_module, "MIGRATIONS_DIR", _migrations_with_extra_revision(tmp_path))
    open_database(str(db_path)).dispose()
    monkeypatch.undo()
    before = db_path.read_bytes()
    with pytest.raises(engine_module.DatabaseTooNew, match="newer tracker"):
        open_database(str(db_path))
    assert db_path.read_bytes() == before


def test_expression_indexes_that_autogenerate_cannot_compare_exist(db_path):
    """Alembic cannot reflect expression indexes, so check by name that the migrations made
    every one the models declare, and that the register's score order uses it."""
    expected = {
        index.name
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if any(not hasattr(e, "name") for e in index.expressions)
    }
    assert "ix_risk_project_current_score" in expected
    database = open_database(str(db_path))
    with database.engine.connect() as conn:
        found = {
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            )
        }
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM risk WHERE project_id = 1 "
                "ORDER BY coalesce(residual_score, inherent_score) DESC, number DESC"
            )
        )
    database.dispose()
    assert expected <= found
    assert "ix_risk_project_current_score" in plan and "TEMP B-TREE" not in plan
