"""The Stages tab's load (issue 5): the stage plan with every progress update, tolerance status
and the exception queue, plus the financial summary apportioned by financial year, for a project
of ten stages with many dated progress updates. The floor reads the same progress rows with
sqlite3 and totals them by stage in plain Python."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from benchmarks.harness import Result, time_call

STAGES = 10
TARGET_SECONDS = 1.0  # the tab's whole load, at 10,000 updates or fewer
START = date(2012, 4, 1)


def build(ctx, updates: int) -> Path:
    """A project STG of ten consecutive stages, a year each from 1 April 2012, with ``updates``
    progress updates spread evenly over them; the last stage is under way."""
    from sqlmodel import select

    from db.engine import open_database
    from db.models import Stage, StageProgress, Tolerance, ToleranceAspect
    from tracker.services.projects import ProjectInput, create_project

    path = ctx.workdir / f"stages-{updates}.db"
    if path.exists():
        return path
    db = open_database(str(path))
    per_stage = max(updates // STAGES, 1)
    with db.write("benchmark") as session:
        project = create_project(
            session,
            ProjectInput(
                key="STG",
                name="Ten-stage benchmark",
                planned_start=START,
                planned_end=START + timedelta(days=365 * STAGES - 1),
                budget_pence=STAGES * 1_000_000_00,
            ),
        )
        aspects = {
            a.name: a.id
            for a in session.exec(
                select(ToleranceAspect).where(ToleranceAspect.project_id == project.id)
            )
        }
        session.add_all(
            [
                Tolerance(project_id=project.id, aspect_id=aspects["time"], plus=30, minus=30,
                          unit="days"),
                Tolerance(project_id=project.id, aspect_id=aspects["cost"], plus=500, minus=500,
                          unit="basis_points"),
            ]
        )  # fmt: skip
        for n in range(STAGES):
            first = START + timedelta(days=365 * n)
            last = first + timedelta(days=364)
            under_way = n == STAGES - 1
            stage = Stage(
                project_id=project.id,
                sequence=n + 1,
                name=f"Stage {n + 1}",
                status="in progress" if under_way else "completed",
                planned_start=first,
                planned_end=last,
                planned_cost_pence=1_000_000_00,
                actual_start=first,
                actual_end=None if under_way else last,
                authorised_on=first,
            )
            session.add(stage)
            session.flush()
            session.add_all(
                [
                    Tolerance(project_id=project.id, stage_id=stage.id, aspect_id=aspects[name],
                              plus=plus, minus=plus, unit=unit)
                    for name, plus, unit in (("time", 10, "days"), ("cost", 500, "basis_points"))
                ]
            )  # fmt: skip
            span = 182 if under_way else 364
            rows = []
            for k in range(1, per_stage + 1):
                spent = 1_000_000_00 * k // per_stage // (2 if under_way else 1)
                forecast = 1_010_000_00
                rows.append(
                    StageProgress(
                        project_id=project.id,
                        stage_id=stage.id,
                        as_at=first + timedelta(days=span * k // per_stage),
                        actual_cost_pence=spent,
                        estimate_to_complete_pence=forecast - spent,
                        forecast_cost_pence=forecast,
                        forecast_end=last + timedelta(days=3),
                        percent_complete=min(100, 100 * k // per_stage),
                        recorded_by="benchmark",
                    )
                )
            session.add_all(rows)
            stage.actual_cost_pence = rows[-1].actual_cost_pence
            stage.forecast_cost_pence = rows[-1].forecast_cost_pence
            stage.forecast_end = rows[-1].forecast_end
            stage.percent_complete = rows[-1].percent_complete
    db.dispose()
    return path


def _floor(path) -> None:
    with sqlite3.connect(path) as conn:
        totals: dict[int, int] = {}
        for stage_id, _as_at, spent, forecast in conn.execute(
            "SELECT stage_id, as_at, actual_cost_pence, forecast_cost_pence FROM stage_progress "
            "ORDER BY stage_id, as_at, id"
        ):
            totals[stage_id] = totals.get(stage_id, 0) + spent + forecast


def run(ctx) -> list[Result]:
    from db.engine import open_database
    from tracker.services.finance import financial_summary
    from tracker.services.stage_plan import stage_plan

    results = []
    sizes = [s for s in ctx.sizes if s <= 10_000] or ctx.sizes[:1]
    for size in sizes:
        path = build(ctx, size)
        today = START + timedelta(days=365 * (STAGES - 1) + 182)
        db = open_database(str(path))

        def load(db=db, today=today):
            plan = stage_plan(db, "STG", today)
            summary = financial_summary(db, "STG", today)
            assert len(plan.stages) == STAGES and summary.by_year

        timing = time_call(load, repeat=ctx.repeat, warmup=1)
        floor = time_call(lambda path=path: _floor(path), repeat=ctx.repeat, warmup=1)
        db.dispose()
        results.append(
            Result(
                area="stages",
                name="Stages tab load: stage plan, tolerance status, exceptions, finance by year",
                size=f"{STAGES} stages, {size} progress updates",
                timing=timing,
                floor_name="sqlite3: read the same updates and total them",
                floor=floor,
                target=f"under {TARGET_SECONDS:.0f} s",
                met=timing.median < TARGET_SECONDS,
            )
        )
    return results
