"""``tracker stages ...`` and ``tracker finance``: stage plans, progress, tolerances, exceptions
and the financial summary from the command line, through the common exporter."""

from __future__ import annotations

import argparse
import sys

from tracker.cli.usage import UsageError
from tracker.exports.table import DATE, INT, MONEY, RAG, Column, Table

STAGE_COLUMNS = (
    Column("sequence", "#", INT),
    Column("stage", "Stage"),
    Column("status", "Status"),
    Column("authorised_on", "Authorised", DATE),
    Column("planned_start", "Planned start", DATE),
    Column("planned_end", "Planned end", DATE),
    Column("baseline_end", "Baseline end", DATE),
    Column("actual_start", "Actual start", DATE),
    Column("actual_end", "Actual end", DATE),
    Column("forecast_end", "Forecast end", DATE),
    Column("planned_cost", "Planned cost", MONEY),
    Column("baseline_cost", "Baseline cost", MONEY),
    Column("actual_cost", "Actual cost", MONEY),
    Column("forecast_cost", "Forecast cost", MONEY),
    Column("percent_complete", "% complete", INT),
    Column("time_variance_days", "Time variance (days)", INT),
    Column("time_status", "Time status"),
    Column("cost_variance", "Cost variance", MONEY),
    Column("cost_status", "Cost status"),
    Column("rag", "RAG", RAG),
)
HISTORY_COLUMNS = (
    Column("as_at", "As at", DATE),
    Column("percent_complete", "% complete", INT),
    Column("actual_cost", "Actual cost to date", MONEY),
    Column("estimate_to_complete", "Estimate to complete", MONEY),
    Column("forecast_cost", "Forecast at completion", MONEY),
    Column("forecast_end", "Forecast end", DATE),
    Column("note", "Note"),
    Column("recorded_by", "Recorded by"),
)
EXCEPTION_COLUMNS = (
    Column("level", "Level"),
    Column("stage", "Stage"),
    Column("exception", "Exception"),
    Column("detail", "By how much"),
    Column("escalate_to", "Reported to"),
    Column("report", "Report"),
    Column("report_status", "Report status"),
    Column("needs", "Needs"),
)
FINANCE_MONEY = (
    Column("budget", "Budget provision", MONEY),
    Column("historical", "Historical", MONEY),
    Column("projected", "Projected", MONEY),
    Column("forecast", "Forecast outturn", MONEY),
    Column("variance", "Variance", MONEY),
)
FINANCE_BY_STAGE = (
    Column("stage", "Stage"),
    Column("status", "Status"),
    Column("baseline", "Original baseline", MONEY),
    *FINANCE_MONEY,
)
FINANCE_BY_YEAR = (Column("financial_year", "Financial year"), *FINANCE_MONEY)
PROGRESS_OPTIONS = {
    "as_at": "as at",
    "started": "started on",
    "actual": "actual cost to date",
    "to_complete": "estimate to complete",
    "at_completion": "forecast at completion",
    "forecast_end": "forecast end",
    "percent": "per cent complete",
    "note": "note",
}
REPORT_FORMATS = {"md": "md", "markdown": "md"}


