"""Nothing is lost: a writer killed with SIGKILL, and a backup taken while a writer runs. The full
100-kill run is `python -m benchmarks --only durability`; here a few kills prove the mechanism."""

from __future__ import annotations

import pytest

from benchmarks.durability import backup_while_writing, crash_test


@pytest.mark.slow
def test_killed_writers_lose_no_acknowledged_commit(tmp_path):
    report = crash_test(tmp_path / "crash.db", kills=6, seed=3)
    assert report.checks == []
    assert report.kills == 6
    assert report.acknowledged > 0 and report.found >= report.acknowledged


@pytest.mark.slow
def test_a_backup_taken_during_writes_is_consistent(tmp_path):
    assert backup_while_writing(tmp_path / "live.db", tmp_path / "copy.db", seconds=1.5) == []
