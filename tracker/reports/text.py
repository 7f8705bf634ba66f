"""Document to plain text for email: 78 columns, headings underlined, prose wrapped, RAG ratings
in words, and tables laid out in columns where they fit, else one record per row (an email
client's proportional font or a phone screen cannot line up a wide table)."""

from __future__ import annotations

import textwrap

from tracker.exports.table import INT, MONEY, TEXT, Column, display
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
from tracker.reports.prose import blocks

WIDTH = 78
GAP = 2
MIN_WRAPPED = 20  # narrowest a wrapped text column may become


def _wrap(text: str, width: int, indent: str = "", hanging: str | None = None) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return [indent.rstrip()] if indent.strip() else [""]
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_long_words=True,
        break_on_hyphens=False,
    )


def _underlined(text: str, char: str) -> list[str]:
    lines = _wrap(text, WIDTH)
    return [*lines, char * min(WIDTH, max(len(line) for line in lines))]


def _prose(text: str) -> list[str]:
    lines: list[str] = []
    for part in blocks(text):
        if lines:
            lines.append("")
        if part.kind == "paragraph":
            lines += _wrap("".join(t for t, _ in part.items[0]), WIDTH)
            continue
        for n, item in enumerate(part.items, start=part.start):
            mark = "- " if part.kind == "bullets" else f"{n}. "
            lines += _wrap("".join(t for t, _ in item), WIDTH, "  " + mark, " " * (2 + len(mark)))
    return lines


def _facts(block: Facts) -> list[str]:
    label_width = min(24, max((len(k) for k, _ in block.rows), default=0))
    lines = []
    for label, value in block.rows:
        head = f"{label:<{label_width}}  "
        if len(label) > label_width:
            lines.append(label)
            head = " " * (label_width + 2)
        lines += _wrap(value, WIDTH, head, " " * (label_width + 2))
    return lines


def _widths(columns: tuple[Column, ...], cells: list[list[str]]) -> list[int] | None:
    """Column widths that fit ``WIDTH``: headings may wrap at their spaces, then long text
    columns wrap (each keeping at least ``MIN_WRAPPED``); None if even that cannot fit."""
    longest = [max((len(row[i]) for row in cells), default=0) for i in range(len(columns))]
    room = WIDTH - GAP * (len(columns) - 1)
    natural = [max(len(c.title), longest[i]) for i, c in enumerate(columns)]
    if sum(natural) <= room:
        return natural
    base = [
        max(longest[i], max((len(w) for w in c.title.split()), default=0))
        for i, c in enumerate(columns)
    ]
    flexible = [i for i, c in enumerate(columns) if c.kind == TEXT and base[i] > MIN_WRAPPED]
    spare = room - sum(base[i] for i in range(len(columns)) if i not in flexible)
    if not flexible:
        return _widen_headings(columns, base, room) if spare >= 0 else None
    if spare < MIN_WRAPPED * len(flexible):
        return None
    wanted = sum(base[i] for i in flexible)
    widths = list(base)
    for i in flexible:
        widths[i] = min(base[i], max(MIN_WRAPPED, spare * base[i] // wanted))
    while sum(widths) > room:  # rounding: take the excess from the widest wrapped column
        widest = max(flexible, key=lambda i: widths[i])
        widths[widest] -= 1
    return _widen_headings(columns, widths, room)


def _widen_headings(columns: tuple[Column, ...], widths: list[int], room: int) -> list[int]:
    """Room left over goes to columns whose headings would otherwise wrap."""
    widths = list(widths)
    for i, column in enumerate(columns):
        spare = room - sum(widths)
        if spare <= 0:
            break
        widths[i] += max(0, min(spare, len(column.title) - widths[i]))
    return widths


def _columns(block: TableBlock, cells: list[list[str]], widths: list[int]) -> list[str]:
    right = [c.kind in (INT, MONEY) for c in block.columns]

    def line_up(values: list[str]) -> list[str]:
        wrapped = [
            textwrap.wrap(v, width=w, break_on_hyphens=False) or [""]
            for v, w in zip(values, widths, strict=True)
        ]
        out = []
        for n in range(max(len(w) for w in wrapped)):
            parts = []
            for col, w in enumerate(widths):
                text = wrapped[col][n] if n < len(wrapped[col]) else ""
                parts.append(text.rjust(w) if right[col] else text.ljust(w))
            out.append((" " * GAP).join(parts).rstrip())
        return out

    lines = line_up([c.title for c in block.columns])
    lines.append((" " * GAP).join("-" * w for w in widths))
    for row in cells:
        lines += line_up(row)
    return lines


def _records(block: TableBlock, cells: list[list[str]]) -> list[str]:
    """One short paragraph per row: a short first column as its label, the longest text column
    as its headline, the others as "Column: value"."""
    columns = block.columns
    lines: list[str] = []
    label_width = max(len(row[0]) for row in cells)
    labelled = label_width <= 10 and len(columns) > 1
    texts = [i for i, c in enumerate(columns) if c.kind == TEXT and (i > 0 or not labelled)]
    headline = max(texts, key=lambda i: sum(len(row[i]) for row in cells)) if texts else None
    indent = " " * (label_width + 2) if labelled else ""
    for row in cells:
        if lines:
            lines.append("")
        first = f"{row[0]:<{label_width}}  " if labelled else ""
        shown = {0} if labelled else set()
        if headline is not None:
            lines += _wrap(row[headline], WIDTH, first, indent)
            shown.add(headline)
        elif labelled:
            lines.append(row[0])
        pairs = " · ".join(
            f"{c.title}: {v}"
            for i, (c, v) in enumerate(zip(columns, row, strict=True))
            if v and i not in shown
        )
        if pairs:
            lines += _wrap(pairs, WIDTH, indent, indent)
    return lines


def _table(block: TableBlock) -> list[str]:
    lines = _wrap(block.caption, WIDTH) if block.caption else []
    if not block.rows:
        return [*lines, *_wrap(block.empty, WIDTH)]
    cells = [
        [" ".join(display(v, c.kind).split()) for v, c in zip(row, block.columns, strict=True)]
        for row in block.rows
    ]
    widths = _widths(block.columns, cells)
    body = _columns(block, cells, widths) if widths else _records(block, cells)
    return lines + body


def render_text(document: Document) -> str:
    lines = [document.marking, ""]
    lines += _underlined(document.title, "=")
    if document.subtitle:
        lines += _wrap(document.subtitle, WIDTH)
    if document.header:
        lines += _wrap(" | ".join(f"{k}: {v}" for k, v in document.header), WIDTH)
    if document.watermark:
        lines += ["", f"*** {document.watermark} ***"]
    for block in document.blocks:
        lines.append("")
        if isinstance(block, Heading):
            if block.level <= 2:
                lines += ["", *_underlined(block.text.upper(), "=")]
            else:
                lines += _underlined(block.text, "-")
        elif isinstance(block, Paragraph):
            lines += _prose(block.text)
        elif isinstance(block, Facts):
            lines += _facts(block)
        elif isinstance(block, TableBlock):
            lines += _table(block)
        elif isinstance(block, Note):
            prefix = "Note: " if block.tone == "info" else "Warning: "
            lines += _wrap(prefix + block.text, WIDTH, "", "  ")
    lines += ["", document.marking]
    return "\n".join(line.rstrip() for line in lines) + "\n"
