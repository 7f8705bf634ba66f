"""The register table and the heat map redraw only what a keystroke changed, and still show
every change: a new view lays nothing out, lines are reused only for the same cells, and the
heat map shows new counts at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from ui_helpers import spy_on_layouts

import tracker.ui
from tracker.ui.widgets.heat_map import HeatMapData, RiskHeatMap
from tracker.ui.widgets.register_table import RegisterColumn, RegisterTable

COLUMNS = [RegisterColumn("ref", "Ref", 6), RegisterColumn("title", "Title", 20)]


class OneWidget(App):
    CSS_PATH = Path(tracker.ui.__file__).parent / "app.tcss"  # the register's cursor and stripes

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def rows(ids, label="risk"):
    return {i: [f"R-{i:03d}", Text(f"{label} {i}")] for i in ids}


def screen_text(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


@pytest.mark.asyncio
async def test_a_new_view_of_a_long_register_lays_nothing_out():
    table = RegisterTable(COLUMNS)
    app = OneWidget(table)
    async with app.run_test(size=(60, 12)) as pilot:
        table.set_view(list(range(1, 1001)), cursor=0, rows=rows(range(1, 60)))
        await pilot.pause()
        assert table.show_vertical_scrollbar
        asked = spy_on_layouts(table)
        table.set_view(list(range(1, 500)), cursor=0, rows=rows(range(1, 60)))
        await pilot.pause()
        assert asked and not any(asked)
        assert table.virtual_size.height == 500
        assert table.vertical_scrollbar.window_virtual_size == 500  # the thumb follows

        table.set_view([1, 2, 3], cursor=0)  # it fits: the scrollbar goes
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert "risk 3" in "".join(screen_text(table))
        table.set_view(list(range(1, 1001)), cursor=0)  # and comes back
        await pilot.pause()
        assert table.show_vertical_scrollbar


@pytest.mark.asyncio
async def test_lines_are_drawn_again_only_for_new_cells():
    table = RegisterTable(COLUMNS)
    app = OneWidget(table)
    async with app.run_test(size=(60, 12)) as pilot:
        same = rows(range(1, 30))
        table.set_view(list(range(1, 30)), cursor=0, rows=same)
        await pilot.pause()
        screen_text(table)
        drawn: list[str] = []
        real = table._cell

        def counting(value, column, base):
            drawn.append(str(value))
            return real(value, column, base)

        table._cell = counting
        table.set_view(list(range(1, 30)), cursor=0, rows=same)
        screen_text(table)
        assert drawn == []  # the same cells: every line reused

        changed = {2: ["R-002", Text("renamed risk")]}
        table.set_view(list(range(1, 30)), cursor=0, rows=changed)
        shown = screen_text(table)
        assert drawn == ["R-002", "renamed risk"]
        assert any("renamed risk" in line for line in shown)
        assert not any("risk 2 " in line for line in shown)


@pytest.mark.asyncio
async def test_moving_the_cursor_keeps_both_rows_right():
    table = RegisterTable(COLUMNS)
    app = OneWidget(table)
    async with app.run_test(size=(60, 12)) as pilot:
        table.set_view(list(range(1, 30)), cursor=0, rows=rows(range(1, 30)))
        table.focus()
        await pilot.pause()
        before = [table.render_line(y) for y in (1, 2)]
        await pilot.press("down")
        after = [table.render_line(y) for y in (1, 2)]
        assert [s.text for s in before] == [s.text for s in after]
        cursor = table.get_component_rich_style("register-table--cursor")
        assert cursor.bgcolor in {seg.style.bgcolor for seg in after[1] if seg.style}
        assert cursor.bgcolor not in {seg.style.bgcolor for seg in after[0] if seg.style}


def heat(counts) -> HeatMapData:
    return HeatMapData(
        probability=(1, 2, 3, 4, 5),
        impact=(1, 2, 3, 4, 5),
        green_max=4,
        amber_max=12,
        tolerance=15,
        counts=counts,
    )


@pytest.mark.asyncio
async def test_the_heat_map_shows_new_counts_and_skips_the_same_ones():
    grid = RiskHeatMap()
    app = OneWidget(grid)
    async with app.run_test(size=(100, 20)) as pilot:
        grid.show(heat({("threat", 5, 5): 7, ("opportunity", 1, 1): 2}))
        await pilot.pause()
        text = "\n".join(screen_text(grid))
        assert "Threats (7)" in text and "Opportunities (2)" in text
        p5 = next(line for line in screen_text(grid) if line.lstrip().startswith("P5"))
        assert " 7 " in p5

        asked = spy_on_layouts(grid)
        grid.show(heat({("threat", 5, 5): 7, ("opportunity", 1, 1): 2}))
        assert asked == []  # the same counts: nothing to redraw

        grid.show(heat({("threat", 5, 5): 3}))
        await pilot.pause()
        text = "\n".join(screen_text(grid))
        assert "Threats (3)" in text and "Opportunities (0)" in text

        grid.focus()
        grid.cursor = ("threat", 5, 5)
        await pilot.pause()
        p5 = next(s for s in (grid.render_line(y) for y in range(20)) if "P5" in s.text)
        assert any(seg.style and seg.style.reverse for seg in p5 if "3" in seg.text)


def test_a_register_row_seen_before_keeps_its_cells():
    from dataclasses import dataclass
    from types import SimpleNamespace

    from tracker.ui.screens.register_pane import RegisterPane

    @dataclass(frozen=True)
    class Row:
        id: int
        title: str
        version: int

    made: list[int] = []

    def cells(row):
        made.append(row.id)
        return [row.title]

    pane = SimpleNamespace(_drawn={}, cells=cells)
    first = RegisterPane._cells(pane, [Row(1, "a", 1), Row(2, "b", 1)])
    again = RegisterPane._cells(pane, [Row(1, "a", 1), Row(2, "b changed", 2)])
    assert made == [1, 2, 2]
    assert again[1] is first[1]  # the same object, so the table reuses its drawn line
    assert again[2] == ["b changed"]