def register(sub) -> None:
    from tracker.cli.main import _db_option, _format_options

    stages = sub.add_parser("stages", help="stage plans, progress, tolerances and exceptions")
    stage_sub = stages.add_subparsers(dest="stages_command", metavar="ACTION", required=True)

    listing = stage_sub.add_parser(
        "list", help="stages with plan, baseline, actual and forecast, and tolerance status"
    )
    listing.add_argument("--project", required=True, metavar="KEY")
    _format_options(listing)
    _db_option(listing)
    listing.set_defaults(handler="tracker.cli.stages:stages_list")

    progress = stage_sub.add_parser(
        "progress",
        help="record a progress update for a stage (validated like the form; every update is kept)",
    )
    progress.add_argument("--project", required=True, metavar="KEY")
    progress.add_argument("--stage", required=True, metavar="STAGE", help="number or name")
    progress.add_argument("--as-at", metavar="DATE", help="the update's date (default today)")
    progress.add_argument(
        "--started", metavar="DATE", help="when the stage actually started (first update only)"
    )
    progress.add_argument("--actual", metavar="MONEY", help="actual cost to date")
    progress.add_argument("--to-complete", metavar="MONEY", help="estimate to complete")
    progress.add_argument("--at-completion", metavar="MONEY", help="forecast at completion")
    progress.add_argument("--forecast-end", metavar="DATE", help="forecast end date")
    progress.add_argument("--percent", metavar="N", help="per cent complete, 0 to 100")
    progress.add_argument("--note", default="", help="what moved, and why")
    progress.add_argument(
        "--if-version", type=int, metavar="N", help="save only if the stage is still at version N"
    )
    _db_option(progress)
    progress.set_defaults(handler="tracker.cli.stages:stages_progress")

    history = stage_sub.add_parser("history", help="every progress update of a stage")
    history.add_argument("--project", required=True, metavar="KEY")
    history.add_argument("--stage", required=True, metavar="STAGE", help="number or name")
    _format_options(history)
    _db_option(history)
    history.set_defaults(handler="tracker.cli.stages:stages_history")

    tolerance = stage_sub.add_parser(
        "tolerance",
        help="change a stage's tolerances (a board decision) or, without --stage, the project's "
        "(a corporate or programme decision)",
    )
    tolerance.add_argument("--project", required=True, metavar="KEY")
    tolerance.add_argument("--stage", metavar="STAGE", help="number or name; omit for the project")
    tolerance.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help='e.g. --set "time plus=15" --set "cost plus=7.5%%" --set "scope=..." (repeatable)',
    )
    tolerance.add_argument("--decided", metavar="DATE", help="date of the decision (default today)")
    tolerance.add_argument("--rationale", required=True, help="why the tolerance changed")
    tolerance.add_argument(
        "--if-version",
        type=int,
        metavar="N",
        help="save only if the stage (or project) is still at version N",
    )
    _db_option(tolerance)
    tolerance.set_defaults(handler="tracker.cli.stages:stages_tolerance")

    queue = stage_sub.add_parser(
        "exceptions", help="the board's exception queue: forecasts beyond tolerance, reports due"
    )
    queue.add_argument("--project", required=True, metavar="KEY")
    _format_options(queue)
    _db_option(queue)
    queue.set_defaults(handler="tracker.cli.stages:stages_exceptions")

    report = stage_sub.add_parser(
        "report",
        help="an exception report or end stage report (ER-001, ES-001), or a stage's latest; "
        "a stage with none is shown as a draft from the data, without saving it",
    )
    report.add_argument("identifier", nargs="?", metavar="REPORT", help="e.g. ER-001 or ES-001")
    report.add_argument("--project", required=True, metavar="KEY")
    report.add_argument("--stage", metavar="STAGE", help="number or name")
    report.add_argument("--kind", choices=("exception", "end"), default="exception")
    report.add_argument("--format", "-f", default="md", metavar="F", help="md (Markdown)")
    report.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
    _db_option(report)
    report.set_defaults(handler="tracker.cli.stages:stages_report")

    finance = sub.add_parser(
        "finance",
        help="historical costs, current budget provision and projected costs, by stage or by UK "
        "financial year",
    )
    finance.add_argument("--project", required=True, metavar="KEY")
    finance.add_argument("--by", choices=("stage", "year"), default="stage")
    _format_options(finance)
    _db_option(finance)
    finance.set_defaults(handler="tracker.cli.stages:finance")


def _status_cell(check) -> str:
    if check is None:
        return ""
    if check.percent_used is None:
        return check.status
    return f"{check.status} ({check.percent_used}% of tolerance)"


def stage_rows(plan) -> list[tuple]:
    rows = []
    for s in plan.stages:
        original = s.original
        rows.append(
            (
                s.sequence,
                s.name,
                s.status,
                s.authorised_on,
                s.planned_start,
                s.planned_end,
                original.planned_end if original else None,
                s.actual_start,
                s.actual_end,
                s.forecast_end,
                s.planned_cost_pence,
                original.planned_cost_pence if original else None,
                s.actual_cost_pence,
                s.forecast_cost_pence,
                s.percent_complete,
                s.time.variance if s.time else None,
                _status_cell(s.time),
                s.cost.variance if s.cost else None,
                _status_cell(s.cost),
                s.rag,
            )
        )
    rows.append(
        (
            None,
            "Project",
            plan.status,
            None,
            plan.planned_start,
            plan.planned_end,
            None,
            None,
            None,
            plan.forecast_end,
            plan.plan_cost_pence,
            None,
            sum(s.actual_cost_pence or 0 for s in plan.stages),
            plan.forecast_cost_pence,
            None,
            plan.time.variance if plan.time else None,
            _status_cell(plan.time),
            plan.cost.variance if plan.cost else None,
            _status_cell(plan.cost),
            plan.rag,
        )
    )
    return rows


