"""The risk register tab: a filter bar, the register (windowed: it shows what is on screen), the
summary risk profile beside it, and the highlighted risk in full below.

All database work runs in thread workers through the services in
``tracker.services.risk_register``: the first screenful comes straight from the database, then
an in-memory index of the register answers every filter keystroke, and the rows on screen are
read from the database by id. What every register tab shares (table, count, detail, sorting,
history, export, forms) is ``RegisterPane``'s.
"""

from __future__ import annotations

import gc
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Select, Static

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
from tracker.ui.screens.register_pane import RegisterPane
from tracker.ui.widgets.filter_input import FilterInput
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


def _keep_out_of_collections() -> None:
    """A register index is hundreds of thousands of objects that live as long as the screen.
    Python's cycle collector would walk them all in each full collection (200 ms at 100,000
    risks, in the middle of someone's typing); frozen, they are left out of it. They are still
    freed as usual when the index is replaced."""
    gc.freeze()


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


class RiskRegisterPane(RegisterPane):
    """The risk register: filter, sort, heat map, add, edit, close, history and export."""

    PREFIX = "risk"
    NOUN = "risks"
    COLUMNS = COLUMNS
    EMPTY = "No risks match."
    SORT_TITLES = SORT_TITLES
    SORT_CYCLE = SORT_CYCLE
    DESCENDING_FIRST = frozenset({"score", "rag", "movement", "updated"})
    EXPORT_WHAT = "risk log"
    EXPORT_TITLE = "Risk log"

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
        Binding(
            "I", "materialise", "Materialised: make it an issue", show=False, id="risk_to_issue"
        ),
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

    def __init__(self, key: str, *, id: str | None = None) -> None:
        super().__init__(key, id=id)
        self.index = None

    def initial_filter(self) -> RiskFilter:
        return RiskFilter()

    def initial_sort(self) -> RiskSort:
        return RiskSort()

    def compose(self) -> ComposeResult:
        with Horizontal(id="risk-filters"):
            yield FilterInput(
                placeholder="/ filter: words in the title, cause, event, effect or owner",
                id="risk-search",
            )
            yield Select(STATUS_OPTIONS, value="open", allow_blank=False, id="risk-status")
            yield Select([], prompt="Any owner", id="risk-owner")
            yield Select([], prompt="Any category", id="risk-category")
            yield Input(placeholder="Min score", type="integer", id="risk-min-score")
        with Horizontal(id="risk-body"):
            with Vertical(id="risk-main"):
                yield from self.compose_table()
            with Vertical(id="risk-side"):
                yield RiskHeatMap(id="risk-heat")
                yield Static("", id="risk-heat-legend")
        yield from self.compose_below()

    def begin(self) -> None:
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
        index = register_index(db, self.key)
        self.post_message(self.IndexReady(index))
        index.index_words()

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
        _keep_out_of_collections()
        self.refilter()

    def ready(self) -> bool:
        return self.index is not None

    def compute_view(self, db, flt: RiskFilter, sort: RiskSort):
        return self.index.view(flt, sort)

    def fetch_rows(self, db, ids: list[int]) -> list[RegisterRow]:
        from tracker.domain.clock import today
        from tracker.services.risk_register import register_rows

        return register_rows(db, self.key, ids, today())

    def cells(self, row: RegisterRow) -> list:
        return register_cells(self.app, row)

    def after_view(self, view) -> None:
        self._show_heat(view)

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
            _keep_out_of_collections()
            self.app.call_from_thread(self._resync, None)
        elif self.index.sync(db) or changed:
            self.app.call_from_thread(self._resync, changed)
        self.index.index_words()

    def _resync(self, changed: list[int] | None) -> None:
        table = self.query_one("#risk-table", RegisterTable)
        table.forget_rows(changed)
        self.detail_stale = True
        self.refilter()

    # ------------------------------------------------------------------ what is shown

    def count_line(self, view) -> list[Text]:
        parts = [self.count_words(view)]
        if self.filter.cell is not None:
            cell = self.filter.cell
            parts.append(
                Text(
                    f" · cell P{cell.probability} x I{cell.impact} ({cell.kind}s; backspace on "
                    "the map shows all)"
                )
            )
        parts.append(self.sort_words())
        if self.context is not None:
            basis = "residual" if self.filter.basis == CURRENT else "inherent"
            parts.append(Text(f" · scores: {basis}", style="dim"))
        return parts

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

    def fetch_detail(self, db, row_id: int):
        from tracker.services.risk_register import risk_detail_by_id

        return risk_detail_by_id(db, self.key, row_id)

    def show_detail(self, d) -> Text:
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
        for link in d.links:
            text.append("Issue: ", style="bold")
            text.append(f"{link.on_risk()}: {link.title}\n")
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
        return text

    # ------------------------------------------------------------------ filtering and sorting

    @on(Input.Changed, "#risk-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.set_filter(text=event.value)

    @on(Input.Submitted, "#risk-search")
    def search_submitted(self) -> None:
        self.query_one("#risk-table").focus()

    @on(Input.Changed, "#risk-min-score")
    def min_score_changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        self.set_filter(min_score=int(value) if value.isdigit() else None)

    @on(Select.Changed, "#risk-status")
    def status_changed(self, event: Select.Changed) -> None:
        self.set_filter(status=str(event.value))

    @on(Select.Changed, "#risk-owner")
    def owner_changed(self, event: Select.Changed) -> None:
        self.set_filter(owner=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#risk-category")
    def category_changed(self, event: Select.Changed) -> None:
        self.set_filter(category=None if event.value is Select.NULL else str(event.value))

    @on(RiskHeatMap.CellSelected, "#risk-heat")
    def cell_selected(self, event: RiskHeatMap.CellSelected) -> None:
        self.set_filter(cell=HeatCell(*event.cell) if event.cell else None)

    def sort_by(self, key: str, descending: bool) -> None:
        if key not in SORT_KEYS:
            raise ValueError(key)
        self.sort = RiskSort(key, descending)
        self.refilter()

    def action_toggle_basis(self) -> None:
        basis = INHERENT if self.filter.basis == CURRENT else CURRENT
        heat = self.query_one("#risk-heat", RiskHeatMap)
        heat.selected = None
        self.set_filter(basis=basis, cell=None)

    def action_focus_map(self) -> None:
        self.query_one("#risk-heat").focus()

    # ------------------------------------------------------------------ changes

    def new_form(self):
        from tracker.ui.screens.risk_form import RiskForm

        return RiskForm(self.key, None)

    def edit_form(self, identifier: str):
        from tracker.ui.screens.risk_form import RiskForm

        return RiskForm(self.key, identifier)

    def action_new_risk(self) -> None:
        self.action_new()

    def action_edit_risk(self) -> None:
        self.action_edit()

    def action_close_risk(self) -> None:
        from tracker.ui.screens.risk_close import CloseRiskScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(CloseRiskScreen(self.key, identifier), self.saved)

    def action_materialise(self) -> None:
        """The highlighted risk has happened: raise it as an issue, linked both ways."""
        from tracker.ui.screens.issue_dialogs import MaterialiseRiskScreen

        identifier = self.highlighted_identifier()
        if identifier:
            self.app.push_screen(MaterialiseRiskScreen(self.key, identifier), self._materialised)

    def _materialised(self, made) -> None:
        if made is None:
            return
        closed = f"; {made.risk} closed" if made.risk_closed else ""
        self.app.notify(f"{self.key} {made.risk} materialised as issue {made.issue}{closed}")
        self.sync(changed=[made.risk_id])
        for issues in self.screen.query("IssueRegisterPane"):  # already read: show the issue
            if issues.context is not None:
                issues.read_everything_again()

    def history(self, db, identifier: str) -> list:
        from tracker.services.risk_register import risk_history

        return risk_history(db, self.key, identifier)

    def after_save(self, saved) -> None:
        self.sync(changed=[saved.risk_id] if getattr(saved, "risk_id", None) else None)

    def export_table(self, db, ids: list[int]):
        from tracker.services.risk_log import RiskLogSelection, risk_log_table

        return risk_log_table(db, self.key, RiskLogSelection(ids=ids))
