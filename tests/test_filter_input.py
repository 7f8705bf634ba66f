"""The registers' filter bar: typing repaints the bar alone, not the whole screen."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input
from ui_helpers import spy_on_layouts

from tracker.ui.widgets.filter_input import FilterInput


class OneBox(App):
    CSS = "Input { width: 20; }"

    def __init__(self, box: Input) -> None:
        super().__init__()
        self.box = box

    def compose(self) -> ComposeResult:
        yield self.box


async def layouts_asked_while_typing(box: Input, text: str) -> list[bool]:
    app = OneBox(box)
    async with app.run_test() as pilot:
        box.focus()
        await pilot.pause()
        asked = spy_on_layouts(box)
        await pilot.press(*text)
        await pilot.pause()
        assert box.value == text
        if len(text) > 20:
            assert box.scroll_x > 0  # a long filter still scrolls to keep the cursor in view
        return asked


@pytest.mark.asyncio
async def test_typing_in_the_filter_bar_asks_for_no_new_layout():
    asked = await layouts_asked_while_typing(FilterInput(), "data migration staffing risk")
    assert asked and not any(asked)


@pytest.mark.asyncio
async def test_a_plain_input_would_lay_out_the_screen_on_every_key():
    """Why FilterInput exists: Textual's Input asks for a new layout as its text grows."""
    asked = await layouts_asked_while_typing(Input(), "data")
    assert sum(asked) >= 4
