"""Proof that nothing is lost: a writer killed with SIGKILL at random points, and a backup taken
while a writer runs.

Run with ``python -m benchmarks --only durability`` (100 kills); the test suite runs a few kills
(``tests/test_durability.py``). Each writer transaction creates a whole project through the
services (the project row plus its seeded vocabulary: dozens of rows and their audit entries), and
prints the project's key only after ``commit`` has returned. After every kill the database must
pass ``PRAGMA integrity_check``, open normally, hold every printed project, and hold each project
whole (all of its vocabulary and audit rows, never part of a transaction).
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import ROOT

WRITER = """
import sys
from db.engine import open_database
from tracker.services.projects import ProjectInput, add_project

db = open_database(sys.argv[1])
start = int(sys.argv[2])
n = start
while True:
    key = f"K{n:06d}"
    add_project(db, ProjectInput(key=key, name=f"Crash test project {n}"))
    print(key, flush=True)
    n += 1
"""


@dataclass
class CrashReport:
    kills: int = 0
    acknowledged: int = 0
    found: int = 0
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.checks


def _whole_projects(path: Path) -> tuple[set[str], list[str]]:
    """Keys present, and any project that is not whole (missing vocabulary or audit rows)."""
    problems = []
    with sqlite3.connect(path) as conn:
        if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            problems.append("integrity_check failed")
        keys = {k for (k,) in conn.execute("SELECT key FROM project")}
        partial = conn.execute(
            "SELECT p.key FROM project p WHERE "
            "(SELECT count(*) FROM probability_level l WHERE l.project_id = p.id) <> 5 OR "
            "(SELECT count(*) FROM tolerance_aspect a WHERE a.project_id = p.id) <> 6 OR "
            "(SELECT count(*) FROM audit_entry e WHERE e.project_id = p.id) < 40"
        ).fetchall()
        problems += [f"project {k} is not whole" for (k,) in partial]
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("broken references")
    return keys, problems


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        process.kill()
        raise RuntimeError("the writer never committed: " + process.communicate()[1][-1000:])
    return process.stdout.readline()


def crash_test(path: Path, kills: int, *, seed: int = 1, max_run: float = 0.6) -> CrashReport:
    """Kill a writer ``kills`` times at random moments; check the database after each kill."""
    from db.engine import open_database

    rng = random.Random(seed)
    report = CrashReport()
    open_database(str(path)).dispose()
    acknowledged: set[str] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_USER": "crash-test"}
    env.pop("TRACKER_READ_ONLY", None)
    for round_number in range(kills):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(round_number * 100_000)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        first = _first_line(writer, timeout=60)  # start-up over: it is committing now
        time.sleep(rng.random() * max_run)  # then kill it at a random point in its writes
        os.kill(writer.pid, signal.SIGKILL)
        out, _err = writer.communicate()
        acknowledged.update(line.strip() for line in [first, *out.splitlines()] if line.strip())
        report.kills += 1
        keys, problems = _whole_projects(path)
        missing = acknowledged - keys
        if missing:
            problems.append(
                f"after kill {report.kills}: {len(missing)} acknowledged commits missing"
            )
        try:
            open_database(str(path)).dispose()
        except Exception as exc:  # the database must still open normally
            problems.append(f"after kill {report.kills}: does not open: {exc}")
        report.checks += problems
    report.acknowledged = len(acknowledged)
    report.found = len(_whole_projects(path)[0])
    return report


def backup_while_writing(path: Path, backup: Path, *, seconds: float = 2.0) -> list[str]:
    """Take ``tracker db backup`` while a writer commits projects; the copy must be a consistent
    snapshot (integrity ok, every project whole)."""
    from db.engine import open_database

    open_database(str(path)).dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_USER": "backup-test"}
    env.pop("TRACKER_READ_ONLY", None)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "900000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        _first_line(writer, timeout=60)
        time.sleep(seconds)  # let it commit for a while, then copy mid-stream
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "--db", str(path), "db", "backup", str(backup)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        writer.kill()
        writer.communicate()
    if done.returncode != 0:
        return [f"backup failed: {done.stderr.strip()}"]
    keys, problems = _whole_projects(backup)
    if not keys:
        problems.append("the backup holds no projects: it was taken before any write")
    return problems
