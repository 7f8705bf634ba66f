"""What every register tab shares (risks, issues, the daily log, lessons): a count line, the
windowed ``RegisterTable``, the highlighted entry in full below it, sorting by key or by a click
on a heading, history, export with progress and a notice, and new and edited entries through a
``RecordForm``.

All database work runs in thread workers that post messages; the handlers update widgets. A
register says what it shows through a few methods (``compute_view``, ``fetch_rows``, ``cells``,
``fetch_detail``, ``show_detail``, ``export_table``, ``history``); the risk register adds its
in-memory index and heat map on top.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, ProgressBar, Static
from textual.worker import get_current_worker

from tracker.ui.widgets.register_table import KEEP_PAGES, PAGE, RegisterColumn, RegisterTable


class RegisterPane(Vertical):
    """A register tab. Subclasses set ``PREFIX`` (widget ids ``#PREFIX-table``,
    ``#PREFIX-count``, ``#PREFIX-detail``, ``#PREFIX-search``, ``#PREFIX-export-progress``),
    ``NOUN``, ``COLUMNS`` and the sort orders, and compose their own filter bar."""

    PREFIX: ClassVar[str] = "register"
    NOUN: ClassVar[str] = "entries"
    COLUMNS: ClassVar[tuple[RegisterColumn, ...]] = ()
    EMPTY: ClassVar[str] = "Nothing matches."
    SORT_TITLES: ClassVar[dict[str, str]] = {}
    SORT_CYCLE: ClassVar[tuple[str, ...]] = ()
    DESCENDING_FIRST: ClassVar[frozenset[str]] = frozenset()  # sorts that start high-to-low
    EXPORT_WHAT: ClassVar[str] = "register"  # "risk log": "ICS risk log"
    EXPORT_TITLE: ClassVar[str] = "Register"
    PAGE_AROUND: ClassVar[int] = 0  # rows read with a view: all of them when 0

    class ViewReady(Message):
        def __init__(self, view, rows, keep: int, started: float, asked: tuple) -> None:
            super().__init__()
            self.view = view
            self.rows = rows
            self.keep = keep  # where the highlighted entry now is
            self.started = started
            self.asked = asked  # the (filter, sort) this view answers

    class RowsReady(Message):
        def __init__(self, rows) -> None:
            super().__init__()
            self.rows = rows

    class DetailReady(Message):
        def __init__(self, detail) -> None:
            super().__init__()
            self.detail = detail

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, key: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key
        self.filter: Any = self.initial_filter()
        self.sort: Any = self.initial_sort()
        self.context: Any = None
        self.last_view_ms: float | None = None
        self.shown: tuple | None = None  # the (filter, sort) on screen
        self._started = False
        self.detail_stale = False  # a save or refresh: read the highlighted entry again too
        self._drawn: dict[int, tuple[Any, list]] = {}  # row id -> (row, its cells)

    # ------------------------------------------------------------------ what a register says

    def initial_filter(self) -> Any:
        raise NotImplementedError

    def initial_sort(self) -> Any:
        raise NotImplementedError

    def make_sort(self, key: str, descending: bool) -> Any:
        return type(self.sort)(key, descending)

    def ready(self) -> bool:
        """Whether views can be answered yet (the risk register waits for its index)."""
        return self.context is not None

    def load_context(self, db) -> Any:
        """What the pane needs once (choices for its filters...); runs in a worker."""
        return None

    def show_context(self, context: Any) -> None:
        """Put the context's choices into the filter bar."""

    def compute_view(self, db, flt: Any, sort: Any) -> Any:
        """The ids to show for ``flt`` in ``sort`` order (``.ids``, ``.total``, ``.count``);
        runs in a worker."""
        raise NotImplementedError

    def fetch_rows(self, db, ids: list[int]) -> list:
        """The rows (with ``.id``) for ``ids``; runs in a worker."""
        raise NotImplementedError

    def cells(self, row: Any) -> list:
        raise NotImplementedError

    def fetch_detail(self, db, row_id: int) -> Any:
        return None

    def show_detail(self, detail: Any) -> Text | str:
        return ""

    def export_table(self, db, ids: list[int]):
        raise NotImplementedError

    def history(self, db, identifier: str) -> list:
        raise NotImplementedError

    def count_line(self, view: Any) -> list[Text]:
        """The count line: "N of M entries · sorted by ..." (a register may add to it)."""
        return [self.count_words(view), self.sort_words()]

    def count_words(self, view: Any) -> Text:
        return Text(f"{view.count} of {view.total} {self.NOUN}", style="bold")

    def sort_words(self) -> Text:
        arrow = "▼" if self.sort.descending else "▲"
        title = self.SORT_TITLES.get(self.sort.key, self.sort.key)
        return Text(f" · sorted by {title} {arrow}", style="dim")

    def after_view(self, view: Any) -> None:
        """A view is on screen (the risk register redraws its heat map)."""

    def after_save(self, saved: Any) -> None:
        """A form saved ``saved``: show it."""
        self.reload(None)

    # ------------------------------------------------------------------ the widgets

    @property
    def table(self) -> RegisterTable:
        return self.query_one(f"#{self.PREFIX}-table", RegisterTable)

    def compose_table(self) -> ComposeResult:
        yield Static(f"Loading the {self.NOUN}…", id=f"{self.PREFIX}-count", classes="count")
        yield RegisterTable(self.COLUMNS, empty=self.EMPTY, id=f"{self.PREFIX}-table")

    def compose_below(self) -> ComposeResult:
        yield Static("", id=f"{self.PREFIX}-detail", classes="register-detail")
        yield ProgressBar(
            id=f"{self.PREFIX}-export-progress", show_eta=False, classes="export-progress"
        )

    def on_show(self) -> None:
        """Read the register the first time the tab is shown, not when the project opens."""
        if not self._started:
            self._started = True
            self.table.show_sort(self.sort.key, self.sort.descending)
            self.begin()

    def begin(self) -> None:
        """The tab is shown for the first time: start reading."""
        self.start()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="register-start")
    def start(self) -> None:
        from tracker.errors import NotFound

        try:
            context = self.load_context(self.app.backend.database())
        except NotFound as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.app.call_from_thread(self._started_with, context)

    def _started_with(self, context: Any) -> None:
        self.context = context
        self.show_context(context)
        self.refilter()

    def on_register_pane_failed(self, message: Failed) -> None:
        self.app.notify(message.message, severity="error")

    def reload(self, changed: list[int] | None = None) -> None:
        """Read again what is on screen (after a save here, or the Refresh key)."""
        self.table.forget_rows(changed)
        self._drawn.clear()
        self.detail_stale = True
        self.refilter()

    def refilter(self) -> None:
        if self.ready():
            self._view(self.filter, self.sort, self.table.row_id, time.perf_counter())

    @work(thread=True, exclusive=True, group="register-view")
    def _view(self, flt: Any, sort: Any, keep: int | None, started: float) -> None:
        db = self.app.backend.database()
        view = self.compute_view(db, flt, sort)
        try:
            position = view.ids.index(keep) if keep is not None else 0
        except ValueError:
            position = 0
        window = view.ids[max(0, position - PAGE // 2) : position + PAGE]
        rows = self.fetch_rows(db, window)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ViewReady(view, rows, position, started, (flt, sort)))

    def on_register_pane_view_ready(self, message: ViewReady) -> None:
        view = message.view
        table = self.table
        table.set_view(view.ids, cursor=message.keep, rows=self._cells(message.rows))
        table.show_sort(self.sort.key, self.sort.descending)
        self._show_count(view)
        self.after_view(view)
        if self.detail_stale and table.row_id is not None:
            self.detail_stale = False
            self._detail(table.row_id)
        self.last_view_ms = (time.perf_counter() - message.started) * 1000
        self.shown = message.asked

    def _cells(self, rows: list) -> dict[int, list]:
        """Each row's cells, made again only when the row differs from the one last drawn: a
        filter keystroke brings back mostly the rows already on screen, and the table reuses
        its drawn line for cells it has seen."""
        drawn = self._drawn
        if len(drawn) > PAGE * KEEP_PAGES:
            drawn.clear()
        cells = {}
        for row in rows:
            known = drawn.get(row.id)
            if known is None or known[0] != row:
                known = drawn[row.id] = (row, self.cells(row))
            cells[row.id] = known[1]
        return cells

    @on(RegisterTable.RowsWanted)
    def rows_wanted(self, event: RegisterTable.RowsWanted) -> None:
        self._fetch_rows(event.ids)

    @work(thread=True, group="register-rows")
    def _fetch_rows(self, ids: list[int]) -> None:
        rows = self.fetch_rows(self.app.backend.database(), ids)
        self.post_message(self.RowsReady(rows))

    def on_register_pane_rows_ready(self, message: RowsReady) -> None:
        self.table.set_rows(self._cells(message.rows))

    def _show_count(self, view) -> None:
        self.query_one(f"#{self.PREFIX}-count", Static).update(
            Text.assemble(*self.count_line(view)), layout=False
        )

    # ------------------------------------------------------------------ the entry in full

    @on(RegisterTable.Highlighted)
    def highlighted(self, event: RegisterTable.Highlighted) -> None:
        if event.row_id is not None:
            self._detail(event.row_id)
        else:
            self.query_one(f"#{self.PREFIX}-detail", Static).update("")

    @work(thread=True, exclusive=True, group="register-detail")
    def _detail(self, row_id: int) -> None:
        time.sleep(0.05)  # a held-down arrow key reads only the entry it stops on
        if get_current_worker().is_cancelled:
            return
        detail = self.fetch_detail(self.app.backend.database(), row_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailReady(detail))

    def on_register_pane_detail_ready(self, message: DetailReady) -> None:
        if message.detail is not None:
            self.query_one(f"#{self.PREFIX}-detail", Static).update(
                self.show_detail(message.detail)
            )

    # ------------------------------------------------------------------ filtering and sorting

    def set_filter(self, **changes: Any) -> None:
        self.filter = replace(self.filter, **changes)
        self.refilter()

    def action_filter(self) -> None:
        self.query_one(f"#{self.PREFIX}-search", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    @on(RegisterTable.HeaderClicked)
    def header_clicked(self, event: RegisterTable.HeaderClicked) -> None:
        key = event.column.sort_key or "identifier"
        if key == self.sort.key:
            self.sort = self.make_sort(key, not self.sort.descending)
        else:
            self.sort = self.make_sort(key, key in self.DESCENDING_FIRST)
        self.refilter()

    def action_sort_next(self) -> None:
        keys = list(self.SORT_CYCLE)
        position = keys.index(self.sort.key) if self.sort.key in keys else -1
        key = keys[(position + 1) % len(keys)]
        self.sort = self.make_sort(key, key in self.DESCENDING_FIRST)
        self.refilter()

    def action_sort_reverse(self) -> None:
        self.sort = self.make_sort(self.sort.key, not self.sort.descending)
        self.refilter()

    # ------------------------------------------------------------------ changes

    def highlighted_identifier(self) -> str | None:
        """The register identifier (``R-003``, ``I-007``) of the highlighted row."""
        row_id = self.table.row_id
        if row_id is None:
            return None
        cells = self.table._cells.get(row_id)
        return str(cells[0]) if cells else None

    @on(RegisterTable.Selected)
    def row_selected(self) -> None:
        self.open_highlighted()

    def open_highlighted(self) -> None:
        """Enter on a row: edit it (the issue register opens the issue report instead)."""
        self.action_edit()

    def edit_form(self, identifier: str):
        raise NotImplementedError

    def new_form(self):
        raise NotImplementedError

    def action_new(self) -> None:
        self.app.push_screen(self.new_form(), self.saved)

    def action_edit(self) -> None:
        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(self.edit_form(identifier), self.saved)

    def history_title(self, identifier: str) -> str:
        return f"History of {self.key} {identifier}"

    def action_history(self) -> None:
        from tracker.ui.screens.history import HistoryScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(
                HistoryScreen(
                    self.history_title(identifier), partial(self.history, identifier=identifier)
                )
            )

    def saved(self, saved) -> None:
        if saved is None:
            return
        self.app.notify(f"{self.key} {saved.identifier} saved (version {saved.version})")
        self.after_save(saved)

    # ------------------------------------------------------------------ export

    def action_export(self) -> None:
        from tracker.ui.screens.export import ExportScreen

        count = len(self.table.ids)
        self.app.push_screen(
            ExportScreen(
                what=f"{self.key} {self.EXPORT_WHAT}",
                scope=f"the {count} {self.NOUN} shown, in the order shown",
                default_name=f"{self.key}-{self.EXPORT_WHAT.replace(' ', '-')}",
            ),
            self._export_chosen,
        )

    def _export_chosen(self, choice) -> None:
        if choice is not None:
            ids = list(self.table.ids)
            progress = self.query_one(f"#{self.PREFIX}-export-progress", ProgressBar)
            progress.update(total=max(1, len(ids)), progress=0)
            progress.display = True
            self._export(choice.format, choice.path, ids)

    @work(thread=True, group="register-export")
    def _export(self, fmt: str, path: Path, ids: list[int]) -> None:
        from tracker.exports.table import write_file

        progress = self.query_one(f"#{self.PREFIX}-export-progress", ProgressBar)

        def advance(count: int) -> None:
            self.app.call_from_thread(progress.update, progress=count)

        try:
            table = self.export_table(self.app.backend.database(), ids)
            count = write_file(table, fmt, path, advance)
        except Exception as exc:
            from tracker.services.failures import user_message

            message = user_message(exc) or (str(exc) if isinstance(exc, ValueError) else None)
            if message is None:
                raise
            self.app.call_from_thread(self._export_done, None, message)
            return
        self.app.call_from_thread(self._export_done, (count, path), None)

    def _export_done(self, result, error: str | None) -> None:
        self.query_one(f"#{self.PREFIX}-export-progress").display = False
        if error:
            self.app.notify(f"Export failed: {error}", severity="error", timeout=10)
        else:
            count, path = result
            self.app.notify(
                f"Exported {count} {self.NOUN} to {path}", title=self.EXPORT_TITLE, timeout=10
            )
