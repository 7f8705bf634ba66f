"""Command palette: jump to any project from anywhere."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ProjectCommands(Provider):
    """Offers "Open project KEY" for every project in the database."""

    async def startup(self) -> None:
        self._projects: list[tuple[str, str]] = []
        try:
            self._projects = await asyncio.to_thread(self._load)
        except Exception:  # no database yet: the palette still works without projects
            self._projects = []

    def _load(self) -> list[tuple[str, str]]:
        from tracker.services.projects import project_keys

        return project_keys(self.app.backend.database())

    def _open(self, key: str) -> None:
        self.app.open_project(key)

    async def discover(self) -> Hits:
        for key, name in self._projects:
            yield DiscoveryHit(f"Open project {key}", partial(self._open, key), help=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key, name in self._projects:
            text = f"Open project {key} {name}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._open, key), help=name)
