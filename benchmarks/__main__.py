"""``python -m benchmarks``: every benchmark, as a table of figures and ratios to their floors.

    python -m benchmarks [--quick] [--only AREA ...] [--sizes 1000,10000,100000] [--markdown FILE]

Each ``benchmarks/bench_<area>.py`` module defines ``run(ctx: Context) -> list[Result]``.
``--quick`` uses small sizes and single runs (the test suite runs it as a smoke test; it checks
that the command works, never a time).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.harness import Result, seconds

HERE = Path(__file__).resolve().parent


@dataclass
class Context:
    """What a benchmark module needs: sizes, repeat counts, and generated databases (built once
    per size and reused)."""

    quick: bool
    sizes: list[int]
    workdir: Path
    repeat: int
    reuse: bool = False  # with --keep: a database already built in the directory is used again
    _built: dict[tuple[int, int], Path] = field(default_factory=dict)

    def database(self, risks: int, issues: int = 0) -> Path:
        """A generated single-project database with ``risks`` risks and ``issues`` issues
        (project key GEN001). Do not write to it: copy it first if a benchmark edits data."""
        key = (risks, issues)
        if key not in self._built:
            from benchmarks.generate import generate
            from db.engine import open_database

            path = self.workdir / f"gen-{risks}-{issues}.db"
            if not (self.reuse and path.exists()):
                path.unlink(missing_ok=True)
                db = open_database(str(path))
                generate(db, projects=1, risks=risks, issues=issues, seed=1)
                db.dispose()
            self._built[key] = path
        return self._built[key]

    def copy_of(self, path: Path, name: str) -> Path:
        target = self.workdir / name
        from db.engine import sqlite_backup

        target.unlink(missing_ok=True)
        sqlite_backup(path, target)
        return target


def areas() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def table(results: list[Result], fmt: str = "simple") -> str:
    from tabulate import tabulate

    rows = []
    for r in results:
        rows.append(
            [
                r.area,
                r.name,
                r.size,
                *(
                    [seconds(r.timing.median), seconds(r.timing.low), seconds(r.timing.high)]
                    if r.timing.high > 0  # a memory figure has no time
                    else ["", "", ""]
                ),
                r.floor_name,
                seconds(r.floor.median) if r.floor else "",
                f"{r.ratio:.2f}x" if r.ratio is not None else "",
                f"{r.peak_mb:.0f} MB" if r.peak_mb is not None else "",
                r.target,
                {True: "met", False: "NOT MET", None: ""}[r.met],
            ]
        )
    headers = [
        "area",
        "measure",
        "size",
        "median",
        "min",
        "max",
        "floor",
        "floor median",
        "ratio",
        "peak memory",
        "target",
        "",
    ]
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def machine() -> str:
    import os
    from importlib.metadata import version

    try:
        with open("/proc/meminfo") as handle:
            memory = int(handle.readline().split()[1]) // (1024 * 1024)
        memory_text = f"{memory} GiB"
    except OSError:
        memory_text = "unknown"
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("textual", "sqlmodel", "SQLAlchemy", "tabulate", "openpyxl")
    )
    return (
        f"{date.today():%d %B %Y}; {os.cpu_count()} cores, {memory_text} memory; "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"{libraries}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one run each (a smoke test)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=areas(), metavar="AREA", help=f"areas: {', '.join(areas())}"
    )
    parser.add_argument("--sizes", help="register sizes, e.g. 1000,10000,100000")
    parser.add_argument("--repeat", type=int, help="runs per figure (default 5, 1 with --quick)")
    parser.add_argument(
        "--markdown", metavar="FILE", help="also write the table as Markdown to FILE"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="build databases in DIR and keep them; ones already there are used again",
    )
    args = parser.parse_args(argv)
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([200] if args.quick else [1000, 10000, 100000])
    )
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        quick=args.quick,
        sizes=sizes,
        workdir=workdir,
        repeat=args.repeat or (1 if args.quick else 5),
        reuse=bool(args.keep),
    )
    results: list[Result] = []
    try:
        for area in args.only or areas():
            module = importlib.import_module(f"benchmarks.bench_{area}")
            print(f"running {area}...", file=sys.stderr)
            results.extend(module.run(ctx))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    notes = [f"- {r.area} / {r.name}: {note}" for r in results for note in r.notes]
    print(machine())
    print(table(results))
    print("\n".join(notes))
    if args.markdown:
        text = machine() + "\n\n" + table(results, "github") + "\n\n" + "\n".join(notes) + "\n"
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
