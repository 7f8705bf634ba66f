"""tabulate's table formats for registers too long to hold in memory as one table.

tabulate sizes each column from every cell, so it needs the whole table at once: for 100,000
risks, millions of strings copied four or five times over (about 1 GB). Here the cells are
made once, measured, and spilled to a temporary file in blocks; then each block is given to
tabulate with every column held to the width of the whole table (a header padded to that width
is the only way tabulate takes a width), and the blocks are joined: the header lines from the
first block, the closing lines from the last, and the format's own line between rows at each
join. The result is the table tabulate would make from all the rows at once.
"""

from __future__ import annotations

import marshal
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO

BLOCK = 5000  # rows given to tabulate at a time
_LINE_BREAK = re.compile("[\r\n]")
# A cell that tabulate's wrapping would change even though it fits: whitespace it replaces,
# line breaks it splits on, and spaces it drops at either end.
_REWRAPPED = re.compile("[\t\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029]|^ | $")
_MARKERS = ("\u2460", "\u2461")  # two rows that no header line contains


def write_tabulated(
    rows: Iterable[list[str]],
    headers: Sequence[str],
    aligns: Sequence[str],
    fmt: str,
    out: IO[str],
    wrap_widths: Sequence[int | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` (lists of cell text) as one tabulate table in ``fmt``; returns the row
    count. ``wrap_widths`` wraps long text as tabulate's ``maxcolwidths`` does. ``progress``
    hears half the rows as they are read and the other half as they are written."""
    from tabulate import multiline_formats, tabulate

    options = {"tablefmt": fmt, "disable_numparse": True}
    measure = _Widths(headers, 0 if fmt == "pretty" else 2, fmt in multiline_formats)
    wrap = _Wrapper(wrap_widths) if wrap_widths and any(wrap_widths) else None
    count = 0
    with tempfile.TemporaryFile() as spill:
        block: list[list[str]] = []
        for cells in rows:
            if wrap is not None:
                cells = wrap(cells)
            if fmt == "rst" and cells and not cells[0]:
                cells[0] = ".."  # as tabulate escapes an empty first cell in reStructuredText
            block.append(cells)
            count += 1
            if len(block) == BLOCK:
                measure.add(block)
                marshal.dump(block, spill)
                block = []
                if progress is not None:
                    progress(count // 2)
        if not count:
            out.write(tabulate([], headers=list(headers), **options))
            return 0
        if block:
            measure.add(block)
            marshal.dump(block, spill)
        spill.seek(0)
        header_align = ["left"] * len(aligns) if fmt == "colon_grid" else aligns
        padded = measure.headers(header_align)
        options.update(headers=padded, colalign=list(aligns))
        first, between, last = _joins(tabulate, len(headers), options)
        written = 0
        while written < count:
            block = marshal.load(spill)
            lines = tabulate(block, **options).split("\n")
            if written:
                lines = between + lines[first:]
            written += len(block)
            if written < count:
                lines = lines[: len(lines) - last]
            out.write("\n".join(lines))
            if written < count:
                out.write("\n")
            if progress is not None:
                progress((count + written) // 2)
    return count


def _joins(tabulate: Callable, columns: int, options: dict) -> tuple[int, list[str], int]:
    """How this format joins blocks: the header lines before the first row, the lines
    between two rows, and the closing lines after the last, read off a two-row table."""
    lines = tabulate([[m] * columns for m in _MARKERS], **options).split("\n")
    top = next(i for i, line in enumerate(lines) if _MARKERS[0] in line)
    bottom = max(i for i, line in enumerate(lines) if _MARKERS[1] in line)
    second = next(i for i, line in enumerate(lines) if _MARKERS[1] in line)
    return top, lines[top + 1 : second], len(lines) - 1 - bottom


class _Widths:
    """The width tabulate would give each column of the whole table."""

    def __init__(self, headers: Sequence[str], padding: int, multiline: bool) -> None:
        self.titles = list(headers)
        self.padding = padding
        self.multiline = multiline  # a cell's width is its widest line, not its length
        self.widths = [len(h) + padding for h in headers]

    def add(self, block: list[list[str]]) -> None:
        widths = self.widths
        for i, column in enumerate(zip(*block, strict=True)):
            stripped = list(map(str.strip, column))
            if self.multiline and _LINE_BREAK.search("".join(stripped)):
                widest = max(max(map(len, _LINE_BREAK.split(s))) for s in stripped)
            else:
                widest = max(map(len, stripped))
            if widest > widths[i]:
                widths[i] = widest

    def headers(self, aligns: Sequence[str]) -> list[str]:
        """Headers that hold each column to its width: tabulate adds its padding to a header."""
        padded = []
        for title, width, align in zip(self.titles, self.widths, aligns, strict=True):
            room = width - self.padding
            padded.append(title.rjust(room) if align == "right" else title.ljust(room))
        return padded


class _Wrapper:
    """tabulate's ``maxcolwidths`` wrapping, done as the cells are made so they can be measured.
    A cell that already fits is left as it is, which is what tabulate's wrapping gives it."""

    def __init__(self, widths: Sequence[int | None]) -> None:
        self.columns = [(i, w) for i, w in enumerate(widths) if w]

    def __call__(self, cells: list[str]) -> list[str]:
        for i, width in self.columns:
            text = cells[i]
            if text and (len(text) > width or _REWRAPPED.search(text)):
                cells[i] = _wrapped(text, width)
        return cells


def _wrapped(text: str, width: int) -> str:
    from tabulate import _CustomTextWrap  # the wrapper tabulate itself uses for maxcolwidths

    wrapper = _CustomTextWrap(width=width, break_long_words=True, break_on_hyphens=True)
    return "\n".join(
        "\n".join(wrapper.wrap(line)) for line in text.splitlines() if line.strip() != ""
    )
