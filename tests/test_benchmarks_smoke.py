"""`python -m benchmarks --quick` works end to end (a smoke test: no time is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmarks_print_their_table(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--markdown", str(tmp_path / "r.md")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tracker to first paint" in result.stdout
    assert "| area" in (tmp_path / "r.md").read_text()


def test_the_generator_is_deterministic(tmp_path):
    from sqlalchemy import text

    from benchmarks.generate import generate
    from db.engine import open_database

    dumps = []
    for name in ("a.db", "b.db"):
        db = open_database(str(tmp_path / name))
        counts = generate(db, projects=1, risks=120, issues=10, seed=7)
        with db.engine.connect() as conn:
            dumps.append(
                conn.execute(
                    text(
                        "SELECT identifier, title, cause, inherent_probability, inherent_impact, "
                        "residual_score, status FROM risk ORDER BY number"
                    )
                ).all()
            )
        db.dispose()
    assert counts == {"projects": 1, "risks": 120, "issues": 10, "risk edits": 12}
    assert dumps[0] == dumps[1] and len(dumps[0]) == 120