def stages_list(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.services.stage_plan import stage_plan

    fmt = checked_format(args.format)
    plan = stage_plan(open_database(args.db), args.project)
    emit(Table(f"{plan.key} stages", STAGE_COLUMNS, stage_rows(plan)), fmt, args.output)
    return 0


def stages_progress(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.domain.clock import today
    from tracker.services.progress import record_progress
    from tracker.services.stages import status_text

    raw = {field: getattr(args, option) for option, field in PROGRESS_OPTIONS.items()}
    saved = record_progress(
        open_database(args.db),
        args.project,
        args.stage,
        {k: v for k, v in raw.items() if v is not None},
        today=today(),
        opened_version=args.if_version,
    )
    key = args.project.upper()
    shown = "" if saved.latest else " (an earlier date than the latest update: kept in the history)"
    print(
        f"{key} {saved.stage}: progress as at {saved.as_at:%d/%m/%Y} recorded{shown}; "
        f"time {status_text(saved.time)}; cost {status_text(saved.cost)}"
    )
    if saved.beyond_tolerance:
        print(
            f"{key} {saved.stage}: {' and '.join(saved.beyond_tolerance)} forecast beyond "
            "tolerance: an exception; the board must be sent an exception report"
        )
    return 0


def stages_history(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.services.progress import progress_history

    fmt = checked_format(args.format)
    lines = progress_history(open_database(args.db), args.project, args.stage)
    rows = [
        (
            u.as_at,
            u.percent_complete,
            u.actual_cost_pence,
            u.estimate_to_complete_pence,
            u.forecast_cost_pence,
            u.forecast_end,
            u.note,
            u.recorded_by,
        )
        for u in lines
    ]
    emit(Table("Progress updates", HISTORY_COLUMNS, rows), fmt, args.output)
    return 0


def stages_tolerance(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.risks import parse_assignments
    from tracker.domain.clock import today
    from tracker.services.tolerances import change_tolerances

    changes = parse_assignments(args.changes)
    changes["rationale"] = args.rationale
    if args.decided:
        changes["decided on"] = args.decided
    saved = change_tolerances(
        open_database(args.db),
        args.project,
        args.stage,
        changes,
        today=today(),
        opened_version=args.if_version,
    )
    where = "stage" if saved.level == "stage" else "project"
    print(
        f"{args.project.upper()}: {where} tolerances changed ({', '.join(saved.changed)}), "
        f"recorded as decision {saved.decision}"
    )
    return 0


def stages_exceptions(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.services.exceptions import exceptions_for_board
    from tracker.services.stages import status_text

    fmt = checked_format(args.format)
    rows = [
        (
            e.level,
            e.stage,
            e.summary,
            "; ".join(f"{c.aspect} {status_text(c)}" for c in e.beyond),
            e.escalate_to,
            e.report,
            e.report_status,
            e.needs,
        )
        for e in exceptions_for_board(open_database(args.db), args.project)
    ]
    emit(Table("Exceptions", EXCEPTION_COLUMNS, rows), fmt, args.output)
    return 0


def stages_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from db.engine import open_database
    from tracker.domain.clock import today
    from tracker.reports.markdown import render_markdown
    from tracker.services.stage_reports import stage_report_document

    fmt = REPORT_FORMATS.get(args.format.strip().lower())
    if fmt is None:
        raise UsageError(f"unknown report format {args.format!r}; choose md")
    if not args.identifier and not args.stage:
        raise UsageError("give a report (ER-001, ES-001) or --stage")
    document = stage_report_document(
        open_database(args.db),
        args.project,
        identifier=args.identifier,
        stage=args.stage,
        kind=args.kind,
        today=today(),
    )
    text = render_markdown(document)
    if args.output:
        path = Path(args.output).expanduser()
        if not path.parent.is_dir():
            raise UsageError(f"--output: {path.parent} is not a directory")
        path.write_text(text, encoding="utf-8")
        print(f"wrote {document.title} to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def finance_rows(summary, by: str) -> tuple[tuple[Column, ...], list[tuple]]:
    def money(line):
        return (
            line.budget_pence,
            line.historical_pence,
            line.projected_pence,
            line.forecast_pence,
            line.variance_pence,
        )

    total = summary.total
    if by == "year":
        rows = [(line.label, *money(line)) for line in summary.by_year]
        return FINANCE_BY_YEAR, [*rows, (total.label, *money(total))]
    rows = [
        (line.label, line.status, line.baseline_pence, *money(line)) for line in summary.by_stage
    ]
    return FINANCE_BY_STAGE, [*rows, (total.label, total.status, None, *money(total))]


def finance(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.services.finance import financial_summary

    fmt = checked_format(args.format)
    summary = financial_summary(open_database(args.db), args.project)
    columns, rows = finance_rows(summary, args.by)
    title = f"{summary.key} finance by {args.by}"
    emit(Table(title, columns, rows), fmt, args.output)
    return 0
