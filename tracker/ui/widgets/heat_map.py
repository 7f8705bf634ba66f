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

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracker.domain.scoring import score_rag
from tracker.ui.formatting import RAG_THEME_VARIABLE

KINDS = ("threat", "opportunity")
GAP = 3  # columns between the two grids
LABEL = 3  # the probability labels to the left of each grid
TOP = 3  # lines above the first row of cells: titles, impact labels, top rule
DIM, BOLD = Style(dim=True), Style(bold=True)


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
        self._strips: list[Strip] | None = None

    def show(self, data: HeatMapData) -> None:
        """Show new counts; the layout is redone only when the grid changes size (a filter
        keystroke usually changes the counts, not the grid)."""
        if data == self.data:
            return
        before = (self._grid_width(), len(self.data.probability)) if self.data else None
        self.data = data
        if self.cursor is None and data.probability and data.impact:
            self.cursor = ("threat", data.probability[-1], data.impact[-1])
        self.redraw(layout=before != (self._grid_width(), len(data.probability)))

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

    def render_line(self, y: int) -> Strip:
        """The grid is drawn as lines of segments, made again only when the counts, the cursor,
        the selection or the focus change: a filter keystroke redraws it with new counts, and
        Textual's own route from rich Text to the screen took 17 ms of every keystroke."""
        if self._strips is None:
            base = self.rich_style
            self._strips = [Strip(Segment.apply_style(segments, base)) for segments in self._draw()]
        width = self.size.width
        if y >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        return self._strips[y].crop_extend(0, width, self.rich_style)

    def redraw(self, layout: bool = False) -> None:
        self._strips = None
        self.refresh(layout=layout)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None

    def _draw(self) -> list[list[Segment]]:
        if self.data is None:
            return [[Segment("Loading the risk profile…", DIM)]]
        data = self.data
        width = self._cell_width()
        grid = self._grid_width()
        lines: list[list[Segment]] = []
        titles = []
        for kind in KINDS:
            total = sum(n for (k, _p, _i), n in data.counts.items() if k == kind)
            name = "Threats" if kind == "threat" else "Opportunities"
            titles.append(f"{name} ({total})".ljust(grid))
        lines.append([Segment((" " * GAP).join(titles).rstrip(), BOLD)])
        line = []
        for kind in KINDS:
            labels = "".join(f"I{i}".center(width) + " " for i in self._columns(kind))
            line.append(Segment((" " * (LABEL + 1) + labels).ljust(grid), DIM))
            if kind == "threat":
                line.append(Segment(" " * GAP))
        lines.append(line)
        levels = list(reversed(data.probability))
        lines.append(self._rule(None, levels[0]))
        for row, probability in enumerate(levels):
            line = []
            for kind in KINDS:
                line.append(Segment(f"P{probability}".rjust(LABEL - 1) + " ", DIM))
                columns = self._columns(kind)
                for c, impact in enumerate(columns):
                    left = columns[c - 1] if c else None
                    heavy = left is not None and self._above(probability, left) != self._above(
                        probability, impact
                    )
                    line.append(Segment("┃", BOLD) if heavy else Segment("│", DIM))
                    line.append(self._cell(kind, probability, impact, width))
                line.append(Segment("│", DIM))
                if kind == "threat":
                    line.append(Segment(" " * GAP))
            lines.append(line)
            below = levels[row + 1] if row + 1 < len(levels) else None
            lines.append(self._rule(probability, below))
        lines.append([Segment(f"P probability, I impact · {data.basis} values", DIM)])
        lines.append([Segment("━ ┃ ", BOLD), Segment("the risk tolerance line", DIM)])
        return lines

    def _cell(self, kind: str, probability: int, impact: int, width: int) -> Segment:
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
        return Segment(label.center(width), style)

    def _rule(self, above: int | None, below: int | None) -> list[Segment]:
        """The rule between probability rows ``above`` and ``below`` (None at the edges): heavy
        where the tolerance line runs along it."""
        assert self.data is not None
        width = self._cell_width()
        line = []
        for kind in KINDS:
            line.append(Segment(" " * LABEL))
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
                line.append(Segment(corner, DIM))
                line.append(Segment("━" * width, BOLD) if heavy else Segment("─" * width, DIM))
            end = "┐" if above is None else "┘" if below is None else "┤"
            line.append(Segment(end, DIM))
            if kind == "threat":
                line.append(Segment(" " * GAP))
        return line

    # ------------------------------------------------------------------ interaction

    def watch_cursor(self) -> None:
        self.redraw()

    def watch_selected(self) -> None:
        self.redraw()

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()

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
