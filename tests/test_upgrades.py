"""Upgrades keep data: a database saved at every earlier schema revision (fixtures in
tests/fixtures/upgrade, made with make_fixture.py) is upgraded to head record by record."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from db.engine import head_revision, known_revisions, open_database

FIXTURES = Path(__file__).parent / "fixtures" / "upgrade"


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.sql.gz"))


def _records(path: Path) -> dict[str, dict[tuple, dict]]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name <> 'alembic_version'"
            )
        ]
        records = {}
        for table in tables:
            keys = [r["name"] for r in conn.execute(f'PRAGMA table_info("{table}")') if r["pk"]]
            records[table] = {
                tuple(row[k] for k in keys): dict(row)
                for row in conn.execute(f'SELECT * FROM "{table}"')
            }
        return records


def test_there_is_a_fixture_for_every_earlier_revision():
    saved = {p.name.removesuffix(".sql.gz") for p in _fixtures()}
    earlier = known_revisions() - {head_revision()}
    assert earlier <= saved, (
        f"run tests/fixtures/upgrade/make_fixture.py before adding a migration: {earlier - saved}"
    )


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.name.removesuffix(".sql.gz"))
def test_every_record_survives_the_upgrade(fixture: Path, tmp_path: Path):
    path = tmp_path / "old.db"
    with gzip.open(fixture, "rt", encoding="utf-8") as dump, sqlite3.connect(path) as conn:
        conn.executescript(dump.read())
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert revision == fixture.name.removesuffix(".sql.gz")
    before = _records(path)
    assert sum(len(rows) for rows in before.values()) > 1000

    database = open_database(str(path))
    backup = database.backup_path
    database.dispose()

    after = _records(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    if revision != head_revision():
        assert backup is not None and _records(backup) == before
    for table, rows in before.items():
        assert table in after, f"table {table} disappeared"
        for key, row in rows.items():
            assert key in after[table], f"{table} {key} disappeared"
            survived = after[table][key]
            assert {c: survived[c] for c in row if c in survived} == {
                c: row[c] for c in row if c in survived
            }
