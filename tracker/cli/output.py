"""Writing a table where the user asked: standard output, or a file with ``--output``."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.cli.usage import UsageError
from tracker.exports.table import BINARY_FORMATS, Table, normalise_format, write_file, write_text


def checked_format(name: str) -> str:
    try:
        return normalise_format(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def emit(table: Table, fmt: str, output: str | None) -> int:
    fmt = checked_format(fmt)
    if output:
        path = Path(output).expanduser()
        if not path.parent.is_dir():
            raise UsageError(f"--output: {path.parent} is not a directory")
        count = write_file(table, fmt, path)
        print(f"wrote {count} rows to {path}", file=sys.stderr)
        return count
    if fmt in BINARY_FORMATS:
        raise UsageError(f"{fmt} is a binary format: give --output FILE")
    return write_text(table, fmt, sys.stdout)
