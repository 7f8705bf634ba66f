"""Shared fixtures: every test gets its own database, copied from a template that was migrated
(and, for ``demo_db``, loaded with the worked example) once per session.

The ``db`` and ``demo_db`` fixtures run each test against SQLite and, when a server answers,
against PostgreSQL too, each test in a throwaway database created from a template. Choose with
``--backend sqlite|postgresql|both`` (default: both when ``TRACKER_TEST_POSTGRESQL`` names a
server URL, else sqlite). Without a reachable server the PostgreSQL runs skip, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import Database, open_database, sqlite_backup

DEMO_TODAY = "01/03/2012"
PG_ENV = "TRACKER_TEST_POSTGRESQL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=None,
        help=f"databases to run the suite against (default: both if ${PG_ENV} is set, else sqlite)",
    )


def _backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--backend") or ("both" if os.environ.get(PG_ENV) else "sqlite")
    return ["sqlite", "postgresql"] if chosen == "both" else [chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _backends(metafunc.config), scope="session")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's database, user name or clock."""
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    monkeypatch.delenv("TRACKER_READ_ONLY", raising=False)
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.setenv("TRACKER_TODAY", DEMO_TODAY)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


# --------------------------------------------------------------------------- PostgreSQL


class PostgresServer:
    """Creates and drops throwaway databases on the test server."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", pool_pre_ping=True)

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import text

        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url(name)

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(
            f"PostgreSQL tests need ${PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    try:
        server = PostgresServer(url)
        with server.admin.connect():
            pass
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {url}: {str(exc).splitlines()[0]}")
    yield server
    server.admin.dispose()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_templates(postgres_server: PostgresServer) -> Iterator[dict[str, str]]:
    """Per test worker: a migrated template and one with the worked example loaded."""
    from tracker.services.worked_example import load_worked_example

    unique = f"{_worker()}_{uuid.uuid4().hex[:8]}"  # concurrent test runs share the server
    names = {"empty": f"tracker_tpl_empty_{unique}", "demo": f"tracker_tpl_demo_{unique}"}
    database = open_database(postgres_server.create(names["empty"]))
    database.dispose()
    database = open_database(postgres_server.create(names["demo"], template=names["empty"]))
    load_worked_example(database)
    database.dispose()
    yield names
    for name in names.values():
        postgres_server.drop(name)


# --------------------------------------------------------------------------- SQLite


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.db"
    open_database(str(path)).dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, empty_template: Path) -> Path:
    from tracker.services.worked_example import load_worked_example

    path = tmp_path_factory.mktemp("template") / "demo.db"
    sqlite_backup(empty_template, path)
    db = open_database(str(path))
    load_worked_example(db)
    db.dispose()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


def _database(
    request: pytest.FixtureRequest, backend: str, which: str, db_path: Path
) -> Iterator[Database]:
    if backend == "sqlite":
        template = request.getfixturevalue(
            "empty_template" if which == "empty" else "demo_template"
        )
        sqlite_backup(template, db_path)
        database = open_database(str(db_path))
        yield database
        database.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    templates = request.getfixturevalue("postgres_templates")
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    database = open_database(server.create(name, template=templates[which]))
    yield database
    database.dispose()
    server.drop(name)


@pytest.fixture
def db(request: pytest.FixtureRequest, backend: str, db_path: Path) -> Iterator[Database]:
    """A fresh, migrated, empty database (SQLite file or throwaway PostgreSQL database)."""
    yield from _database(request, backend, "empty", db_path)


@pytest.fixture
def demo_db(request: pytest.FixtureRequest, backend: str, db_path: Path) -> Iterator[Database]:
    """A fresh database holding the worked example."""
    yield from _database(request, backend, "demo", db_path)


@pytest.fixture
def sqlite_db(empty_template: Path, db_path: Path) -> Iterator[Database]:
    """For tests about SQLite itself (pragmas, files, backups)."""
    sqlite_backup(empty_template, db_path)
    database = open_database(str(db_path))
    yield database
    database.dispose()


@pytest.fixture
def sqlite_demo_db(demo_template: Path, db_path: Path) -> Iterator[Database]:
    """The worked example in SQLite only: for SVG snapshots, which need one name per screen."""
    sqlite_backup(demo_template, db_path)
    database = open_database(str(db_path))
    yield database
    database.dispose()


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run the command exactly as a user would (a subprocess: ``python -m tracker``)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        input=input,
        timeout=120,
    )
