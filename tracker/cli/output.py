"""Writing a table where the user asked: standard output, or a file with ``--output``."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.cli.usage import UsageError
from tracker.exports.table import (
    BINARY_FORMATS,
    Progress,
    Table,
    normalise_format,
    write_file,
    write_text,
)


def checked_format(name: str) -> str:
    try:
        return normalise_format(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def emit(table: Table, fmt: str, output: str | None, progress: Progress | None = None) -> int:
    fmt = checked_format(fmt)
    if output:
        path = Path(output).expanduser()
        if not path.parent.is_dir():
            raise UsageError(f"--output: {path.parent} is not a directory")
        count = write_file(table, fmt, path, progress)
        _end_progress(progress)
        print(f"wrote {count} rows to {path}", file=sys.stderr)
        return count
    if fmt in BINARY_FORMATS:
        raise UsageError(f"{fmt} is a binary format: give --output FILE")
    count = write_text(table, fmt, sys.stdout, progress)
    _end_progress(progress)
    return count


def stderr_progress(what: str) -> Progress | None:
    """Rows written so far, on standard error when it is a terminal (never in a pipe or log)."""
    if not sys.stderr.isatty():
        return None

    def report(count: int) -> None:
        print(f"\r  {count:,} {what} read", end="", file=sys.stderr, flush=True)

    report.shown = True  # type: ignore[attr-defined]
    return report


def _end_progress(progress: Progress | None) -> None:
    if progress is not None and getattr(progress, "shown", False):
        print("\r\033[K", end="", file=sys.stderr, flush=True)
