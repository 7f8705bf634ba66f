"""``tracker report ...``: highlight reports and the quarterly summary, printed as Markdown,
HTML, PDF or plain text through the one report pipeline.

A PDF goes to ``--output FILE``, or to standard output only when that is not a terminal
(``> report.pdf``, ``| lpr``): binary bytes are never written over someone's screen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker.cli.usage import UsageError

FORMAT_HELP = "md, html, pdf or txt (pdf needs --output FILE unless standard output is redirected)"


def register(sub) -> None:
    from tracker.cli.main import _db_option

    report = sub.add_parser("report", help="highlight reports and quarterly summaries")
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    highlight = report_sub.add_parser(
        "highlight",
        help="a highlight report: the draft as it stands (or the next report), or with "
        "--issued N the frozen copy the board received",
    )
    highlight.add_argument("--project", required=True, metavar="KEY")
    which = highlight.add_mutually_exclusive_group()
    which.add_argument(
        "--period-end",
        metavar="DATE",
        help="end the period on DATE (default: the draft's, else today); it starts the day "
        "after the last issued report's period",
    )
    which.add_argument(
        "--issued", type=int, metavar="N", help="reprint issued report N exactly as it was issued"
    )
    highlight.add_argument("--format", "-f", required=True, metavar="F", help=FORMAT_HELP)
    highlight.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )
    _db_option(highlight)
    highlight.set_defaults(handler="tracker.cli.reports:highlight")

    quarterly = report_sub.add_parser(
        "quarterly",
        help="the quarterly summary for a scrutiny committee: RAG trend over the quarter's "
        "reports, milestones, spend, top risks",
    )
    quarterly.add_argument("--project", required=True, metavar="KEY")
    quarterly.add_argument(
        "--quarter",
        required=True,
        metavar="YYYYQN",
        help="a calendar quarter, e.g. 2012Q3 (July to September 2012)",
    )
    quarterly.add_argument("--format", "-f", default="md", metavar="F", help=FORMAT_HELP)
    quarterly.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )
    _db_option(quarterly)
    quarterly.set_defaults(handler="tracker.cli.reports:quarterly")


def _format(name: str) -> str:
    from tracker.reports.render import report_format

    try:
        return report_format(name)
    except ValueError as exc:
        raise UsageError(f"--format: {exc}") from None


def _checked_output(fmt: str, output: str | None) -> Path | None:
    """Where the report goes; refused before any work if it cannot go there."""
    if output:
        path = Path(output).expanduser()
        if not path.parent.is_dir():
            raise UsageError(f"--output: {path.parent} is not a directory")
        return path
    if fmt == "pdf" and sys.stdout.isatty():
        raise UsageError(
            "pdf is a binary format: give --output FILE or redirect standard output to a file"
        )
    return None


def emit_report(document, fmt: str, path: Path | None, what: str) -> None:
    from tracker.reports.render import render_bytes, write_report

    if path is not None:
        size = write_report(document, fmt, path)
        print(f"wrote {what} ({size:,} bytes) to {path}", file=sys.stderr)
        return
    data = render_bytes(document, fmt)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def highlight(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.services.highlight import highlight_document, report_document

    fmt = _format(args.format)
    path = _checked_output(fmt, args.output)
    if args.issued is not None and args.issued < 1:
        raise UsageError("--issued: give a report number, e.g. --issued 6")
    db = open_database(args.db)
    project = args.project.strip().upper()
    if args.issued is not None:
        copy = report_document(db, project, args.issued)
        if not copy.frozen:
            print(
                f"note: {project} highlight report {copy.number} was issued before the tracker "
                "kept frozen copies; this is rebuilt from its recorded narrative and ratings",
                file=sys.stderr,
            )
        if copy.superseded_by:
            print(
                f"note: {project} highlight report {copy.number} was superseded by report "
                f"{copy.superseded_by}",
                file=sys.stderr,
            )
        emit_report(copy.document, fmt, path, f"{project} highlight report {copy.number}")
        return 0
    document = highlight_document(db, project, period_end=args.period_end)
    emit_report(document, fmt, path, f"{project} {document.title.lower()}")
    return 0


def quarterly(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.domain.highlight import parse_quarter
    from tracker.domain.validation import Problems
    from tracker.services.quarterly import quarterly_document

    fmt = _format(args.format)
    path = _checked_output(fmt, args.output)
    problems = Problems()
    quarter = problems.take("quarter", parse_quarter, args.quarter)
    problems.check()
    db = open_database(args.db)
    document = quarterly_document(db, args.project, quarter)
    emit_report(document, fmt, path, f"{args.project.upper()} quarterly summary {quarter.name}")
    return 0
