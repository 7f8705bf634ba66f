"""Cold start: ``tracker`` to the first paint of the home screen (headless, a fresh process each
time) against a minimal Textual app with a Header, a Footer and a 10-row DataTable."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.harness import ROOT, Result, Timing

FIRST_PAINT = "FIRST_PAINT"

# Both probes run headless and print the wall-clock time just after their first frame.
FLOOR = """
import sys, time
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Floor(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Key", "Name", "RAG")
        for n in range(10):
            table.add_row(f"P{n}", f"Project {n}", "Green")
        self.call_after_refresh(self.painted)

    def painted(self):
        print("FIRST_PAINT", time.time(), flush=True)
        self.exit()

Floor().run(headless=True)
"""

TRACKER = """
import sys, time
from textual.app import App
from tracker.ui.screens import portfolio

original_run = App.run
def headless_run(self, *args, **kwargs):
    kwargs["headless"] = True
    return original_run(self, *args, **kwargs)
App.run = headless_run

original_mount = portfolio.PortfolioScreen.on_mount
def on_mount(self):
    original_mount(self)
    self.call_after_refresh(painted, self)
def painted(screen):
    print("FIRST_PAINT", time.time(), flush=True)
    screen.app.exit()
portfolio.PortfolioScreen.on_mount = on_mount

from tracker.cli.main import main
main([])
"""


def _cold_start(code: str, env: dict[str, str]) -> float:
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
    )
    for line in done.stdout.splitlines():
        if line.startswith(FIRST_PAINT):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no first paint: {done.stderr.strip()[-1500:]}")


def run(ctx) -> list[Result]:
    database = ctx.database(risks=ctx.sizes[0], issues=50)
    env = {"TRACKER_DB": str(database)}
    repeat = max(ctx.repeat, 3) if not ctx.quick else 1
    floor, ours = [], []
    for _ in range(repeat):  # interleaved, so a busy moment on the machine hits both
        floor.append(_cold_start(FLOOR, env))
        ours.append(_cold_start(TRACKER, env))
    result = Result(
        area="startup",
        name="tracker to first paint",
        size="portfolio",
        timing=Timing.of(ours),
        floor_name="minimal Textual app",
        floor=Timing.of(floor),
        target="<= 1.3x floor",
    )
    result.met = result.ratio is not None and result.ratio <= 1.3
    return [result]
