"""Golden files: text outputs compared with a reviewed copy in tests/golden/.

A deliberate change is recorded with ``TRACKER_UPDATE_GOLDEN=1 pytest <test file>``; then read
the diff of tests/golden before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
# "Last updated" holds the moment the worked example was loaded: the one thing that varies.
TIMESTAMP = re.compile(
    r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*\+00:00"
)


def steady(text: str) -> str:
    return TIMESTAMP.sub("<last updated>", text)


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = steady(text)
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}: run with TRACKER_UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from its golden file"
