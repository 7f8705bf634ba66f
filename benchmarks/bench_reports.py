"""Highlight reports at scale (issue 6): the next highlight report of a project with 10,000 risks
and 10,000 issues, from the database to the bytes, as Markdown and as PDF (target: PDF under
2 s), the reprint of an issued report from its frozen copy, and ``tracker report highlight
--format pdf`` end to end in a fresh process.

The generated project gets a risk snapshot on its last issued report first, so the report lists
risk movement over the whole register as a real one would. Floors: reading the same registers
with plain sqlite3 (the work no report can avoid), and ReportLab alone laying out a plain
document of the same length (the cost of a PDF at all)."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date

from benchmarks.harness import ROOT, Result, Timing, time_call

TODAY = date(2014, 6, 30)  # after everything the generator dates
TARGET_PDF = 2.0


def _with_baseline(ctx, risks: int, issues: int):
    """A copy of the generated database whose last issued report has a risk snapshot."""
    from sqlmodel import col, select

    from db.engine import open_database
    from db.models import HighlightReport
    from tracker.services.risk_snapshots import take_risk_snapshot

    path = ctx.copy_of(ctx.database(risks=risks, issues=issues), f"reports-{risks}.db")
    db = open_database(str(path))
    with db.write("benchmarks") as session:
        last = session.exec(
            select(HighlightReport).order_by(col(HighlightReport.period_end).desc()).limit(1)
        ).one()
        take_risk_snapshot(session, last)
    # ... and then the register moves on: a few hundred risks change after that report.
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE risk SET residual_probability = 5, residual_impact = 5 WHERE number % 37 = 0"
        )
        conn.execute(
            "UPDATE risk SET status = 'closed', closed_on = '2014-01-31', "
            "closure_reason = 'Passed' WHERE number % 53 = 0"
        )
    return db, path


def _floor_read(path) -> float:
    """Plain sqlite3: every column of the risk and issue registers a report looks at."""
    started = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "SELECT id, number, identifier, title, kind, status, inherent_probability, "
            "inherent_impact, residual_probability, residual_impact, owner_id, proximity_date "
            "FROM risk"
        ).fetchall()
        conn.execute("SELECT * FROM risk_snapshot").fetchall()
        conn.execute(
            "SELECT number, identifier, issue_type_id, title, date_raised, severity, priority, "
            "status, decision, decision_date, closure_date, cost_of_change_pence FROM issue"
        ).fetchall()
    return time.perf_counter() - started


def _floor_pdf(pages: int) -> None:
    """ReportLab alone: the same number of pages of plain paragraphs and a simple table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story = []
    for n in range(pages):
        story.append(Paragraph(f"Section {n}", styles["Heading2"]))
        story.append(Paragraph("A paragraph of council prose. " * 40, styles["BodyText"]))
        story.append(
            Table(
                [[f"R-{n}{i:03d}", "A risk title of ordinary length", str(i)] for i in range(25)],
                repeatRows=1,
            )
        )
    SimpleDocTemplate(io.BytesIO(), pagesize=A4, invariant=1).build(story)


def _cold_pdf(path) -> float:
    """``tracker report highlight --format pdf`` in a fresh process, to a file."""
    target = path.with_suffix(".pdf")
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "report",
            "highlight",
            "--project",
            "GEN001",
            "--format",
            "pdf",
            "--output",
            str(target),
            "--db",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_TODAY": TODAY.isoformat()},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-1500:])
    return time.perf_counter() - started


def run(ctx) -> list[Result]:
    from tracker.reports.render import render_bytes
    from tracker.services.highlight import (
        highlight_document,
        issue_report,
        report_document,
        reports_overview,
        start_draft,
    )

    size = ctx.sizes[0] if ctx.quick else 10_000
    db, path = _with_baseline(ctx, size, size)
    repeat = ctx.repeat
    label = f"{size:,} risks + {size:,} issues"
    floor_read = Timing.of([_floor_read(path) for _ in range(repeat)])

    gather = time_call(
        lambda: highlight_document(db, "GEN001", today=TODAY), repeat=repeat, warmup=1
    )
    markdown = time_call(
        lambda: render_bytes(highlight_document(db, "GEN001", today=TODAY), "md"),
        repeat=repeat,
        warmup=1,
    )
    document = highlight_document(db, "GEN001", today=TODAY)
    pdf_bytes = render_bytes(document, "pdf")
    pdf = time_call(
        lambda: render_bytes(highlight_document(db, "GEN001", today=TODAY), "pdf"),
        repeat=repeat,
        warmup=1,
    )
    from pypdf import PdfReader  # pages, so the floor lays out as many

    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    floor_pdf = time_call(lambda: _floor_pdf(pages), repeat=repeat, warmup=1)
    db.dispose()
    cold = Timing.of([_cold_pdf(path) for _ in range(max(1, min(repeat, 3)))])

    # Issue it (frozen copy + snapshot of every risk), then time the reprint.
    started = time.perf_counter()
    start_draft(db, "GEN001", today=TODAY)
    draft = reports_overview(db, "GEN001", TODAY).draft
    raw = dict(draft.raw)
    raw["status summary"] = "Generated report for the benchmark."
    for name in list(raw):
        if name.endswith(" comment"):
            raw[name] = "Benchmark comment."
    for level in ("project", "stage"):
        for aspect in ("scope", "quality", "benefits", "risk", "time", "cost"):
            raw.setdefault(f"{level} {aspect}", "")
            if not raw[f"{level} {aspect}"]:
                raw[f"{level} {aspect}"] = "green"
    issued = issue_report(
        db, "GEN001", draft.number, raw, opened_version=draft.version, today=TODAY
    )
    issue_time = time.perf_counter() - started
    reprint = time_call(
        lambda: render_bytes(report_document(db, "GEN001", issued.number).document, "pdf"),
        repeat=repeat,
        warmup=1,
    )
    db.dispose()

    results = [
        Result(
            "reports",
            "highlight report: registers to Document",
            label,
            gather,
            "sqlite3 reading the registers",
            floor_read,
        ),
        Result(
            "reports",
            "highlight report as Markdown",
            label,
            markdown,
            "sqlite3 reading the registers",
            floor_read,
        ),
        Result(
            "reports",
            f"highlight report as PDF ({pages} pages)",
            label,
            pdf,
            f"ReportLab alone, {pages} plain pages",
            floor_pdf,
            target=f"< {TARGET_PDF:g} s",
            met=pdf.median < TARGET_PDF,
        ),
        Result(
            "reports",
            "issue: freeze + snapshot of every risk",
            label,
            Timing.of([issue_time]),
            notes=[f"{issued.risks_recorded:,} risks snapshotted"],
        ),
        Result(
            "reports",
            "reprint an issued report as PDF",
            label,
            reprint,
            f"ReportLab alone, {pages} plain pages",
            floor_pdf,
            target=f"< {TARGET_PDF:g} s",
            met=reprint.median < TARGET_PDF,
        ),
        Result(
            "reports",
            "tracker report highlight --format pdf (fresh process)",
            label,
            cold,
            target=f"< {TARGET_PDF:g} s",
            met=cold.median < TARGET_PDF,
            notes=["includes Python start-up, imports and opening the database"],
        ),
    ]
    return results
