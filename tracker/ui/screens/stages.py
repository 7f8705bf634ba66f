"""The project's Stages tab: the stages in order with plan, actuals, forecast, per cent
complete, status and board authorisation; a Gantt timeline of the whole project; tolerances,
tolerance status and the progress trend of the highlighted stage (or of the project); and the
financial summary. Keys record progress, change tolerances (a board decision), draft exception
and end stage reports, and show the tolerance rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.services.failures import user_message
from tracker.ui.formatting import money_cell, number_cell, rag_cell, warning_text
from tracker.ui.screens.stage_forms import FormField, StageForm, ToleranceRuleScreen
from tracker.ui.screens.stage_report import END_STAGE, EXCEPTION, StageReportScreen
from tracker.ui.widgets.tables import ReadingTable
from tracker.ui.widgets.timeline import StageTimeline

PROJECT_ROW = "project"
SPARKS = "▁▂▃▄▅▆▇█"
TREND_ROWS = 6


@dataclass(frozen=True)
class StagesData:
    plan: Any  # tracker.services.stage_plan.StagePlan
    finance: Any  # tracker.services.finance.FinancialSummary


def load_stage_plan(db, key: str) -> StagesData:
    """The tab's loader (run in the project screen's worker thread)."""
    from tracker.domain.clock import today
    from tracker.services.finance import financial_summary
    from tracker.services.stage_plan import stage_plan

    now = today()
    return StagesData(stage_plan(db, key, now), financial_summary(db, key, now))


def sparkline(values: list[int]) -> str:
    """A row of block characters, lowest to highest value."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[(v - low) * (len(SPARKS) - 1) // (high - low)] for v in values)


def _check_text(check) -> str:
    from tracker.services.stages import status_text

    return status_text(check) if check is not None else "no plan to measure against"


