"""The summary risk profile: probability impact grids for threats and opportunities.

Each cell shows how many risks sit at that probability and impact, coloured by the project's RAG
band for its score. The risk tolerance line is drawn in heavy rules between the cells below it
and the cells at or above it: risks above the line go to the Project Board. The opportunity grid
is mirrored (impact rising to the left), so the high-impact columns of both grids meet in the
middle, as in the double probability impact grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tracker.domain.scoring import score_rag
from tracker.ui.formatting import RAG_THEME_VARIABLE

KINDS = ("threat", "opportunity")
GAP = 3  # columns between the two grids
LABEL = 3  # the probability labels to the left of each grid
TOP = 3  # lines above the first row of cells: titles, impact labels, top rule


@dataclass(frozen=True)
class HeatMapData:
    probability: tuple[int, ...]  # levels, low to high
    impact: tuple[int, ...]
    green_max: int
    amber_max: int
    tolerance: int
    counts: dict[tuple[str, int, int], int]  # (kind, probability, impact) -> risks
    basis: str = "residual"


class RiskHeatMap(Widget, can_focus=True):
    """Arrow keys move between cells, Enter selects a cell (the register shows only its risks),
    Backspace shows every cell again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(0, -1)", "Left", show=False, id="heat_left"),
        Binding("right", "move(0, 1)", "Right", show=False, id="heat_right"),
        Binding("up", "move(1, 0)", "Up", show=False, id="heat_up"),
        Binding("down", "move(-1, 0)", "Down", show=False, id="heat_down"),
        Binding("enter,space", "select_cell", "Select cell", id="heat_select"),
        Binding("backspace,delete", "clear_cell", "All cells", id="heat_clear"),
    ]

    cursor: reactive[tuple[str, int, int] | None] = reactive(None)
    selected: reactive[tuple[str, int, int] | None] = reactive(None)

    DEFAULT_CSS = """
    RiskHeatMap { text-wrap: nowrap; text-overflow: clip; }
    """

    class CellSelected(Message):
        """A cell was chosen (or, with None, the choice cleared)."""

        def __init__(self, heat_map: RiskHeatMap, cell: tuple[str, int, int] | None) -> None:
            super().__init__()
            self.heat_map = heat_map
            self.cell = cell

        @property
        def control(self) -> RiskHeatMap:
            return self.heat_map

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: HeatMapData | None = None

    def show(self, data: HeatMapData) -> None:
        """Show new counts; the layout is redone only when the grid changes size (a filter
        keystroke usually changes the counts, not the grid)."""
        before = (self._grid_width(), len(self.data.probability)) if self.data else None
        self.data = data
        if self.cursor is None and data.probability and data.impact:
            self.cursor = ("threat", data.probability[-1], data.impact[-1])
        self.refresh(layout=before != (self._grid_width(), len(data.probability)))

    # ------------------------------------------------------------------ geometry

    def _cell_width(self) -> int:
        biggest = max(self.data.counts.values(), default=0) if self.data else 0
        return max(3, len(str(biggest)) + 2)

    def _columns(self, kind: str) -> Sequence[int]:
        impact = self.data.impact if self.data else ()
        return tuple(reversed(impact)) if kind == "opportunity" else impact

    def _grid_width(self) -> int:
        levels = len(self.data.impact) if self.data else 0
        return LABEL + 1 + levels * (self._cell_width() + 1)

    def get_content_width(self, container, viewport) -> int:
        return self._grid_width() * 2 + GAP

    def get_content_height(self, container, viewport, width: int) -> int:
        levels = len(self.data.probability) if self.data else 0
        return TOP + levels * 2 + 2

    # ------------------------------------------------------------------ drawing

    def _style(self, rag: str | None) -> Style:
        variables = self.app.theme_variables
        colour = variables.get(RAG_THEME_VARIABLE.get(rag or "", ""), "")
        background = variables.get("background", "")
        return Style.parse(f"{background} on {colour}" if colour else "")

    def _above(self, probability: int, impact: int) -> bool:
        return self.data is not None and probability * impact >= self.data.tolerance

    def render(self) -> Text:
        if self.data is None:
            return Text("Loading the risk profile…", style="dim")
        data = self.data
        width = self._cell_width()
        grid = self._grid_width()
        text = Text(no_wrap=True, overflow="crop")
        titles = []
        for kind in KINDS:
            total = sum(n for (k, _p, _i), n in data.counts.items() if k == kind)
            name = "Threats" if kind == "threat" else "Opportunities"
            titles.append(f"{name} ({total})".ljust(grid))
        text.append((" " * GAP).join(titles).rstrip() + "\n", style="bold")
        for kind in KINDS:
            labels = "".join(f"I{i}".center(width) + " " for i in self._columns(kind))
            text.append((" " * (LABEL + 1) + labels).ljust(grid), style="dim")
            if kind == "threat":
                text.append(" " * GAP)
        text.append("\n")
        levels = list(reversed(data.probability))
        text.append_text(self._rule(None, levels[0]))
        text.append("\n")
        for row, probability in enumerate(levels):
            for kind in KINDS:
                label = f"P{probability}".rjust(LABEL - 1) + " "
                text.append(label, style="dim")
                columns = self._columns(kind)
                for c, impact in enumerate(columns):
                    left = columns[c - 1] if c else None
                    heavy = left is not None and self._above(probability, left) != self._above(
                        probability, impact
                    )
                    text.append("┃" if heavy else "│", style="bold" if heavy else "dim")
                    text.append_text(self._cell(kind, probability, impact, width))
                text.append("│", style="dim")
                if kind == "threat":
                    text.append(" " * GAP)
            text.append("\n")
            below = levels[row + 1] if row + 1 < len(levels) else None
            text.append_text(self._rule(probability, below))
            text.append("\n")
        text.append(f"P probability, I impact · {data.basis} values\n", style="dim")
        text.append("━ ┃ ", style="bold")
        text.append("the risk tolerance line", style="dim")
        return text

    def _cell(self, kind: str, probability: int, impact: int, width: int) -> Text:
        assert self.data is not None
        count = self.data.counts.get((kind, probability, impact), 0)
        label = str(count) if count else "·"
        key = (kind, probability, impact)
        if key == self.selected:
            label = f"[{label}]"
        style = self._style(
            score_rag(probability * impact, self.data.green_max, self.data.amber_max)
        )
        if key == self.cursor and self.has_focus:
            style += Style(reverse=True, bold=True)
        elif key == self.selected:
            style += Style(bold=True, underline=True)
        if not count:
            style += Style(dim=True)
        return Text(label.center(width), style=style)

    def _rule(self, above: int | None, below: int | None) -> Text:
        """The rule between probability rows ``above`` and ``below`` (None at the edges): heavy
        where the tolerance line runs along it."""
        assert self.data is not None
        width = self._cell_width()
        text = Text()
        for kind in KINDS:
            text.append(" " * LABEL)
            columns = self._columns(kind)
            for c, impact in enumerate(columns):
                heavy = (
                    above is not None
                    and below is not None
                    and self._above(above, impact) != self._above(below, impact)
                )
                if above is None:
                    corner = "┬" if c else "┌"
                elif below is None:
                    corner = "┴" if c else "└"
                else:
                    corner = "┼" if c else "├"
                text.append(corner, style="dim")
                text.append(("━" if heavy else "─") * width, style="bold" if heavy else "dim")
            end = "┐" if above is None else "┘" if below is None else "┤"
            text.append(end, style="dim")
            if kind == "threat":
                text.append(" " * GAP)
        return text

    # ------------------------------------------------------------------ interaction

    def watch_cursor(self) -> None:
        self.refresh()

    def watch_selected(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, d_probability: int, d_column: int) -> None:
        if self.data is None or self.cursor is None:
            return
        kind, probability, impact = self.cursor
        levels_p = list(self.data.probability)
        p_index = max(0, min(levels_p.index(probability) + d_probability, len(levels_p) - 1))
        # Columns run across both grids, left to right on the screen.
        across = [(k, i) for k in KINDS for i in self._columns(k)]
        c_index = across.index((kind, impact)) + d_column
        c_index = max(0, min(c_index, len(across) - 1))
        kind, impact = across[c_index]
        self.cursor = (kind, levels_p[p_index], impact)

    def action_select_cell(self) -> None:
        if self.cursor is not None:
            self.selected = None if self.selected == self.cursor else self.cursor
            self.post_message(self.CellSelected(self, self.selected))

    def action_clear_cell(self) -> None:
        if self.selected is not None:
            self.selected = None
            self.post_message(self.CellSelected(self, None))

    def on_click(self, event: events.Click) -> None:
        cell = self._cell_at(event.x, event.y)
        if cell is not None:
            self.cursor = cell
            self.action_select_cell()

    def _cell_at(self, x: int, y: int) -> tuple[str, int, int] | None:
        if self.data is None:
            return None
        row = y - TOP
        if row < 0 or row % 2 == 1:
            return None
        levels = list(reversed(self.data.probability))
        if row // 2 >= len(levels):
            return None
        probability = levels[row // 2]
        grid = self._grid_width()
        for n, kind in enumerate(KINDS):
            start = n * (grid + GAP) + LABEL + 1
            column = (x - start) // (self._cell_width() + 1)
            if start <= x < start + grid - LABEL - 1 and 0 <= column < len(self.data.impact):
                return (kind, probability, self._columns(kind)[column])
        return None
