"""The risk register tab: a filter bar, the register (windowed: it shows what is on screen), the
summary risk profile beside it, and the highlighted risk in full below.

All database work runs in thread workers through the services in
``tracker.services.risk_register``: the first screenful comes straight from the database, then
an in-memory index of the register answers every filter keystroke, and the rows on screen are
read from the database by id.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, ProgressBar, Select, Static
from textual.worker import get_current_worker

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.services.risk_register import (
    CURRENT,
    INHERENT,
    SORT_KEYS,
    HeatCell,
    RegisterRow,
    RiskFilter,
    RiskSort,
)
from tracker.ui.formatting import number_cell, rag_cell, warning_text
from tracker.ui.widgets.heat_map import HeatMapData, RiskHeatMap
from tracker.ui.widgets.register_table import RegisterColumn, RegisterTable

COLUMNS = (
    RegisterColumn("identifier", "Risk", 6, sort_key="identifier"),
    RegisterColumn("title", "Title", 30, sort_key="title"),
    RegisterColumn("kind", "Kind", 6, sort_key="kind"),
    RegisterColumn("category", "Category", 12, sort_key="category"),
    RegisterColumn("probability", "P", 2, "right", sort_key="probability"),
    RegisterColumn("impact", "I", 2, "right", sort_key="impact"),
    RegisterColumn("score", "Score", 7, "right", sort_key="score"),
    RegisterColumn("rag", "RAG", 8, sort_key="rag"),
    RegisterColumn("board", "Board", 5),
    RegisterColumn("movement", "Trend", 6, sort_key="movement"),
    RegisterColumn("proximity", "Proximity", 12, sort_key="proximity"),
    RegisterColumn("owner", "Owner", 18, sort_key="owner"),
    RegisterColumn("response", "Response", 9, sort_key="response"),
    RegisterColumn("status", "Status", 7, sort_key="status"),
    RegisterColumn("updated", "Updated", 10, sort_key="updated"),
)
SORT_TITLES = {c.sort_key: c.title for c in COLUMNS if c.sort_key}
SORT_TITLES["score"] = "Score"
SORT_CYCLE = ("score", "identifier", "proximity", "owner", "category", "updated", "movement")
STATUS_OPTIONS = (
    ("Open", "open"),
    ("Active", "active"),
    ("Draft", "draft"),
    ("Closed", "closed"),
    ("All statuses", "all"),
)
MOVEMENT_MARKS = {"up": "▲ up", "down": "▼ down", "new": "✚ new", "closed": "✓ closed"}
FIRST_SCREEN = 60
SYNC_EVERY = 10.0  # seconds between checks that nobody else changed the register


def register_cells(app, row: RegisterRow) -> list[Text | str]:
    """A register row as the table shows it: RAG in colour and words, flags in words."""
    if row.proximity_flag == "passed":
        proximity = warning_text(app, f"⚑ {format_date(row.proximity_date)}")
    elif row.proximity_flag == "soon":
        when = format_date(row.proximity_date) if row.proximity_date else "imminent"
        proximity = Text(f"⚑ {when}", style=f"bold {app.theme_variables.get('warning', '')}")
    else:
        proximity = format_date(row.proximity_date) or (row.proximity_band or "")
    movement = MOVEMENT_MARKS.get(row.movement or "", "")
    return [
        row.identifier,
        row.title,
        "Opp." if row.kind == "opportunity" else "Threat",
        row.category,
        number_cell(row.probability),
        number_cell(row.impact),
        number_cell(row.score),
        rag_cell(app, row.rag),
        warning_text(app, "board") if row.above_tolerance else "",
        movement,
        proximity,
        row.owner,
        row.response_category,
        row.status,
        format_date(row.updated_at.date()),
    ]


class RiskRegisterPane(Vertical):
    """The risk register: filter, sort, heat map, add, edit, close, history and export."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_risk", "New risk", id="risk_new"),
        Binding("e", "edit_risk", "Edit risk", show=False, id="risk_edit"),
        Binding("c", "close_risk", "Close risk", id="risk_close"),
        Binding("slash", "filter", "Filter", id="risk_filter"),
        Binding("x", "export", "Export", id="risk_export"),
        Binding("h", "history", "History", id="risk_history"),
        Binding("i", "toggle_basis", "Inherent/residual", id="risk_basis"),
        Binding("s", "sort_next", "Sort", id="risk_sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="risk_sort_reverse"),
        Binding("m", "focus_map", "Heat map", show=False, id="risk_heat_map"),
        Binding("t", "focus_table", "Register", show=False, id="risk_table_focus"),
    ]

    class Started(Message):
        def __init__(self, context, first, rows) -> None:
            super().__init__()
            self.context = context
            self.first = first
            self.rows = rows

    class IndexReady(Message):
        def __init__(self, index) -> None:
            super().__init__()
            self.index = index

    class ViewReady(Message):
        def __init__(self, view, rows, keep: int, started: float, asked: tuple) -> None:
            super().__init__()
            self.view = view
            self.rows = rows
            self.keep = keep  # where the highlighted risk now is
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
        self.filter = RiskFilter()
        self.sort = RiskSort()
        self.index = None
        self.context = None
        self.last_view_ms: float | None = None
        self.shown: tuple | None = None  # the (filter, sort) on screen
        self._started = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="risk-filters"):
            yield Input(
                placeholder="/ filter: words in the title, cause, event, effect or owner",
                id="risk-search",
            )
            yield Select(STATUS_OPTIONS, value="open", allow_blank=False, id="risk-status")
            yield Select([], prompt="Any owner", id="risk-owner")
            yield Select([], prompt="Any category", id="risk-category")
            yield Input(placeholder="Min score", type="integer", id="risk-min-score")
        with Horizontal(id="risk-body"):
            with Vertical(id="risk-main"):
                yield Static("Loading the risk register…", id="risk-count")
                yield RegisterTable(COLUMNS, empty="No risks match.", id="risk-table")
            with Vertical(id="risk-side"):
                yield RiskHeatMap(id="risk-heat")
                yield Static("", id="risk-heat-legend")
        yield Static("", id="risk-detail")
        yield ProgressBar(id="risk-export-progress", show_eta=False)

    def on_show(self) -> None:
        """Read the register the first time the tab is shown, not when the project opens."""
        if not self._started:
            self._started = True
            self.query_one("#risk-table", RegisterTable).show_sort(
                self.sort.key, self.sort.descending
            )
            self.start()
            self.set_interval(SYNC_EVERY, self.sync)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="risk-start")
    def start(self) -> None:
        from tracker.domain.clock import today
        from tracker.errors import NotFound
        from tracker.services.risk_register import (
            first_rows,
            register_context,
            register_index,
            register_rows,
        )

        db = self.app.backend.database()
        try:
            context = register_context(db, self.key, today())
            first = first_rows(db, self.key, self.sort, self.filter, FIRST_SCREEN)
            rows = register_rows(db, self.key, first.ids, context.today)
        except NotFound as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Started(context, first, rows))
        self.post_message(self.IndexReady(register_index(db, self.key)))

    def on_risk_register_pane_started(self, message: Started) -> None:
        self.context = message.context
        owners = self.query_one("#risk-owner", Select)
        owners.set_options([(name, name) for name in message.context.owners])
        categories = self.query_one("#risk-category", Select)
        categories.set_options([(name, name) for name in message.context.categories])
        table = self.query_one("#risk-table", RegisterTable)
        table.set_view(message.first.ids, cursor=0, rows=self._cells(message.rows))
        self.query_one("#risk-count", Static).update(
            f"{len(message.first.ids)} of {message.first.total} risks shown so far…"
        )

    def on_risk_register_pane_index_ready(self, message: IndexReady) -> None:
        self.index = message.index
        self.refilter()

    def on_risk_register_pane_failed(self, message: Failed) -> None:
        self.app.notify(message.message, severity="error")

    def refilter(self) -> None:
        if self.index is not None:
            table = self.query_one("#risk-table", RegisterTable)
            self._view(self.filter, self.sort, table.row_id, time.perf_counter())

    @work(thread=True, exclusive=True, group="risk-view")
    def _view(self, flt: RiskFilter, sort: RiskSort, keep: int | None, started: float) -> None:
        from tracker.domain.clock import today
        from tracker.services.risk_register import register_rows
        from tracker.ui.widgets.register_table import PAGE

        view = self.index.view(flt, sort)
        try:
            position = view.ids.index(keep) if keep is not None else 0
        except ValueError:
            position = 0
        window = view.ids[max(0, position - PAGE // 2) : position + PAGE]
        rows = register_rows(self.app.backend.database(), self.key, window, today())
        if not get_current_worker().is_cancelled:
            self.post_message(self.ViewReady(view, rows, position, started, (flt, sort)))

    def on_risk_register_pane_view_ready(self, message: ViewReady) -> None:
        view = message.view
        table = self.query_one("#risk-table", RegisterTable)
        table.set_view(view.ids, cursor=message.keep, rows=self._cells(message.rows))
        table.show_sort(self.sort.key, self.sort.descending)
        self._show_count(view)
        self._show_heat(view)
        self.last_view_ms = (time.perf_counter() - message.started) * 1000
        self.shown = message.asked

    def _cells(self, rows: list[RegisterRow]) -> dict[int, list]:
        return {row.id: register_cells(self.app, row) for row in rows}

    @on(RegisterTable.RowsWanted, "#risk-table")
    def rows_wanted(self, event: RegisterTable.RowsWanted) -> None:
        self._fetch_rows(event.ids)

    @work(thread=True, group="risk-rows")
    def _fetch_rows(self, ids: list[int]) -> None:
        from tracker.domain.clock import today
        from tracker.services.risk_register import register_rows

        rows = register_rows(self.app.backend.database(), self.key, ids, today())
        self.post_message(self.RowsReady(rows))

    def on_risk_register_pane_rows_ready(self, message: RowsReady) -> None:
        self.query_one("#risk-table", RegisterTable).set_rows(self._cells(message.rows))

    @work(thread=True, exclusive=True, group="risk-sync")
    def sync(self, changed: list[int] | None = None, full: bool = False) -> None:
        """Bring the index up to date with the database (this session's saves, or anyone's),
        then show the view again, keeping the highlighted risk. ``full`` (the Refresh key)
        rebuilds it and reads every row again."""
        if self.index is None:
            return
        db = self.app.backend.database()
        if full:
            from tracker.services.risk_register import register_index

            self.index = register_index(db, self.key)
            self.app.call_from_thread(self._resync, None)
        elif self.index.sync(db) or changed:
            self.app.call_from_thread(self._resync, changed)

    def _resync(self, changed: list[int] | None) -> None:
        table = self.query_one("#risk-table", RegisterTable)
        table.forget_rows(changed)
        self.refilter()

    # ------------------------------------------------------------------ what is shown

    def _show_count(self, view) -> None:
        parts = [Text(f"{view.count} of {view.total} risks", style="bold")]
        if self.filter.cell is not None:
            cell = self.filter.cell
            parts.append(
                Text(
                    f" · cell P{cell.probability} x I{cell.impact} ({cell.kind}s; backspace on "
                    "the map shows all)"
                )
            )
        arrow = "▼" if self.sort.descending else "▲"
        parts.append(
            Text(
                f" · sorted by {SORT_TITLES.get(self.sort.key, self.sort.key)} {arrow}", style="dim"
            )
        )
        if self.context is not None:
            basis = "residual" if self.filter.basis == CURRENT else "inherent"
            parts.append(Text(f" · scores: {basis}", style="dim"))
        self.query_one("#risk-count", Static).update(Text.assemble(*parts), layout=False)

    def _show_heat(self, view) -> None:
        context = self.context
        if context is None:
            return
        counts = {(c.kind, c.probability, c.impact): n for c, n in view.heat.items()}
        basis = (
            "residual (inherent where not yet assessed)" if view.basis == CURRENT else "inherent"
        )
        self.query_one("#risk-heat", RiskHeatMap).show(
            HeatMapData(
                probability=tuple(level for level, _ in context.probability_levels),
                impact=tuple(level for level, _ in context.impact_levels),
                green_max=context.green_max,
                amber_max=context.amber_max,
                tolerance=context.tolerance_score,
                counts=counts,
                basis="residual" if view.basis == CURRENT else "inherent",
            )
        )
        above = sum(
            n for c, n in view.heat.items() if c.probability * c.impact >= context.tolerance_score
        )
        legend = Text()
        legend.append(f"Risk tolerance line: score {context.tolerance_score}+ ", style="bold")
        legend.append(f"goes to the board ({above} shown above it).\n")
        legend.append(
            f"Bands: green 1-{context.green_max}, amber {context.green_max + 1}-"
            f"{context.amber_max}, red {context.amber_max + 1}+. "
        )
        legend.append(f"Grid: {basis}.\n", style="dim")
        movement = self.index.movement() if self.index is not None else {}
        if context.baseline:
            moved = ", ".join(f"{n} {what}" for what, n in movement.items() if n) or "no change"
            legend.append(f"Since {context.baseline}: {moved}.", style="dim")
        else:
            legend.append("No highlight report issued yet: no movement to show.", style="dim")
        self.query_one("#risk-heat-legend", Static).update(legend, layout=False)

    @on(RegisterTable.Highlighted, "#risk-table")
    def highlighted(self, event: RegisterTable.Highlighted) -> None:
        if event.row_id is not None:
            self._detail(event.row_id)
        else:
            self.query_one("#risk-detail", Static).update("")

    @work(thread=True, exclusive=True, group="risk-detail")
    def _detail(self, row_id: int) -> None:
        from tracker.services.risk_register import risk_detail_by_id

        time.sleep(0.05)  # a held-down arrow key reads only the risk it stops on
        if get_current_worker().is_cancelled:
            return
        detail = risk_detail_by_id(self.app.backend.database(), self.key, row_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailReady(detail))

    def on_risk_register_pane_detail_ready(self, message: DetailReady) -> None:
        d = message.detail
        if d is None:
            return
        text = Text()
        text.append(f"{d.identifier} {d.title}\n", style="bold")
        for label, value in (
            ("Cause", d.cause),
            ("Event", d.event),
            ("Effect", d.effect),
            ("Response", d.response),
            ("Early warning", d.early_warning_indicators),
        ):
            if value:
                text.append(f"{label}: ", style="bold")
                text.append(" ".join(value.split()) + "\n")
        facts = [f"registered {format_date(d.date_registered)} by {d.author or 'not recorded'}"]
        facts.append(f"inherent P{d.inherent[0]} x I{d.inherent[1]}")
        if d.residual:
            facts.append(f"residual P{d.residual[0]} x I{d.residual[1]}")
        if d.inherent_expected_value_pence is not None:
            facts.append(
                f"expected value {format_money(d.inherent_expected_value_pence)}"
                + (
                    f" -> {format_money(d.residual_expected_value_pence)}"
                    if d.residual_expected_value_pence is not None
                    else ""
                )
            )
        if d.actionees:
            facts.append(f"actionees {', '.join(d.actionees)}")
        if d.closed_on:
            facts.append(f"closed {format_date(d.closed_on)}: {d.closure_reason}")
        text.append(" · ".join(facts), style="dim")
        self.query_one("#risk-detail", Static).update(text)

    # ------------------------------------------------------------------ filtering and sorting

    def _set_filter(self, **changes: Any) -> None:
        self.filter = replace(self.filter, **changes)
        self.refilter()

    @on(Input.Changed, "#risk-search")
    def search_changed(self, event: Input.Changed) -> None:
        self._set_filter(text=event.value)

    @on(Input.Submitted, "#risk-search")
    def search_submitted(self) -> None:
        self.query_one("#risk-table").focus()

    @on(Input.Changed, "#risk-min-score")
    def min_score_changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        self._set_filter(min_score=int(value) if value.isdigit() else None)

    @on(Select.Changed, "#risk-status")
    def status_changed(self, event: Select.Changed) -> None:
        self._set_filter(status=str(event.value))

    @on(Select.Changed, "#risk-owner")
    def owner_changed(self, event: Select.Changed) -> None:
        self._set_filter(owner=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#risk-category")
    def category_changed(self, event: Select.Changed) -> None:
        self._set_filter(category=None if event.value is Select.NULL else str(event.value))

    @on(RiskHeatMap.CellSelected, "#risk-heat")
    def cell_selected(self, event: RiskHeatMap.CellSelected) -> None:
        self._set_filter(cell=HeatCell(*event.cell) if event.cell else None)

    @on(RegisterTable.HeaderClicked, "#risk-table")
    def header_clicked(self, event: RegisterTable.HeaderClicked) -> None:
        key = event.column.sort_key or "identifier"
        if key == self.sort.key:
            self.sort = RiskSort(key, not self.sort.descending)
        else:
            self.sort = RiskSort(key, key in ("score", "rag", "movement", "updated"))
        self.refilter()

    def action_sort_next(self) -> None:
        keys = list(SORT_CYCLE)
        position = keys.index(self.sort.key) if self.sort.key in keys else -1
        key = keys[(position + 1) % len(keys)]
        self.sort = RiskSort(key, key in ("score", "movement", "updated"))
        self.refilter()

    def action_sort_reverse(self) -> None:
        self.sort = RiskSort(self.sort.key, not self.sort.descending)
        self.refilter()

    def sort_by(self, key: str, descending: bool) -> None:
        if key not in SORT_KEYS:
            raise ValueError(key)
        self.sort = RiskSort(key, descending)
        self.refilter()

    def action_toggle_basis(self) -> None:
        basis = INHERENT if self.filter.basis == CURRENT else CURRENT
        heat = self.query_one("#risk-heat", RiskHeatMap)
        heat.selected = None
        self._set_filter(basis=basis, cell=None)

    def action_filter(self) -> None:
        self.query_one("#risk-search", Input).focus()

    def action_focus_map(self) -> None:
        self.query_one("#risk-heat").focus()

    def action_focus_table(self) -> None:
        self.query_one("#risk-table").focus()

    # ------------------------------------------------------------------ changes

    def _highlighted_identifier(self) -> str | None:
        table = self.query_one("#risk-table", RegisterTable)
        row_id = table.row_id
        if row_id is None:
            return None
        cells = table._cells.get(row_id)
        return str(cells[0]) if cells else None

    @on(RegisterTable.Selected, "#risk-table")
    def row_selected(self) -> None:
        self.action_edit_risk()

    def action_new_risk(self) -> None:
        from tracker.ui.screens.risk_form import RiskForm

        self.app.push_screen(RiskForm(self.key, None), self._saved)

    def action_edit_risk(self) -> None:
        from tracker.ui.screens.risk_form import RiskForm

        identifier = self._highlighted_identifier()
        if identifier:
            self.app.push_screen(RiskForm(self.key, identifier), self._saved)

    def action_close_risk(self) -> None:
        from tracker.ui.screens.risk_close import CloseRiskScreen

        identifier = self._highlighted_identifier()
        if identifier:
            self.app.push_screen(CloseRiskScreen(self.key, identifier), self._saved)

    def action_history(self) -> None:
        from tracker.ui.screens.risk_history import RiskHistoryScreen

        identifier = self._highlighted_identifier()
        if identifier:
            self.app.push_screen(RiskHistoryScreen(self.key, identifier))

    def _saved(self, saved) -> None:
        if saved is None:
            return
        self.app.notify(f"{self.key} {saved.identifier} saved (version {saved.version})")
        self.sync(changed=[saved.risk_id] if getattr(saved, "risk_id", None) else None)

    # ------------------------------------------------------------------ export

    def action_export(self) -> None:
        from tracker.ui.screens.export import ExportScreen

        table = self.query_one("#risk-table", RegisterTable)
        count = len(table.ids)
        self.app.push_screen(
            ExportScreen(
                what=f"{self.key} risk log",
                scope=f"the {count} risks shown, in the order shown",
                default_name=f"{self.key}-risk-log",
            ),
            self._export_chosen,
        )

    def _export_chosen(self, choice) -> None:
        if choice is not None:
            ids = list(self.query_one("#risk-table", RegisterTable).ids)
            progress = self.query_one("#risk-export-progress", ProgressBar)
            progress.update(total=max(1, len(ids)), progress=0)
            progress.display = True
            self._export(choice.format, choice.path, ids)

    @work(thread=True, group="risk-export")
    def _export(self, fmt: str, path: Path, ids: list[int]) -> None:
        from tracker.exports.table import write_file
        from tracker.services.risk_log import RiskLogSelection, risk_log_table

        progress = self.query_one("#risk-export-progress", ProgressBar)

        def advance(count: int) -> None:
            self.app.call_from_thread(progress.update, progress=count)

        try:
            table = risk_log_table(self.app.backend.database(), self.key, RiskLogSelection(ids=ids))
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
        self.query_one("#risk-export-progress").display = False
        if error:
            self.app.notify(f"Export failed: {error}", severity="error", timeout=10)
        else:
            count, path = result
            self.app.notify(f"Exported {count} risks to {path}", title="Risk log", timeout=10)
