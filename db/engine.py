"""Finding, checking, upgrading and opening the tracker database.

Where it is: ``--db``, else ``TRACKER_DB``, else ``tracker.db`` in the user data directory.
Before anything writes to an existing SQLite file it is inspected read-only; a file that is not a
tracker database is refused and left byte-for-byte untouched. An older tracker database is copied
aside (SQLite online backup) and then upgraded by the Alembic migrations shipped in this package.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from db import audit
from db.clock import utcnow

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A problem with the database that the user can act on; the message is one line."""


class NotATrackerDatabase(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


class ReadOnlyDatabase(DatabaseError):
    pass


READ_ONLY_REFUSAL = (
    "this is a read-only session (--read-only or TRACKER_READ_ONLY): nothing was changed"
)


def read_only_requested() -> bool:
    """``TRACKER_READ_ONLY`` set to 1, true, yes or on."""
    return os.environ.get("TRACKER_READ_ONLY", "").strip().lower() in ("1", "true", "yes", "on")


class TrackerSession(Session):
    """A session whose flushes are audited."""


audit.install(TrackerSession)


@event.listens_for(TrackerSession, "before_flush")
def _refuse_writes_outside_write_sessions(session, _context, _instances) -> None:
    """A read session (and every session of a read-only database) never writes."""
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlyDatabase(
            READ_ONLY_REFUSAL
            if session.info.get("read_only") == "database"
            else "a read session tried to write; nothing was changed"
        )


def default_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("tracker", appauthor=False) / "tracker.db"


def resolve_url(db: str | None = None) -> str:
    """The SQLAlchemy URL for ``--db`` / ``TRACKER_DB`` / the default file."""
    value = (db or os.environ.get("TRACKER_DB") or "").strip()
    if not value:
        value = str(default_database_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def describe(url: str) -> str:
    """The URL for messages, without a password."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- migrations


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.MULTILINE
)


def revision_graph() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the migration files' own
    ``revision = ...`` lines. Every start checks the database's revision against these, and
    importing Alembic to ask it costs about 0.3 s; Alembic is imported only to upgrade (a test
    checks that this reading and Alembic's agree)."""
    return dict(_revision_graph(MIGRATIONS_DIR))


@functools.cache
def _revision_graph(directory: Path) -> dict[str, str | None]:
    graph: dict[str, str | None] = {}
    for path in sorted((directory / "versions").glob("*.py")):
        found = {name: value or None for name, value in _REVISION_LINE.findall(path.read_text())}
        if found.get("revision"):
            graph[found["revision"]] = found.get("down_revision")
    return graph


def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - set(graph.values())
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {sorted(heads)}"
    return heads.pop()


def known_revisions() -> set[str]:
    return set(revision_graph())


# --------------------------------------------------------------------------- inspection


@dataclass(frozen=True)
class Inspection:
    """What was found at the database location: nothing yet, or a tracker database at a
    revision."""

    revision: str | None

    @property
    def is_new(self) -> bool:
        return self.revision is None


def _refuse(path: Path, why: str) -> NotATrackerDatabase:
    return NotATrackerDatabase(f"{path} is not a tracker database ({why}); it was left untouched")


def inspect_sqlite_file(path: Path) -> Inspection:
    """Look at a SQLite file without changing a byte of it."""
    if path.is_dir():
        raise _refuse(path, "it is a directory")
    if not path.exists() or path.stat().st_size == 0:
        return Inspection(None)
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_MAGIC):
        raise _refuse(path, "not an SQLite file")
    if len(header) < 100:
        raise _refuse(path, "truncated")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter = header[24:28]
    page_count = int.from_bytes(header[28:32], "big")
    if header[92:96] == change_counter and page_count and size < page_count * page_size:
        raise _refuse(path, "the file is truncated or damaged")
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            names = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in names:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _refuse(path, f"SQLite could not read it: {exc}") from None
    if not names:
        return Inspection(None)
    if "alembic_version" not in names or revision is None:
        raise _refuse(path, "an SQLite database of some other application")
    return Inspection(revision)


def inspect_server(engine: Engine) -> Inspection:
    """Look at a server database (PostgreSQL) without changing it."""
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        if not names:
            return Inspection(None)
        if "alembic_version" not in names:
            raise NotATrackerDatabase(
                f"{describe(str(engine.url))} is not a tracker database (it holds tables of some "
                "other application); it was left untouched"
            )
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return Inspection(revision)


def _check_revision(where: str, found: Inspection) -> None:
    if found.revision is not None and found.revision not in known_revisions():
        raise DatabaseTooNew(
            f"{where} was written by a newer tracker (schema revision {found.revision}); "
            "upgrade tracker to open it"
        )


# --------------------------------------------------------------------------- engine


def _configure_sqlite(engine: Engine, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``. Read-only engines cannot write even by raw SQL: SQLite files are
    opened with ``mode=ro`` and ``query_only``; PostgreSQL sessions are READ ONLY."""
    if make_url(url).get_backend_name() == "sqlite":
        path = sqlite_path(url)
        connect_args: dict = {"check_same_thread": False, "timeout": 30}
        if read_only and path is not None:
            url = f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true"
        engine = create_engine(url, connect_args=connect_args)
        _configure_sqlite(engine, read_only)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if read_only:

        @event.listens_for(engine, "connect")
        def _read_only_session(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()

    return engine


def sqlite_backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API), written beside the
    target and renamed into place so a half-written copy never carries the target's name."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    with engine.connect() as conn:
        is_sqlite = conn.dialect.name == "sqlite"
        if is_sqlite:
            # Batch migrations rebuild tables, so foreign keys are checked once at the end
            # instead. The pragma only works outside a transaction, hence the raw connection.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            command.upgrade(alembic_config(conn), "head")
            conn.commit()
            if is_sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.rollback()
                if broken:
                    raise DatabaseError(
                        f"the upgrade left {len(broken)} rows with broken references"
                    )
        finally:
            if is_sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


@dataclass
class Database:
    """An open tracker database. Hold this, never a session: sessions are per unit of work."""

    url: str
    engine: Engine
    backup_path: Path | None = None
    read_only: bool = False

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self, actor: str | None = None) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back otherwise."""
        if self.read_only:
            raise ReadOnlyDatabase(READ_ONLY_REFUSAL)
        bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        session = TrackerSession(bind=bind, expire_on_commit=False)
        session.info["actor"] = actor or audit.default_actor()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = TrackerSession(bind=self.engine, expire_on_commit=False)
        session.info["read_only"] = "database" if self.read_only else "session"
        try:
            yield session
        finally:
            # close(), not rollback(): the pool ends the transaction, and objects read here stay
            # readable (rollback would expire them).
            session.close()

    def backup(self, target: Path) -> None:
        path = self.path
        if path is None:
            raise DatabaseError("tracker db backup copies SQLite files; for PostgreSQL use pg_dump")
        target = target.expanduser().resolve()
        if target == path.resolve():
            raise DatabaseError(f"{target} is the database itself; choose another file")
        if target.exists():
            raise DatabaseError(f"{target} already exists; choose a new file name")
        if not target.parent.is_dir():
            raise DatabaseError(f"{target.parent} is not a directory")
        sqlite_backup(path, target)

    def dispose(self) -> None:
        self.engine.dispose()


def _refuse_in_read_only(where: str, found: Inspection) -> None:
    if found.is_new:
        raise ReadOnlyDatabase(
            f"there is no tracker database at {where}; a read-only session never creates one"
        )
    if found.revision != head_revision():
        raise ReadOnlyDatabase(
            f"{where} needs an upgrade, which a read-only session cannot do: "
            "run `tracker db upgrade` without --read-only"
        )


def open_database(
    db: str | None = None, *, upgrade: bool = True, read_only: bool | None = None
) -> Database:
    """Open (creating or upgrading as needed) the tracker database named by ``db``, TRACKER_DB
    or the default location. ``read_only`` (default: ``TRACKER_READ_ONLY``) opens it so that
    nothing can be written, and never creates or upgrades it."""
    url = resolve_url(db)
    path = sqlite_path(url)
    read_only = read_only_requested() if read_only is None else read_only
    backup_path = None
    if path is not None:
        found = inspect_sqlite_file(path)
        _check_revision(str(path), found)
        if read_only:
            _refuse_in_read_only(str(path), found)
            return Database(url=url, engine=make_engine(url, read_only=True), read_only=True)
        if found.revision is not None and found.revision != head_revision():
            if not upgrade:
                raise DatabaseError(f"{path} needs an upgrade: run `tracker db upgrade`")
            stamp = utcnow().strftime("%Y%m%d-%H%M%S")
            backup_path = path.with_name(f"{path.name}.{found.revision}.{stamp}.bak")
            sqlite_backup(path, backup_path)
        if found.is_new:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        if found.revision != head_revision():
            upgrade_to_head(engine)
        return Database(url=url, engine=engine, backup_path=backup_path)

    engine = make_engine(url, read_only=read_only)
    try:
        found = inspect_server(engine)
    except DatabaseError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot connect to {describe(url)}: {first}") from None
    _check_revision(describe(url), found)
    if read_only:
        try:
            _refuse_in_read_only(describe(url), found)
        except DatabaseError:
            engine.dispose()
            raise
        return Database(url=url, engine=engine, read_only=True)
    if found.revision != head_revision():
        if found.revision is not None and not upgrade:
            engine.dispose()
            raise DatabaseError(f"{describe(url)} needs an upgrade: run `tracker db upgrade`")
        # PostgreSQL runs DDL inside the transaction: a failed upgrade leaves nothing half done.
        upgrade_to_head(engine)
    return Database(url=url, engine=engine)
