"""A Gantt timeline of the project's stages, drawn in the terminal.

Months along the top (years under them), then for the project and each stage: its current plan
(``━``), and under it the actual or forecast bar (``█`` done, ``▒`` still to do, coloured by the
time tolerance status), and, where an exception plan replaced the plan, the original baseline
(``┄``). Today is a vertical line. Shapes differ as well as colours, so a monochrome terminal
still reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual.widget import Widget

from tracker.domain.dates import format_date
from tracker.ui.formatting import RAG_THEME_VARIABLE

LABEL_WIDTH = 30
MONTHS = "JFMAMJJASOND"
PLAN, DONE, TO_DO, BASELINE, TODAY = "━", "█", "▒", "┄", "│"


@dataclass(frozen=True)
class Bar:
    start: date
    end: date
    kind: str  # plan, forecast or baseline
    percent_done: int = 0
    rag: str | None = None


@dataclass(frozen=True)
class TimelineRow:
    label: str
    bar: Bar | None
    strong: bool = False  # a stage or project line (its name), not one of its sub-lines


def rows_for(plan) -> list[TimelineRow]:
    """Timeline rows for a ``tracker.services.stage_plan.StagePlan``."""
    rows: list[TimelineRow] = []
    first_start = next(
        (
            s.actual_start or s.planned_start
            for s in plan.stages
            if s.actual_start or s.planned_start
        ),
        plan.planned_start,
    )
    if plan.planned_start and plan.planned_end:
        rows.append(
            TimelineRow("Project", Bar(plan.planned_start, plan.planned_end, "plan"), strong=True)
        )
    if first_start and plan.forecast_end:
        costed = [s for s in plan.stages if s.planned_cost_pence]
        weight = sum(s.planned_cost_pence for s in costed)
        done = (
            round(sum(s.percent_complete * s.planned_cost_pence for s in costed) / weight)
            if weight
            else round(sum(s.percent_complete for s in plan.stages) / max(len(plan.stages), 1))
        )
        rows.append(
            TimelineRow(
                "  forecast",
                Bar(first_start, plan.forecast_end, "forecast", done, plan.time and plan.time.rag),
            )
        )
    for stage in plan.stages:
        label = f"{stage.sequence} {stage.name}"
        plan_bar = (
            Bar(stage.planned_start, stage.planned_end, "plan")
            if stage.planned_start and stage.planned_end
            else None
        )
        rows.append(TimelineRow(label, plan_bar, strong=True))
        start = stage.actual_start or stage.planned_start
        if start and stage.forecast_end:
            rows.append(
                TimelineRow(
                    "  actual" if stage.status == "completed" else "  forecast",
                    Bar(
                        start,
                        max(stage.forecast_end, start),
                        "forecast",
                        stage.percent_complete,
                        stage.time.rag if stage.time else None,
                    ),
                )
            )
        original = stage.original
        if stage.replanned and original and original.planned_start and original.planned_end:
            rows.append(
                TimelineRow(
                    "  original baseline",
                    Bar(original.planned_start, original.planned_end, "baseline"),
                )
            )
    return rows


class StageTimeline(Widget):
    """The Gantt chart; ``show(plan)`` gives it the stage plan to draw."""

    DEFAULT_CSS = """
    StageTimeline {
        height: auto;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[TimelineRow] = []
        self.today: date | None = None

    def show(self, plan) -> None:
        self.rows = rows_for(plan)
        self.today = plan.today
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.rows) + 3 if self.rows else 1

    def _range(self) -> tuple[date, date]:
        dates = [d for r in self.rows if r.bar for d in (r.bar.start, r.bar.end)]
        if self.today:
            dates.append(self.today)
        first, last = min(dates), max(dates)
        start = first.replace(day=1)
        end = last.replace(day=1) + relativedelta(months=1, days=-1)
        return start, end

    def render(self) -> Text:
        if not self.rows:
            return Text("No stage has dates yet.", style="dim")
        colours = self.app.theme_variables
        width = max(self.size.width - LABEL_WIDTH - 1, 12)
        start, end = self._range()
        total = (end - start).days + 1

        def column(day: date) -> int:
            return min(width - 1, max(0, (day - start).days * width // total))

        months = [" "] * width
        years = [" "] * width
        month = start
        while month <= end:
            here = column(month)
            following = column(month + relativedelta(months=1)) if month < end else width
            span = following - here
            name = f"{month:%b}" if span >= 4 else MONTHS[month.month - 1] if span >= 1 else ""
            for i, ch in enumerate(name):
                if here + i < width:
                    months[here + i] = ch
            if month.month == 1 or month == start:
                label = f"{month:%Y}"
                if all(c == " " for c in years[here : here + len(label) + 1]):
                    for i, ch in enumerate(label):
                        if here + i < width:
                            years[here + i] = ch
            month += relativedelta(months=1)
        today_col = column(self.today) if self.today and start <= self.today <= end else None
        marker = colours.get("warning", "")
        text = Text(no_wrap=True, overflow="crop")
        text.append(" " * (LABEL_WIDTH + 1))
        text.append("".join(months), style="bold")
        text.append("\n")
        text.append(" " * (LABEL_WIDTH + 1))
        line = Text("".join(years), style="dim")
        if today_col is not None:
            note = f"▼ today {format_date(self.today)}"
            at = today_col if today_col + len(note) <= width else max(0, today_col - len(note) + 1)
            line = Text("".join(years[:at]), style="dim")
            tail = "".join(years[at + len(note) :])
            if at == today_col:
                line.append(note, style=f"bold {marker}")
            else:
                line.append(note[2:] + " ▼", style=f"bold {marker}")
            line.append(tail, style="dim")
        text.append_text(line)
        for row in self.rows:
            text.append("\n")
            label = (
                row.label if len(row.label) <= LABEL_WIDTH else row.label[: LABEL_WIDTH - 1] + "…"
            )
            text.append(label.ljust(LABEL_WIDTH + 1), style="bold" if row.strong else "dim")
            cells: list[tuple[str, str]] = [(" ", "")] * width
            if row.bar is not None:
                cells = self._bar_cells(row.bar, width, column, colours)
            if today_col is not None and cells[today_col][0] == " ":
                cells[today_col] = (TODAY, f"bold {marker}")
            for ch, style in cells:
                text.append(ch, style=style)
        text.append("\n")
        text.append(" " * (LABEL_WIDTH + 1))
        text.append(
            f"{PLAN} current plan   {DONE} done  {TO_DO} to do (coloured by time tolerance)   "
            f"{BASELINE} original baseline   {TODAY} today",
            style="dim",
        )
        return text

    @staticmethod
    def _bar_cells(bar: Bar, width: int, column, colours) -> list[tuple[str, str]]:
        cells: list[tuple[str, str]] = [(" ", "")] * width
        first, last = column(bar.start), column(bar.end)
        if bar.kind == "plan":
            for i in range(first, last + 1):
                cells[i] = (PLAN, "bold")
        elif bar.kind == "baseline":
            for i in range(first, last + 1):
                cells[i] = (BASELINE, "dim")
        else:
            # Unrated work (no tolerance to measure against) is dim, not blue: blue means complete.
            variable = RAG_THEME_VARIABLE.get(bar.rag) if bar.rag else None
            style = colours.get(variable, "") if variable else "dim"
            length = last - first + 1
            done = round(length * bar.percent_done / 100)
            for i in range(first, last + 1):
                cells[i] = (DONE if i - first < done else TO_DO, style)
        return cells
