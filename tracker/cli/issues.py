"""``tracker issues ...``: the issue register and change control from the command line, the same
operations as the Issues tab (export, the issue report, the board's queue, raise, update, move
through the lifecycle, decide, and the escalation links with the risk register)."""

from __future__ import annotations

import argparse
import sys

from tracker.cli.usage import UsageError

REPORT_FORMATS = {"md": "tracker.reports.markdown:render_markdown"}


def register(sub) -> None:
    from tracker.cli.main import _db_option, _format_options

    issues = sub.add_parser("issues", help="the issue register and change control")
    actions = issues.add_subparsers(dest="issues_command", metavar="ACTION", required=True)

    export = actions.add_parser(
        "export", help="the issue register as a table (CSV, TSV, XLSX, JSON, Markdown, HTML, ...)"
    )
    export.add_argument("--project", required=True, metavar="KEY")
    _format_options(export)
    export.add_argument(
        "--status",
        default="open",
        choices=("open", "closed", "all"),
        help="open (not yet closed, the default), closed, or all",
    )
    _db_option(export)
    export.set_defaults(handler="tracker.cli.issues:export_issues")

    report = actions.add_parser("report", help="one issue report, printable (Markdown)")
    report.add_argument("identifier", metavar="ISSUE", help="e.g. I-003")
    report.add_argument("--project", required=True, metavar="KEY")
    report.add_argument(
        "--format", "-f", default="md", metavar="F", help=f"{', '.join(REPORT_FORMATS)}"
    )
    report.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
    _db_option(report)
    report.set_defaults(handler="tracker.cli.issues:issue_report")

    queue = actions.add_parser(
        "board-queue",
        help="issues awaiting a decision above the project manager's authority (for the "
        "next board review)",
    )
    queue.add_argument("--project", required=True, metavar="KEY")
    _format_options(queue)
    _db_option(queue)
    queue.set_defaults(handler="tracker.cli.issues:board_queue")

    raised = actions.add_parser("raise", help="raise a new issue (validated like the form)")
    raised.add_argument("--project", required=True, metavar="KEY")
    _set_option(raised, 'e.g. --set "type=request for change" --set "title=..."')
    _db_option(raised)
    raised.set_defaults(handler="tracker.cli.issues:raise_issue")

    update = actions.add_parser(
        "update", help="change fields of an issue (its status changes with advance or decide)"
    )
    update.add_argument("identifier", metavar="ISSUE")
    update.add_argument("--project", required=True, metavar="KEY")
    _set_option(update, 'e.g. --set "impact cost=£8,000 from the change budget"')
    _version_option(update)
    _db_option(update)
    update.set_defaults(handler="tracker.cli.issues:update_issue")

    advance = actions.add_parser(
        "advance",
        help="move an issue on in its lifecycle: examined, options proposed, implemented, "
        "closed (or back after a deferral or a request for more information)",
    )
    advance.add_argument("identifier", metavar="ISSUE")
    advance.add_argument("--project", required=True, metavar="KEY")
    advance.add_argument("--to", required=True, metavar="STATUS")
    advance.add_argument("--on", default="", metavar="DATE", help="closure date (default today)")
    _version_option(advance)
    _db_option(advance)
    advance.set_defaults(handler="tracker.cli.issues:advance")

    decide = actions.add_parser(
        "decide", help="record a decision, at the level of authority the severity requires"
    )
    decide.add_argument("identifier", metavar="ISSUE")
    decide.add_argument("--project", required=True, metavar="KEY")
    decide.add_argument(
        "--decision",
        required=True,
        help="approved, rejected, deferred, escalated, request more information or concession",
    )
    decide.add_argument(
        "--authority",
        required=True,
        help="project manager, change authority, project board or corporate",
    )
    decide.add_argument("--by", default="", metavar="NAME", help="who decided")
    decide.add_argument("--date", default="", metavar="DATE", help="default today")
    decide.add_argument("--rationale", default="")
    decide.add_argument("--escalate-to", default="", metavar="LEVEL")
    decide.add_argument("--cost", default=None, metavar="MONEY", help="the cost of change")
    _version_option(decide)
    _db_option(decide)
    decide.set_defaults(handler="tracker.cli.issues:decide")

    from_risk = actions.add_parser(
        "from-risk",
        help="a risk has materialised: raise it as an issue linked to the risk, and close it",
    )
    from_risk.add_argument("risk", metavar="RISK", help="e.g. R-012")
    from_risk.add_argument("--project", required=True, metavar="KEY")
    _set_option(from_risk, "issue fields over those taken from the risk", required=False)
    from_risk.add_argument(
        "--keep-risk-open", action="store_true", help="leave the risk open (it may recur)"
    )
    _db_option(from_risk)
    from_risk.set_defaults(handler="tracker.cli.issues:issue_from_risk")

    raise_risk = actions.add_parser(
        "raise-risk", help="register a risk raised by an issue, linked to it"
    )
    raise_risk.add_argument("identifier", metavar="ISSUE")
    raise_risk.add_argument("--project", required=True, metavar="KEY")
    _set_option(raise_risk, 'risk fields, e.g. --set "inherent probability=3"')
    _db_option(raise_risk)
    raise_risk.set_defaults(handler="tracker.cli.issues:risk_from_issue")


