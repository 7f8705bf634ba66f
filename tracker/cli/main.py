"""The ``tracker`` command.

Errors are one line on stderr: exit 1 for bad input, not found or conflict; exit 2 for usage.
Nothing heavy is imported until a command needs it, so ``tracker --version`` and the TUI's first
paint stay quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from tracker import __version__
from tracker.cli.usage import UsageError

USAGE_ERROR = 2
FAILURE = 1


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(message)


def _db_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="DB",
        default=None if top else argparse.SUPPRESS,
        help="database file or SQLAlchemy URL "
        "(default: $TRACKER_DB, else tracker.db in the user data directory)",
    )


def _format_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        default="simple",
        metavar="F",
        help="csv, tsv, xlsx, json, markdown, or any tabulate format (default: simple)",
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )


def build_parser() -> Parser:
    parser = Parser(prog="tracker", description="PRINCE2 project governance from the terminal.")
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    _db_option(parser, top=True)
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every change (also TRACKER_READ_ONLY=1)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    demo = sub.add_parser("demo", help="load the worked example from the council documents")
    _db_option(demo)
    demo.set_defaults(handler="tracker.cli.commands:demo")

    projects = sub.add_parser("projects", help="the portfolio")
    project_sub = projects.add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    listing = project_sub.add_parser("list", help="the portfolio as a table")
    _db_option(listing)
    _format_options(listing)
    listing.set_defaults(handler="tracker.cli.commands:projects_list")
    add = project_sub.add_parser("add", help="create a project")
    add.add_argument("key", metavar="KEY")
    add.add_argument("--name", required=True)
    add.add_argument("--organisation", default="")
    add.add_argument("--start", metavar="DATE", help="planned start, e.g. 12/07/2011")
    add.add_argument("--end", metavar="DATE", help="planned end")
    add.add_argument("--budget", metavar="MONEY", help="e.g. £1,250,000")
    add.add_argument("--profile", help="PRINCE2 2017 (default) or PRINCE2 7")
    _db_option(add)
    add.set_defaults(handler="tracker.cli.commands:projects_add")

    database = sub.add_parser("db", help="the database itself")
    db_sub = database.add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    upgrade = db_sub.add_parser("upgrade", help="migrate the database to this version's schema")
    _db_option(upgrade)
    upgrade.set_defaults(handler="tracker.cli.commands:db_upgrade")
    backup = db_sub.add_parser(
        "backup", help="a consistent copy of the database, even while it is in use"
    )
    backup.add_argument("file", metavar="FILE")
    _db_option(backup)
    backup.set_defaults(handler="tracker.cli.commands:db_backup")

    trail = sub.add_parser("audit", help="the audit trail of a project")
    trail.add_argument("--project", required=True, metavar="KEY")
    trail.add_argument("--since", metavar="DATE", help="changes on or after this date")
    _format_options(trail)
    _db_option(trail)
    trail.set_defaults(handler="tracker.cli.audit:audit")

    from tracker.cli import reports, risks, stages

    risks.register(sub)
    stages.register(sub)
    reports.register(sub)

    from tracker.cli import board, issues, logs

    issues.register(sub)
    logs.register(sub)
    board.register(sub)
    return parser


def _handler(path: str) -> Callable[[argparse.Namespace], int]:
    module_name, function = path.split(":")
    module = __import__(module_name, fromlist=[function])
    return getattr(module, function)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
    except UsageError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if args.read_only:
        os.environ["TRACKER_READ_ONLY"] = "1"
    if args.command is None:
        from tracker.ui.app import run_app

        return run_app(args.db)
    try:
        return _handler(args.handler)(args) or 0
    except UsageError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        from tracker.services.failures import user_message

        if os.environ.get("TRACKER_DEBUG"):
            raise
        message = user_message(exc)
        if message is not None:
            print(f"tracker: {message}", file=sys.stderr)
        else:
            print(
                f"tracker: unexpected error: {type(exc).__name__}: {_one_line(exc)} "
                "(run with TRACKER_DEBUG=1 for details)",
                file=sys.stderr,
            )
        return FAILURE
