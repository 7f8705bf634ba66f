"""Cell contents for tables: RAG in colour and in words, dates the UK way, money in pounds."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import App

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.domain.rag import rag_word

RAG_THEME_VARIABLE = {
    "green": "success",
    "amber": "warning",
    "red": "error",
    "blue": "primary",
    "not started": "foreground-muted",
}
RAG_MARK = {"green": "●", "amber": "▲", "red": "■", "blue": "✓", "not started": "○"}


def rag_cell(app: App, rag: str | None) -> Text:
    """A RAG rating as a coloured mark and its word: shape and word survive a monochrome screen."""
    if not rag:
        return Text("not rated", style="dim")
    colour = app.theme_variables.get(RAG_THEME_VARIABLE.get(rag, "foreground"), "")
    return Text(f"{RAG_MARK.get(rag, '')} {rag_word(rag)}", style=f"bold {colour}".strip())


def date_cell(value: date | None) -> str:
    return format_date(value)


def money_cell(pence: int | None) -> Text:
    return Text(format_money(pence), justify="right")


def number_cell(value: int | None) -> Text:
    return Text("" if value is None else str(value), justify="right")


def warning_text(app: App, text: str) -> Text:
    return Text(text, style=f"bold {app.theme_variables.get('error', '')}".strip())