def _set_option(parser, example: str, *, required: bool = True) -> None:
    parser.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=required,
        default=[],
        metavar="FIELD=VALUE",
        help=f"a field (repeatable); {example}",
    )


def _version_option(parser) -> None:
    parser.add_argument(
        "--if-version",
        type=int,
        metavar="N",
        help="save only if the issue is still at version N (as shown when you read it)",
    )


def _assignments(items: list[str]) -> dict[str, str]:
    from tracker.cli.risks import parse_assignments

    return parse_assignments(items)


def _database(args: argparse.Namespace):
    from db.engine import open_database

    return open_database(args.db)


def _saved(args: argparse.Namespace, saved) -> None:
    key = args.project.upper()
    if saved.changed:
        print(
            f"{key} {saved.identifier} saved as version {saved.version} "
            f"(status {saved.status}; changed: {', '.join(saved.changed)})"
        )
    else:
        print(f"{key} {saved.identifier} unchanged (version {saved.version})")


def export_issues(args: argparse.Namespace) -> int:
    from tracker.cli.output import checked_format, emit, stderr_progress
    from tracker.services.issue_log import issue_register_table
    from tracker.services.registers import Selection

    fmt = checked_format(args.format)
    table = issue_register_table(_database(args), args.project, Selection(status=args.status))
    emit(table, fmt, args.output, progress=stderr_progress("issues"))
    return 0


def issue_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.services.issue_log import issue_report_document

    fmt = args.format.strip().lower()
    if fmt not in REPORT_FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of: {', '.join(REPORT_FORMATS)}")
    module_name, function = REPORT_FORMATS[fmt].split(":")
    render = getattr(__import__(module_name, fromlist=[function]), function)
    text = render(issue_report_document(_database(args), args.project, args.identifier))
    if args.output:
        path = Path(args.output).expanduser()
        if not path.parent.is_dir():
            raise UsageError(f"--output: {path.parent} is not a directory")
        path.write_text(text, encoding="utf-8")
        print(f"wrote the issue report to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def board_queue(args: argparse.Namespace) -> int:
    from tracker.cli.output import checked_format, emit
    from tracker.exports.table import DATE, MONEY, Column, Table
    from tracker.services.issue_register import issues_awaiting_board

    fmt = checked_format(args.format)
    columns = (
        Column("identifier", "Issue"),
        Column("title", "Title"),
        Column("type", "Type"),
        Column("severity", "Severity"),
        Column("status", "Status"),
        Column("decides", "For the"),
        Column("ready", "Ready to decide"),
        Column("raised", "Raised", DATE),
        Column("owner", "Owner"),
        Column("cost", "Cost of change", MONEY),
        Column("recommendation", "Recommendation"),
    )
    rows = [
        (
            q.identifier,
            q.title,
            q.issue_type,
            q.severity,
            q.status + (" (escalated)" if q.escalated else ""),
            q.required,
            "yes" if q.ready else "not yet",
            q.date_raised,
            q.owner,
            q.cost_pence,
            q.recommendation,
        )
        for q in issues_awaiting_board(_database(args), args.project)
    ]
    emit(Table(f"{args.project.upper()} board queue", columns, rows), fmt, args.output)
    return 0


def raise_issue(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.issue_changes import add_issue

    saved = add_issue(_database(args), args.project, _assignments(args.changes), today=today())
    print(f"{args.project.upper()} {saved.identifier} raised")
    return 0


def update_issue(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.issue_changes import change_issue

    saved = change_issue(
        _database(args),
        args.project,
        args.identifier,
        _assignments(args.changes),
        opened_version=args.if_version,
        today=today(),
    )
    _saved(args, saved)
    return 0


def advance(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.issue_changes import advance_issue

    saved = advance_issue(
        _database(args),
        args.project,
        args.identifier,
        to=args.to,
        on=args.on,
        opened_version=args.if_version,
        today=today(),
    )
    _saved(args, saved)
    return 0


def decide(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.issue_changes import decide_issue

    raw = {
        "decision": args.decision,
        "decided by authority": args.authority,
        "decision by": args.by,
        "decision date": args.date,
        "decision rationale": args.rationale,
        "escalated to": args.escalate_to,
    }
    if args.cost is not None:
        raw["cost of change"] = args.cost
    saved = decide_issue(
        _database(args),
        args.project,
        args.identifier,
        raw,
        opened_version=args.if_version,
        today=today(),
    )
    _saved(args, saved)
    return 0


def issue_from_risk(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.links import materialise_risk

    made = materialise_risk(
        _database(args),
        args.project,
        args.risk,
        _assignments(args.changes),
        close_risk=not args.keep_risk_open,
        today=today(),
    )
    closed = f"; {made.risk} closed" if made.risk_closed else ""
    print(f"{args.project.upper()} {made.risk} materialised as {made.issue}{closed}")
    return 0


def risk_from_issue(args: argparse.Namespace) -> int:
    from tracker.domain.clock import today
    from tracker.services.links import raise_risk_from_issue

    made = raise_risk_from_issue(
        _database(args),
        args.project,
        args.identifier,
        _assignments(args.changes),
        today=today(),
    )
    print(f"{args.project.upper()} {made.issue} raised risk {made.risk}")
    return 0
