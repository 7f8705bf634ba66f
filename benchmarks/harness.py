"""Timing and memory measurement shared by every benchmark.

Each figure is the median of several runs with the min and max, measured in a fresh process where
start-up or memory matters, and reported beside a *floor*: the same job done by the plain library
underneath (sqlite3 + csv, tabulate alone, a minimal Textual app), measured in the same run on the
same machine, so the ratio means something on a noisy shared box.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timing:
    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Timing:
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


@dataclass
class Result:
    area: str
    name: str
    size: str
    timing: Timing
    floor_name: str = ""
    floor: Timing | None = None
    peak_mb: float | None = None
    target: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor.median == 0:
            return None
        return self.timing.median / self.floor.median


def time_call(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 0) -> Timing:
    """Wall time of ``fn()`` in this process."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing.of(samples)


def run_probe(code: str, *, env: dict[str, str] | None = None, timeout: float = 600) -> dict:
    """Run Python ``code`` in a fresh interpreter; it must print one JSON object on its last
    line. The probe's peak resident memory (MB) is added as ``peak_mb``."""
    wrapper = (
        "import json, resource, sys\n"
        f"exec(compile({code!r}, '<probe>', 'exec'))\n"
        "sys.stdout.flush()\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'__peak_mb': peak}))\n"
    )
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed: {done.stderr.strip()[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-2]) if len(lines) >= 2 else {}
    result["peak_mb"] = json.loads(lines[-1])["__peak_mb"]
    return result


def repeat_probe(
    code: str, key: str, *, repeat: int = 5, env: dict[str, str] | None = None
) -> tuple[Timing, float]:
    """Run a probe ``repeat`` times; the timing of its ``key`` (seconds) and the peak memory."""
    samples, peaks = [], []
    for _ in range(repeat):
        result = run_probe(code, env=env)
        samples.append(float(result[key]))
        peaks.append(result["peak_mb"])
    return Timing.of(samples), max(peaks)


def seconds(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"
