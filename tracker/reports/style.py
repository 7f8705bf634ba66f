"""How printed reports look, shared by the HTML and PDF renderers: the GOV.UK colour palette
(strong enough to survive a cheap colour printer), a shape beside each RAG word and the file
names reports are saved under. A RAG cell always carries its word, so a black-and-white print
still reads."""

from __future__ import annotations

import re

from tracker.domain.rag import rag_word

INK = "#0b0c0c"
MUTED = "#505a5f"
RULE = "#b1b4b6"
PANEL = "#f3f2f1"
ACCENT = "#1d70b8"
WARNING_EDGE = "#f47738"

# (background, text colour) per rating
RAG_COLOURS = {
    "green": ("#00703c", "#ffffff"),
    "amber": ("#ffbf47", "#0b0c0c"),
    "red": ("#d4351c", "#ffffff"),
    "blue": ("#1d70b8", "#ffffff"),
    "not started": ("#f3f2f1", "#0b0c0c"),
}
RAG_MARK = {"green": "●", "amber": "▲", "red": "■", "blue": "✓", "not started": "○"}


def rag_label(rag: str | None) -> str:
    """``▲ Amber``: the shape and the word, so neither colour nor shape is needed to read it."""
    if not rag:
        return ""
    mark = RAG_MARK.get(rag, "")
    return f"{mark} {rag_word(rag)}".strip()


def file_stem(title: str, key: str) -> str:
    """``ICS-highlight-report-7``: a safe file name for a report."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", f"{key} {title}").strip("-")
    return words[:80] or "report"
