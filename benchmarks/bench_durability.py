"""Crash safety and online backup (issue 8): not speed, but figures that belong in RESULTS.md."""

from __future__ import annotations

import time

from benchmarks.durability import backup_while_writing, crash_test
from benchmarks.harness import Result, Timing


def run(ctx) -> list[Result]:
    kills = 5 if ctx.quick else 100
    started = time.perf_counter()
    report = crash_test(ctx.workdir / "crash.db", kills)
    crash = Result(
        area="durability",
        name=f"writer killed with SIGKILL {report.kills} times",
        size=f"{report.found} projects",
        timing=Timing.of([time.perf_counter() - started]),
        target="every acknowledged commit present, integrity ok",
        met=report.ok,
        notes=report.checks[:5],
    )
    crash.notes.append(f"{report.acknowledged} acknowledged commits, {report.found} found whole")
    started = time.perf_counter()
    problems = backup_while_writing(ctx.workdir / "live.db", ctx.workdir / "live-copy.db")
    backup = Result(
        area="durability",
        name="backup while a writer commits",
        size="",
        timing=Timing.of([time.perf_counter() - started]),
        target="consistent copy",
        met=not problems,
        notes=problems,
    )
    return [crash, backup]
