"""Concurrent editing (issue 8): 8 processes editing the same risks for 30 s, on SQLite and, when
``TRACKER_TEST_POSTGRESQL`` names a server, on PostgreSQL. Figures, not speed targets: saves,
conflicts detected and refused, and whether anything was lost."""

from __future__ import annotations

import os
import time
import uuid

from benchmarks.concurrency import concurrent_edits
from benchmarks.harness import Result, Timing


def _postgres_database() -> tuple[str, callable] | None:
    server = os.environ.get("TRACKER_TEST_POSTGRESQL")
    if not server:
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def _result(backend: str, url: str, seconds: float) -> Result:
    started = time.perf_counter()
    report = concurrent_edits(url, processes=8, seconds=seconds)
    result = Result(
        area="concurrency",
        name=f"8 processes editing 4 risks for {seconds:g} s ({backend})",
        size=f"{report.saves} saves",
        timing=Timing.of([time.perf_counter() - started]),
        target="no crash, no lost update, one audit entry per save",
        met=report.ok,
        notes=[
            f"{report.saves} saves, {report.conflicts} conflicts detected and refused, "
            f"{report.audit_entries} audit entries checked, {len(report.errors)} errors",
            *report.errors[:3],
            *report.problems[:3],
        ],
    )
    return result


def run(ctx) -> list[Result]:
    seconds = 5.0 if ctx.quick else 30.0
    results = [_result("SQLite", f"sqlite:///{ctx.workdir / 'concurrency.db'}", seconds)]
    postgres = _postgres_database()
    if postgres is not None:
        url, drop = postgres
        try:
            results.append(_result("PostgreSQL", url, seconds))
        finally:
            drop()
    return results
