"""The app's handle on the database: opened on first use, from a worker thread, so the first
frame never waits for SQLAlchemy, Alembic or a migration."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.engine import Database


class Backend:
    def __init__(self, db_arg: str | None = None, label: str | None = None):
        self.db_arg = db_arg
        self.label = label
        self._database: Database | None = None
        self._lock = threading.Lock()

    def database(self) -> Database:
        """The open database (opening, creating or upgrading it on first use). Raises
        ``db.engine.DatabaseError`` with a one-line message if it cannot be opened."""
        with self._lock:
            if self._database is None:
                from db.engine import open_database

                self._database = open_database(self.db_arg)
            return self._database

    @property
    def location(self) -> str:
        """Where the data lives, as shown in the header."""
        if self.label is not None:
            return self.label
        from db.engine import describe, resolve_url

        return describe(resolve_url(self.db_arg))

    def close(self) -> None:
        with self._lock:
            if self._database is not None:
                self._database.dispose()
                self._database = None
