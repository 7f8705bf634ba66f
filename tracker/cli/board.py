"""``tracker board ...``: the minutes of a board meeting (through the one report pipeline), and
the decision and action logs."""

from __future__ import annotations

import argparse

from tracker.cli.reports import FORMAT_HELP


def register(sub) -> None:
    from tracker.cli.main import _db_option, _format_options

    board = sub.add_parser("board", help="board meetings: minutes, the decision and action logs")
    board_sub = board.add_subparsers(dest="board_command", metavar="ACTION", required=True)

    minutes = board_sub.add_parser(
        "minutes", help="the minutes of a board meeting (default: the last one held)"
    )
    minutes.add_argument("--project", required=True, metavar="KEY")
    minutes.add_argument("--meeting", metavar="DATE", help="the meeting's date, e.g. 14/03/2012")
    minutes.add_argument("--format", "-f", required=True, metavar="F", help=FORMAT_HELP)
    minutes.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )
    _db_option(minutes)
    minutes.set_defaults(handler="tracker.cli.board:minutes")

    decisions = board_sub.add_parser(
        "decisions", help="the decision log: every board decision, typed by board activity"
    )
    decisions.add_argument("--project", required=True, metavar="KEY")
    _format_options(decisions)
    _db_option(decisions)
    decisions.set_defaults(handler="tracker.cli.board:decisions")

    actions = board_sub.add_parser("actions", help="the action log, overdue actions flagged")
    actions.add_argument("--project", required=True, metavar="KEY")
    _format_options(actions)
    _db_option(actions)
    actions.set_defaults(handler="tracker.cli.board:actions")


def _meeting_date(value: str | None):
    from tracker.domain.dates import parse_optional_date
    from tracker.domain.validation import Problems

    problems = Problems()
    found = problems.take("meeting", parse_optional_date, value)
    problems.check()
    return found


def minutes(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.reports import _checked_output, _format, emit_report
    from tracker.domain.dates import format_date
    from tracker.services.board_review import minutes_document

    fmt = _format(args.format)
    path = _checked_output(fmt, args.output)
    meeting = _meeting_date(args.meeting)
    db = open_database(args.db)
    document = minutes_document(db, args.project, meeting)
    when = document.header[1][1] if len(document.header) > 1 else format_date(meeting)
    emit_report(document, fmt, path, f"{args.project.upper()} board minutes of {when}")
    return 0


def decisions(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.exports.table import DATE, Column, Table
    from tracker.services.board import decision_log

    fmt = checked_format(args.format)
    columns = (
        Column("identifier", "Decision"),
        Column("date", "Date", DATE),
        Column("activity", "Board activity"),
        Column("summary", "Decision"),
        Column("rationale", "Rationale"),
        Column("meeting", "Meeting"),
        Column("prompted", "Prompted by"),
        Column("stage", "Stage"),
        Column("tolerances", "Tolerances set"),
    )
    rows = [
        (
            d.identifier,
            d.decision_date,
            d.activity,
            d.summary,
            d.rationale,
            d.meeting,
            d.prompted_by,
            d.stage,
            d.tolerances,
        )
        for d in decision_log(open_database(args.db), args.project)
    ]
    emit(Table(f"{args.project.upper()} decision log", columns, rows), fmt, args.output)
    return 0


def actions(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit
    from tracker.exports.table import DATE, Column, Table
    from tracker.services.board import list_actions

    fmt = checked_format(args.format)
    columns = (
        Column("identifier", "Action"),
        Column("meeting", "Meeting", DATE),
        Column("description", "What"),
        Column("owner", "Owner"),
        Column("due", "Due", DATE),
        Column("status", "Status"),
        Column("completed", "Completed", DATE),
    )
    rows = [
        (
            a.identifier,
            a.meeting_date,
            a.description,
            a.owner,
            a.due_date,
            "overdue" if a.overdue else a.status,
            a.completed_on,
        )
        for a in list_actions(open_database(args.db), args.project)
    ]
    emit(Table(f"{args.project.upper()} action log", columns, rows), fmt, args.output)
    return 0
