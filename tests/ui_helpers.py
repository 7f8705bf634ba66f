"""Helpers for tests that watch what a widget asks Textual to redraw."""

from __future__ import annotations

from textual.widget import Widget


def spy_on_layouts(widget: Widget) -> list[bool]:
    """From now on, record for each ``refresh`` of ``widget`` whether it asked for a layout."""
    asked: list[bool] = []
    real = widget.refresh

    def spy(*regions, layout: bool = False, **kwargs):
        asked.append(layout)
        return real(*regions, layout=layout, **kwargs)

    widget.refresh = spy
    return asked
