"""Proof that concurrent editing loses nothing: several processes edit the same risks of one
project at once, each through the versioned save the TUI and CLI use.

Every worker loops: read a risk (its version and cost impact), then save the cost impact plus
£1 on that version. A save that finds the risk changed since the read is refused as a conflict
and simply retried on a fresh read, the way a person re-applies their edit. At the end each
risk's cost impact must equal its starting value plus £1 for every save the workers saw succeed
(a lost update would leave it short), the audit trail must hold exactly one entry per successful
save with the old and new values chaining without a gap, and no worker may have crashed (no
"database is locked", no serialisation failure reaching the user).

``python -m benchmarks --only concurrency`` runs 8 processes for 30 s on SQLite and, when
``TRACKER_TEST_POSTGRESQL`` names a server, on PostgreSQL; ``tests/test_concurrency.py`` runs a
short version on both backends.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

from benchmarks.harness import ROOT

RISKS = ("R-001", "R-002", "R-003", "R-004")
PROJECT = "ICS"

WORKER = """
import json, random, sys, time
from datetime import date
from sqlmodel import select
from db.engine import open_database
from db.models import Project, Risk
from tracker.services.records import EditConflict
from tracker.services.risk_changes import change_risk

url, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
risks, project = sys.argv[4].split(","), sys.argv[5]
db = open_database(url)
rng = random.Random(seed)
saved = {r: 0 for r in risks}
conflicts = 0
errors = []
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    identifier = rng.choice(risks)
    try:
        with db.read() as session:
            risk = session.exec(
                select(Risk).join(Project).where(
                    Project.key == project, Risk.identifier == identifier
                )
            ).one()
            version, pence = risk.version, risk.inherent_cost_impact_pence or 0
        change_risk(
            db, project, identifier,
            {"inherent cost impact": str((pence + 100) // 100)},
            opened_version=version, today=date(2012, 3, 1), actor=f"worker-{seed}",
        )
        saved[identifier] += 1
    except EditConflict:
        conflicts += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        if len(errors) > 20:
            break
print(json.dumps({"saved": saved, "conflicts": conflicts, "errors": errors}))
"""


@dataclass
class ConcurrencyReport:
    processes: int
    seconds: float
    saves: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems


def _state(db) -> dict[str, tuple[int, list[tuple[str | None, str | None]]]]:
    """Each test risk's cost impact in pence and its audit chain for that field."""
    from sqlmodel import select

    from db.models import AuditEntry, Project, Risk

    state = {}
    with db.read() as session:
        for identifier in RISKS:
            risk = session.exec(
                select(Risk)
                .join(Project)
                .where(Project.key == PROJECT, Risk.identifier == identifier)
            ).one()
            chain = session.exec(
                select(AuditEntry.old_value, AuditEntry.new_value)
                .where(
                    AuditEntry.table_name == "risk",
                    AuditEntry.record_id == str(risk.id),
                    AuditEntry.field == "inherent_cost_impact_pence",
                    AuditEntry.action == "update",
                )
                .order_by(AuditEntry.id)
            ).all()
            state[identifier] = (risk.inherent_cost_impact_pence or 0, list(chain))
    return state


def concurrent_edits(url: str, processes: int = 8, seconds: float = 30.0) -> ConcurrencyReport:
    """Load the worked example into ``url`` (an empty tracker database), run the workers, and
    check what they left."""
    from db.engine import open_database
    from tracker.services.worked_example import load_worked_example

    db = open_database(url)
    load_worked_example(db)
    before = _state(db)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(seconds), str(n), ",".join(RISKS), PROJECT],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    report = ConcurrencyReport(processes, seconds)
    saved = {identifier: 0 for identifier in RISKS}
    for worker in workers:
        out, err = worker.communicate(timeout=seconds + 120)
        if worker.returncode != 0 or not out.strip():
            report.errors.append(f"worker exited {worker.returncode}: {err.strip()[-300:]}")
            continue
        result = json.loads(out.strip().splitlines()[-1])
        for identifier, count in result["saved"].items():
            saved[identifier] += count
        report.conflicts += result["conflicts"]
        report.errors += result["errors"]
    report.saves = sum(saved.values())
    after = _state(db)
    for identifier in RISKS:
        start, old_chain = before[identifier]
        end, chain = after[identifier]
        new_entries = chain[len(old_chain) :]
        report.audit_entries += len(new_entries)
        if end != start + 100 * saved[identifier]:
            report.problems.append(
                f"{identifier}: cost impact {end} pence, expected {start} + "
                f"{saved[identifier]} saves x 100 (lost updates)"
            )
        if len(new_entries) != saved[identifier]:
            report.problems.append(
                f"{identifier}: {len(new_entries)} audit entries for {saved[identifier]} saves"
            )
        previous = str(start) if start else None
        for old, new in new_entries:
            if old != previous:
                report.problems.append(f"{identifier}: audit chain breaks at {old} -> {new}")
                break
            previous = new
    db.dispose()
    return report