class StagesView(Vertical):
    """Stages in order, a timeline, and the highlighted stage's tolerances and trend."""

    DEFAULT_CSS = (Path(__file__).with_name("stages.tcss")).read_text(encoding="utf-8")
    BINDINGS = [
        Binding("p", "progress", "Progress update", id="stage_progress"),
        Binding("t", "tolerances", "Tolerances", id="stage_tolerances"),
        Binding("x", "exception_report", "Exception report", id="stage_exception_report"),
        Binding("e", "end_stage_report", "End stage report", id="stage_end_stage_report"),
        Binding("f", "finance", "Finance", id="stage_finance"),
        Binding("k", "rule", "Tolerance rule", id="stage_tolerance_rule"),
    ]

    class Saved(Message):
        def __init__(self, text: str, *, warning: bool = False) -> None:
            super().__init__()
            self.text = text
            self.warning = warning

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class OpenReport(Message):
        def __init__(self, kind: str, identifier: str) -> None:
            super().__init__()
            self.kind = kind
            self.identifier = identifier

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data: StagesData | None = None
        self.selected: str | None = None  # the highlighted row's key; first the current stage

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="stages-summary")
        with ContentSwitcher(initial="stages-plan", id="stages-switcher"):
            with VerticalScroll(id="stages-plan"):
                yield ReadingTable(id="stages-table", header_height=2)
                yield Static("Timeline", classes="section-title")
                yield StageTimeline(id="stages-timeline")
                with Horizontal(id="stages-detail"):
                    yield Static("", id="stage-facts")
                    yield Static("", id="stage-trend")
            with VerticalScroll(id="stages-finance"):
                yield Static("", id="finance-summary")
                yield Static("By stage", classes="section-title")
                yield ReadingTable(id="finance-by-stage", header_height=2)
                yield Static("By financial year (April to March)", classes="section-title")
                yield ReadingTable(id="finance-by-year", header_height=2)
                yield Static("", id="finance-notes")

    # ------------------------------------------------------------------ showing

    @property
    def project_key(self) -> str:
        return self.screen.key

    def show(self, data: StagesData) -> None:
        self.data = data
        plan = data.plan
        self._summary(plan)
        table = self.query_one("#stages-table", DataTable)
        table.clear(columns=True)
        for label, width in (
            ("#", 2),
            ("Stage", 20),
            ("Status", 11),
            ("Authorised\n(board)", 10),
            ("Start\n(actual)", 10),
            ("Plan\nend", 10),
            ("End (actual\nor forecast)", 12),
            ("Plan\ncost", 11),
            ("Spent\nto date", 10),
            ("Cost (actual\nor forecast)", 12),
            ("Done", 4),
            ("Time", 9),
            ("Cost", 9),
        ):
            table.add_column(label, width=width)
        spent = sum(s.actual_cost_pence or 0 for s in plan.stages)
        first = next((s.actual_start for s in plan.stages if s.actual_start), None)
        table.add_row(
            "",
            Text("Project", style="bold"),
            plan.status,
            "",
            format_date(first or plan.planned_start),
            format_date(plan.planned_end),
            format_date(plan.forecast_end),
            money_cell(plan.plan_cost_pence),
            money_cell(spent),
            money_cell(plan.forecast_cost_pence),
            "",
            rag_cell(self.app, plan.time.rag if plan.time else None),
            rag_cell(self.app, plan.cost.rag if plan.cost else None),
            key=PROJECT_ROW,
        )
        for s in plan.stages:
            start = (
                format_date(s.actual_start)
                if s.actual_start
                else Text(format_date(s.planned_start), style="dim")
            )
            table.add_row(
                number_cell(s.sequence),
                s.name,
                s.status,
                format_date(s.authorised_on) or "not yet",
                start,
                format_date(s.planned_end),
                format_date(s.forecast_end),
                money_cell(s.planned_cost_pence),
                money_cell(s.actual_cost_pence),
                money_cell(s.forecast_cost_pence),
                Text(f"{s.percent_complete}%", justify="right"),
                rag_cell(self.app, s.time.rag if s.time else None),
                rag_cell(self.app, s.cost.rag if s.cost else None),
                key=str(s.sequence),
            )
        keys = [PROJECT_ROW, *(str(s.sequence) for s in plan.stages)]
        if self.selected not in keys:
            current = next((s for s in plan.stages if s.name == plan.current_stage), None)
            self.selected = str(current.sequence) if current else PROJECT_ROW
        table.move_cursor(row=keys.index(self.selected))
        self.query_one("#stages-timeline", StageTimeline).show(plan)
        self._detail()
        self._finance(data.finance)
        if self.screen.focused is None or self.screen.focused not in self.walk_children():
            table.focus()

    def on_show(self) -> None:
        if self.data is not None and self.screen.focused not in self.walk_children():
            self.query_one("#stages-table", DataTable).focus()

    def _summary(self, plan) -> None:
        text = Text.assemble(
            (f"{plan.key} ", "bold"), f"{plan.name} · today {format_date(plan.today)}"
        )
        text.append(" · overall ")
        text.append_text(rag_cell(self.app, plan.overall_rag))
        text.append(f" · current stage: {plan.current_stage or '—'}")
        for exception in plan.exceptions:
            text.append("\n")
            text.append_text(
                warning_text(self.app, f"⚑ Exception: {exception.summary}; needs {exception.needs}")
            )
        self.query_one("#stages-summary", Static).update(text)

    @on(DataTable.RowHighlighted, "#stages-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self.selected = event.row_key.value
            self._detail()

    def _stage(self):
        if self.data is None or self.selected == PROJECT_ROW:
            return None
        return self.data.plan.stage(int(self.selected))

    def _tolerance_table(self, views, checks: dict[str, Any]) -> RichTable:
        table = RichTable(box=None, show_header=True, header_style="bold", padding=(0, 1))
        table.add_column("Aspect")
        table.add_column("Tolerance", max_width=38)
        table.add_column("Status", max_width=60)
        for view in views:
            check = checks.get(view.aspect)
            if view.kind in ("time", "cost"):
                status = Text()
                if check is not None and check.rag:
                    status.append_text(rag_cell(self.app, check.rag))
                    status.append(" ")
                status.append(_check_text(check))
            else:
                status = Text("described in words", style="dim") if view.is_set else Text("")
            shown = view.text
            if view.set_on:
                shown += f" (set {format_date(view.set_on)}"
                shown += f", {view.set_by})" if view.set_by else ")"
            table.add_row(view.aspect.capitalize(), shown, status)
        return table

    def _detail(self) -> None:
        if self.data is None:
            return
        plan = self.data.plan
        stage = self._stage()
        facts = RichTable.grid(padding=(0, 2))
        facts.add_column(style="bold")
        facts.add_column()
        if stage is None:
            title = Text("Project", style="bold")
            facts.add_row(
                "Plan",
                f"{format_date(plan.planned_start)} to {format_date(plan.planned_end)}; cost plan "
                f"{format_money(plan.plan_cost_pence)} (budget {format_money(plan.budget_pence)}, "
                "less the change and risk budgets)",
            )
            facts.add_row(
                "Forecast",
                f"end {format_date(plan.forecast_end)}; cost "
                f"{format_money(plan.forecast_cost_pence) or 'not known'}",
            )
            checks = {"time": plan.time, "cost": plan.cost}
            views = plan.tolerances
            setter = "set by corporate or programme management"
            reports = plan.reports
            trend: Any = Text(
                "Progress is recorded stage by stage: highlight a stage to see its trend.",
                style="dim",
            )
            queue = [f"{e.summary}: needs {e.needs}" for e in plan.exceptions]
        else:
            title = Text.assemble(
                (f"{stage.sequence} {stage.name}", "bold"), f" · {stage.kind} · {stage.status}"
            )
            facts.add_row(
                "Authorised",
                format_date(stage.authorised_on) or "not yet authorised by the board",
            )
            facts.add_row(
                "Plan",
                f"{format_date(stage.planned_start)} to {format_date(stage.planned_end)}, "
                f"{format_money(stage.planned_cost_pence) or 'no cost plan'}",
            )
            original = stage.original
            if stage.replanned and original:
                facts.add_row(
                    "Original baseline",
                    f"{format_date(original.planned_start)} to "
                    f"{format_date(original.planned_end)}, "
                    f"{format_money(original.planned_cost_pence)}",
                )
            for b in stage.baselines[1:]:
                facts.add_row(
                    f"Baseline {b.number}",
                    f"{b.kind} approved {format_date(b.approved_on)}"
                    + (f" ({b.decision})" if b.decision else "")
                    + f": to {format_date(b.planned_end)}, {format_money(b.planned_cost_pence)}",
                )
            actual = f"started {format_date(stage.actual_start)}" if stage.actual_start else ""
            if stage.actual_end:
                actual += f", ended {format_date(stage.actual_end)}"
            facts.add_row(
                "Actual",
                f"{actual or 'not started'}; {format_money(stage.actual_cost_pence or 0)} spent; "
                f"{stage.percent_complete}% complete",
            )
            facts.add_row(
                "Forecast",
                f"end {format_date(stage.forecast_end)}; "
                f"{format_money(stage.forecast_cost_pence) or 'no cost forecast'} at completion"
                + (
                    f" ({format_money(stage.estimate_to_complete_pence)} to complete)"
                    if stage.estimate_to_complete_pence is not None
                    else ""
                ),
            )
            checks = {"time": stage.time, "cost": stage.cost}
            views = stage.tolerances
            setter = "set by the project board"
            reports = stage.reports
            trend = self._trend(stage)
            queue = [
                f"{e.summary}: needs {e.needs}"
                for e in plan.exceptions
                if e.stage_sequence == stage.sequence
            ]
        for line in queue:
            facts.add_row(Text("Exception", style="bold"), warning_text(self.app, line))
        for report in reports:
            decided = f", decided {format_date(report.decided_on)}" if report.decided_on else ""
            issued = f", issued {format_date(report.issued_on)}" if report.issued_on else ""
            facts.add_row(
                "Report",
                f"{report.identifier} {report.kind}: {report.status}{issued}{decided}",
            )
        parts = [
            title,
            facts,
            Text(f"\nTolerances ({setter})", style="bold"),
            self._tolerance_table(views, checks),
        ]
        self.query_one("#stage-facts", Static).update(Group(*parts))
        self.query_one("#stage-trend", Static).update(trend)

    def _trend(self, stage) -> Any:
        updates = list(stage.progress)
        if not updates:
            return Text(
                f"No progress updates for {stage.name} yet"
                + (": P records one." if stage.status in ("authorised", "in progress") else "."),
                style="dim",
            )
        costs = [u.forecast_cost_pence for u in updates]
        slips = [
            (u.forecast_end - stage.planned_end).days if stage.planned_end else 0 for u in updates
        ]
        done = [u.percent_complete for u in updates]
        lines = RichTable.grid(padding=(0, 1))
        lines.add_column(style="bold")
        lines.add_column()
        lines.add_column()
        lines.add_row(
            "Forecast cost",
            Text(sparkline(costs), style="bold"),
            f"{format_money(costs[0])} → {format_money(costs[-1])}",
        )
        lines.add_row(
            "End vs plan",
            Text(sparkline(slips), style="bold"),
            f"{slips[0]:+d} → {slips[-1]:+d} days",
        )
        lines.add_row("Complete", Text(sparkline(done), style="bold"), f"{done[0]}% → {done[-1]}%")
        table = RichTable(box=None, show_header=True, header_style="bold", padding=(0, 1))
        for name, justify in (
            ("As at", "left"),
            ("Done", "right"),
            ("Spent", "right"),
            ("Forecast", "right"),
            ("Move", "right"),
            ("End", "left"),
        ):
            table.add_column(name, justify=justify)
        shown = updates[-TREND_ROWS:]
        before = updates[-TREND_ROWS - 1] if len(updates) > TREND_ROWS else None
        for update in shown:
            move = "" if before is None else update.forecast_cost_pence - before.forecast_cost_pence
            change = (
                ""
                if move == ""
                else "—"
                if move == 0
                else ("▲ +" if move > 0 else "▼ -") + format_money(abs(move))
            )
            table.add_row(
                format_date(update.as_at),
                f"{update.percent_complete}%",
                format_money(update.actual_cost_pence),
                format_money(update.forecast_cost_pence),
                change,
                format_date(update.forecast_end),
            )
            before = update
        heading = Text(f"Progress trend ({len(updates)} updates)", style="bold")
        return Group(heading, lines, Text(""), table)

    def _finance(self, summary) -> None:
        self.query_one("#finance-summary", Static).update(
            Text.assemble(
                ("Financial summary", "bold"),
                f" as at {format_date(summary.as_at)}: historical costs (spent), current budget "
                "provision and projected costs (still to spend), per stage and per UK financial "
                "year.",
            )
        )
        for table_id, lines, first in (
            ("#finance-by-stage", summary.by_stage, "Stage"),
            ("#finance-by-year", summary.by_year, "Financial year"),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            table.add_column(first, width=38 if first == "Stage" else 48)
            if first == "Stage":
                table.add_column("Status", width=11)
                table.add_column("Original\nbaseline", width=12)
            for name in (
                "Budget\nprovision",
                "Historical\n(spent)",
                "Projected\n(to spend)",
                "Forecast\noutturn",
                "Variance",
            ):
                table.add_column(name, width=12)
            for line in [*lines, summary.total]:
                label = Text(line.label, style="bold" if line is summary.total else "")
                money = [
                    money_cell(line.budget_pence),
                    money_cell(line.historical_pence),
                    money_cell(line.projected_pence),
                    money_cell(line.forecast_pence),
                    money_cell(line.variance_pence),
                ]
                if first == "Stage":
                    table.add_row(label, line.status, money_cell(line.baseline_pence), *money)
                else:
                    table.add_row(label, *money)
        self.query_one("#finance-notes", Static).update(
            Text(
                "A stage's costs are shared between financial years by days: its budget over its "
                "planned dates, what was spent between progress updates over the days between "
                "them, and what is still to spend over the days to its forecast end. The change "
                "and risk budgets are held by the project and not phased. The same tables: "
                f"tracker finance --project {summary.key} --by stage|year.",
                style="dim",
            )
        )

    # ------------------------------------------------------------------ keys

    def action_finance(self) -> None:
        switcher = self.query_one("#stages-switcher", ContentSwitcher)
        showing = switcher.current == "stages-finance"
        switcher.current = "stages-plan" if showing else "stages-finance"
        target = "#stages-table" if showing else "#finance-by-stage"
        self.query_one(target, DataTable).focus()

    def action_rule(self) -> None:
        self.app.push_screen(ToleranceRuleScreen())

    def action_progress(self) -> None:
        from tracker.domain.clock import today
        from tracker.services.progress import StageFacts, parse_progress, progress_refusal

        stage = self._stage()
        if stage is None:
            self.notify("Highlight a stage: progress is recorded stage by stage.")
            return
        facts = StageFacts(stage.name, stage.status, stage.actual_start)
        refusal = progress_refusal(facts)
        if refusal:
            self.notify(refusal, severity="error")
            return
        now = today()
        fields = [
            FormField("as at", "As at", format_date(now)),
            FormField(
                "actual cost to date", "Actual cost to date", format_money(stage.actual_cost_pence)
            ),
            FormField(
                "estimate to complete",
                "Estimate to complete",
                placeholder="or give the forecast at completion",
            ),
            FormField(
                "forecast at completion",
                "Forecast at completion",
                format_money(stage.forecast_cost_pence),
            ),
            FormField("forecast end", "Forecast end", format_date(stage.forecast_end)),
            FormField("per cent complete", "Per cent complete", str(stage.percent_complete)),
            FormField("note", "Note", multiline=True),
        ]
        if stage.actual_start is None:
            fields.insert(
                1, FormField("started on", "Started on", format_date(stage.planned_start))
            )

        def parse(raw):
            return parse_progress(raw, facts, today=today())

        form = StageForm(
            f"Progress update: {stage.name}",
            fields,
            parse,
            intro="Every update is kept with its date, so the trend shows. Give the estimate to "
            "complete or the forecast at completion.",
        )
        version = stage.version
        self.app.push_screen(
            form,
            lambda data: data is not None and self.save_progress(stage.sequence, data, version),
        )

    @work(thread=True, exclusive=True, group="stages-save")
    def save_progress(self, sequence: int, data, version: int) -> None:
        from tracker.domain.clock import today
        from tracker.services.progress import record_progress

        try:
            saved = record_progress(
                self.app.backend.database(),
                self.project_key,
                sequence,
                data,
                today=today(),
                opened_version=version,
            )
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.post_message(self.Refused(message))
            return
        text = f"Progress for {saved.stage} as at {format_date(saved.as_at)} recorded"
        if saved.beyond_tolerance:
            text += (
                f": {' and '.join(saved.beyond_tolerance)} forecast beyond tolerance, an "
                "exception (X drafts the exception report)"
            )
        self.post_message(self.Saved(text, warning=bool(saved.beyond_tolerance)))

    def action_tolerances(self) -> None:
        from tracker.domain.clock import today
        from tracker.services.tolerances import (
            changed_settings,
            current_raw_values,
            parse_tolerances,
        )

        if self.data is None:
            return
        stage = self._stage()
        views = stage.tolerances if stage is not None else self.data.plan.tolerances
        raw = current_raw_values(views)
        fields = []
        for view in views:
            name = view.aspect.capitalize()
            if view.kind == "time":
                fields += [
                    FormField("time plus", f"{name}: days over", raw["time plus"]),
                    FormField("time minus", f"{name}: days under", raw["time minus"]),
                ]
            elif view.kind == "cost":
                fields += [
                    FormField("cost plus", f"{name}: over (£ or %)", raw["cost plus"]),
                    FormField("cost minus", f"{name}: under (£ or %)", raw["cost minus"]),
                ]
            else:
                fields.append(FormField(view.aspect, name, raw[view.aspect], multiline=True))
        fields += [
            FormField("decided on", "Decided on", format_date(today())),
            FormField("rationale", "Rationale", multiline=True),
        ]
        aspects = [(v.aspect, v.kind) for v in views]

        def parse(values):
            data = parse_tolerances(values, aspects, today=today())
            changed_settings(data, views)
            return data

        if stage is not None:
            title = f"Tolerances for the {stage.name} stage"
            intro = (
                "Set by the project board: saving records a board decision (authorise a stage or "
                "exception plan) with its date and rationale."
            )
            sequence, version = stage.sequence, stage.version
        else:
            title = "Project tolerances"
            intro = (
                "Set above the board, by corporate or programme management: saving records their "
                "decision with its date and rationale."
            )
            sequence, version = None, self.data.plan.version
        form = StageForm(title, fields, parse, intro=intro, save_label="Record decision")
        self.app.push_screen(
            form,
            lambda data: data is not None and self.save_tolerances(sequence, data, version),
        )

    @work(thread=True, exclusive=True, group="stages-save")
    def save_tolerances(self, sequence: int | None, data, version: int) -> None:
        from tracker.domain.clock import today
        from tracker.services.tolerances import change_tolerances

        try:
            saved = change_tolerances(
                self.app.backend.database(),
                self.project_key,
                sequence,
                data,
                today=today(),
                opened_version=version,
            )
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.post_message(self.Refused(message))
            return
        self.post_message(
            self.Saved(
                f"Tolerances changed ({', '.join(saved.changed)}): recorded as decision "
                f"{saved.decision}"
            )
        )

    def action_exception_report(self) -> None:
        if self.data is None:
            return
        stage = self._stage()
        reports = stage.reports if stage is not None else self.data.plan.reports
        mine = [r for r in reports if r.kind == "exception report"]
        in_hand = next((r for r in mine if r.status in ("draft", "issued")), None)
        if in_hand is not None:
            self.open_report(EXCEPTION, in_hand.identifier)
            return
        checks = (
            (stage.time, stage.cost)
            if stage is not None
            else (
                self.data.plan.time,
                self.data.plan.cost,
            )
        )
        beyond = any(c is not None and c.status == "beyond tolerance" for c in checks)
        if not beyond and mine:
            self.open_report(EXCEPTION, mine[-1].identifier)
            return
        self.draft_report(EXCEPTION, stage.sequence if stage is not None else None)

    def action_end_stage_report(self) -> None:
        stage = self._stage()
        if stage is None:
            self.notify("Highlight the stage that is ending: an End Stage Report is per stage.")
            return
        existing = next((r for r in stage.reports if r.kind == "end stage report"), None)
        if existing is not None:
            self.open_report(END_STAGE, existing.identifier)
            return
        self.draft_report(END_STAGE, stage.sequence)

    @work(thread=True, exclusive=True, group="stages-save")
    def draft_report(self, kind: str, sequence: int | None) -> None:
        from tracker.domain.clock import today

        db = self.app.backend.database()
        try:
            if kind == EXCEPTION:
                from tracker.services.exceptions import draft_exception_report

                drafted = draft_exception_report(db, self.project_key, sequence, today=today())
            else:
                from tracker.services.end_stage import draft_end_stage_report

                drafted = draft_end_stage_report(db, self.project_key, sequence, today=today())
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.post_message(self.Refused(message))
            return
        self.post_message(self.OpenReport(kind, drafted.identifier))

    def on_stages_view_open_report(self, message: OpenReport) -> None:
        self.open_report(message.kind, message.identifier)

    def open_report(self, kind: str, identifier: str) -> None:
        def closed(changed: bool | None) -> None:
            self.screen.action_refresh()

        self.app.push_screen(StageReportScreen(self.project_key, kind, identifier), closed)

    def on_stages_view_saved(self, message: Saved) -> None:
        self.notify(message.text, severity="warning" if message.warning else "information")
        self.screen.action_refresh()

    def on_stages_view_refused(self, message: Refused) -> None:
        self.notify(message.text, severity="error", timeout=8)
