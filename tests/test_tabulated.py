"""Tables written block by block are the table tabulate makes from all the rows at once."""

from __future__ import annotations

import io

import pytest
from tabulate import tabulate

from tracker.exports import tabulated
from tracker.exports.table import OWN_FORMATS, table_formats

HEADERS = ["Ref", "Title", "Score", "Cause"]
ALIGNS = ["left", "left", "right", "left"]
WRAPS = [None, None, None, 20]
ROWS = [
    ["R1", "Data migration", "20", "Legacy records are incomplete and need cleansing first"],
    ["R2", "Social work capacity", "9", "short"],
    ["R3", "  padded title  ", "12", ""],
    ["R4", "Pipes | and <tags> & stars *", "4", "line one\nline two is rather longer than twenty"],
    ["R5", "Budget £1,200 – café", "25", "averyveryveryverylongwordthatmustbreak here"],
    ["R6", "", "1", "hyphen-ated-words-that-go-on-and-on"],
    ["R7", "Last", "16", "tab\tinside"],
]
FORMATS = [f for f in table_formats() if f not in OWN_FORMATS and f not in ("markdown", "md")]


def chunked(rows, fmt, wraps, monkeypatch, block=3):
    monkeypatch.setattr(tabulated, "BLOCK", block)
    out = io.StringIO()
    count = tabulated.write_tabulated(
        [list(r) for r in rows], HEADERS, ALIGNS, fmt, out, wrap_widths=wraps
    )
    assert count == len(rows)
    return out.getvalue()


def whole(rows, fmt, wraps):
    return tabulate(
        [list(r) for r in rows],
        headers=HEADERS,
        tablefmt=fmt,
        colalign=ALIGNS,
        disable_numparse=True,
        maxcolwidths=wraps,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_blocks_make_the_whole_table(fmt, monkeypatch):
    for block in (1, 2, 3, 7, 100):
        assert chunked(ROWS, fmt, WRAPS, monkeypatch, block) == whole(ROWS, fmt, WRAPS), block


@pytest.mark.parametrize("fmt", ["simple", "grid", "github", "html", "rst", "latex", "pretty"])
def test_blocks_without_wrapping(fmt, monkeypatch):
    rows = [[*r[:3], r[3].replace("\n", " ")] for r in ROWS]
    assert chunked(rows, fmt, None, monkeypatch) == whole(rows, fmt, None)


def test_a_wide_block_after_narrow_ones_widens_every_block(monkeypatch):
    rows = [["R1", "a", "1", "b"], ["R2", "b", "2", "c"], ["R3", "a" * 40, "300", "d"]]
    text = chunked(rows, "grid", None, monkeypatch, block=1)
    widths = {len(line) for line in text.splitlines()}
    assert len(widths) == 1 and text == whole(rows, "grid", None)


def test_an_empty_table_has_its_headers(monkeypatch):
    assert chunked([], "simple", WRAPS, monkeypatch) == tabulate([], headers=HEADERS)


def test_progress_covers_reading_then_writing(monkeypatch):
    monkeypatch.setattr(tabulated, "BLOCK", 2)
    heard: list[int] = []
    rows = [["R", "t", "1", "c"] for _ in range(8)]
    tabulated.write_tabulated(rows, HEADERS, ALIGNS, "simple", io.StringIO(), progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == 8 and heard[0] < 4
