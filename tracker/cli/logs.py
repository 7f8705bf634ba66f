"""``tracker lessons ...`` and ``tracker dailylog ...``: the lessons log and the project
manager's daily log from the command line."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    from tracker.cli.main import _db_option, _format_options

    for name, what, noun, open_means in (
        ("lessons", "the lessons log", "lesson", "no action taken yet"),
        ("dailylog", "the daily log", "entry", "no result recorded yet"),
    ):
        parser = sub.add_parser(name, help=what)
        actions = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
        export = actions.add_parser(
            "export", help=f"{what} as a table (CSV, TSV, XLSX, JSON, Markdown, HTML, ...)"
        )
        export.add_argument("--project", required=True, metavar="KEY")
        _format_options(export)
        export.add_argument(
            "--status",
            default="all",
            choices=("open", "closed", "all"),
            help=f"open ({open_means}), closed, or all (the default)",
        )
        _db_option(export)
        export.set_defaults(handler=f"tracker.cli.logs:export_{name}")
        add = actions.add_parser("add", help=f"add an {noun} (validated like the form)")
        add.add_argument("--project", required=True, metavar="KEY")
        add.add_argument(
            "--set",
            dest="changes",
            action="append",
            required=True,
            metavar="FIELD=VALUE",
            help='a field (repeatable), e.g. --set "title=..."',
        )
        _db_option(add)
        add.set_defaults(handler=f"tracker.cli.logs:add_{name}")


def _database(args: argparse.Namespace):
    from db.engine import open_database

    return open_database(args.db)


def export_lessons(args: argparse.Namespace) -> int:
    from tracker.cli.output import checked_format, emit, stderr_progress
    from tracker.services.lessons import lessons_log_table
    from tracker.services.registers import Selection

    fmt = checked_format(args.format)
    table = lessons_log_table(_database(args), args.project, Selection(status=args.status))
    emit(table, fmt, args.output, progress=stderr_progress("lessons"))
    return 0


def export_dailylog(args: argparse.Namespace) -> int:
    from tracker.cli.output import checked_format, emit, stderr_progress
    from tracker.services.daily_log import daily_log_table
    from tracker.services.registers import Selection

    fmt = checked_format(args.format)
    table = daily_log_table(_database(args), args.project, Selection(status=args.status))
    emit(table, fmt, args.output, progress=stderr_progress("entries"))
    return 0


def add_lessons(args: argparse.Namespace) -> int:
    from tracker.cli.risks import parse_assignments
    from tracker.domain.clock import today
    from tracker.services.lessons import add_lesson

    saved = add_lesson(
        _database(args), args.project, parse_assignments(args.changes), today=today()
    )
    print(f"{args.project.upper()} {saved.identifier} logged")
    return 0


def add_dailylog(args: argparse.Namespace) -> int:
    from tracker.cli.risks import parse_assignments
    from tracker.domain.clock import today
    from tracker.services.daily_log import add_entry

    saved = add_entry(_database(args), args.project, parse_assignments(args.changes), today=today())
    print(f"{args.project.upper()} {saved.identifier} written")
    return 0
