"""The small Markdown subset a report's prose is written in, read once for every renderer.

The project manager writes the narrative in Markdown (the TUI previews it with Textual's
Markdown widget). HTML, PDF and plain text understand what a highlight report needs of it:
paragraphs, bulleted and numbered lists, **bold**, *italic* or _italic_, `code` and backslash
escapes. Anything else (headings, links, raw HTML) is shown as the text it is, never interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.*)$")
ESCAPABLE = r"[\\`*_{}\[\]()#+\-.!|<>&~]"
INLINE = re.compile(
    rf"\\({ESCAPABLE})"  # a backslash escape
    r"|(\*\*|__)(.+?)\2"  # **bold** or __bold__
    r"|(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\4(?![\w*])"  # *italic* or _italic_
    r"|`([^`]+)`"  # `code`
)

Span = tuple[str, str]  # (text, style): style is "", "b", "i" or "code"


@dataclass(frozen=True)
class ProseBlock:
    kind: str  # paragraph | bullets | numbered
    items: tuple[tuple[Span, ...], ...]  # one item for a paragraph, one per list entry
    start: int = 1  # the first number of a numbered list


def spans(text: str) -> tuple[Span, ...]:
    """Inline text as styled spans (nesting is not needed in a report and not supported)."""
    found: list[Span] = []
    position = 0
    for match in INLINE.finditer(text):
        if match.start() > position:
            found.append((text[position : match.start()], ""))
        if match.group(1) is not None:
            found.append((match.group(1), ""))
        elif match.group(3) is not None:
            found.append((_unescape(match.group(3)), "b"))
        elif match.group(5) is not None:
            found.append((_unescape(match.group(5)), "i"))
        else:
            found.append((match.group(6), "code"))
        position = match.end()
    if position < len(text):
        found.append((text[position:], ""))
    merged: list[Span] = []
    for part, style in found:
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + part, style)
        elif part:
            merged.append((part, style))
    return tuple(merged)


def _unescape(text: str) -> str:
    return re.sub(rf"\\({ESCAPABLE})", r"\1", text)


def plain(text: str) -> str:
    """Inline text without its markup."""
    return "".join(part for part, _ in spans(text))


def blocks(text: str) -> list[ProseBlock]:
    """Paragraphs and lists. A list item runs on over following lines that are not blank and
    do not start another item; a paragraph's lines are joined with spaces."""
    found: list[ProseBlock] = []
    kind: str | None = None
    items: list[list[str]] = []
    start = 1

    def close() -> None:
        nonlocal kind, items
        if kind is not None and items:
            found.append(ProseBlock(kind, tuple(spans(" ".join(i)) for i in items), start))
        kind, items = None, []

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        if bullet:
            if kind != "bullets":
                close()
                kind = "bullets"
            items.append([bullet.group(1).strip()])
        elif numbered:
            if kind != "numbered":
                close()
                kind, start = "numbered", int(numbered.group(1))
            items.append([numbered.group(2).strip()])
        elif kind in ("bullets", "numbered"):
            items[-1].append(line)
        else:
            if kind != "paragraph":
                close()
                kind = "paragraph"
                items = [[]]
            items[0].append(line)
    close()
    return found
