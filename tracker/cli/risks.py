"""``tracker risks ...``: the risk log from the command line."""

from __future__ import annotations

import argparse

from tracker.cli.usage import UsageError


def register(sub) -> None:
    from tracker.cli.main import _db_option, _format_options

    risks = sub.add_parser("risks", help="the risk log")
    risk_sub = risks.add_subparsers(dest="risks_command", metavar="ACTION", required=True)
    export = risk_sub.add_parser(
        "export", help="the risk log as a table (CSV, TSV, XLSX, JSON, Markdown, HTML, ...)"
    )
    export.add_argument("--project", required=True, metavar="KEY")
    _format_options(export)
    export.add_argument(
        "--status",
        default="open",
        choices=("open", "closed", "all"),
        help="open (draft and active, the default), closed, or all",
    )
    export.add_argument(
        "--min-score",
        type=int,
        metavar="N",
        help="only risks whose current score (residual where assessed, else inherent) is N or more",
    )
    _db_option(export)
    export.set_defaults(handler="tracker.cli.risks:export_risks")

    imports = risk_sub.add_parser(
        "import",
        help="import a CSV or XLSX risk register: every row or none",
    )
    imports.add_argument("file", metavar="FILE")
    imports.add_argument("--project", required=True, metavar="KEY")
    imports.add_argument(
        "--dry-run", action="store_true", help="say what would be imported; write nothing"
    )
    _db_option(imports)
    imports.set_defaults(handler="tracker.cli.risks:import_risks")

    update = risk_sub.add_parser(
        "update",
        help="change fields of a risk (validated like the form; refused if someone else saved "
        "it after the version you name)",
    )
    update.add_argument("identifier", metavar="RISK", help="e.g. R-003")
    update.add_argument("--project", required=True, metavar="KEY")
    update.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help='a field of the risk register, e.g. --set "owner=Jane Smith" (repeatable)',
    )
    update.add_argument(
        "--if-version",
        type=int,
        metavar="N",
        help="save only if the risk is still at version N (as shown when you read it)",
    )
    _db_option(update)
    update.set_defaults(handler="tracker.cli.risks:update_risk")


def parse_assignments(items: list[str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {item!r}: expected FIELD=VALUE")
        changes[name.strip().lower().replace("_", " ")] = value
    return changes


def update_risk(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.domain.clock import today
    from tracker.services.risk_changes import change_risk

    changes = parse_assignments(args.changes)
    saved = change_risk(
        open_database(args.db),
        args.project,
        args.identifier,
        changes,
        opened_version=args.if_version,
        today=today(),
    )
    if saved.changed:
        print(
            f"{args.project.upper()} {saved.identifier} saved as version {saved.version} "
            f"(changed: {', '.join(saved.changed)})"
        )
    else:
        print(f"{args.project.upper()} {saved.identifier} unchanged (version {saved.version})")
    return 0


def export_risks(args: argparse.Namespace) -> int:
    from db.engine import open_database
    from tracker.cli.output import checked_format, emit, stderr_progress
    from tracker.services.risk_log import RiskLogSelection, risk_log_table

    fmt = checked_format(args.format)
    table = risk_log_table(
        open_database(args.db),
        args.project,
        RiskLogSelection(status=args.status, min_score=args.min_score),
    )
    emit(table, fmt, args.output, progress=stderr_progress("risks"))
    return 0


def import_risks(args: argparse.Namespace) -> int:
    from pathlib import Path

    from db.engine import open_database
    from tracker.domain.clock import today
    from tracker.services.risk_import import ImportRefused, import_risks

    try:
        report = import_risks(
            open_database(args.db),
            Path(args.file).expanduser(),
            args.project,
            dry_run=args.dry_run,
            today=today(),
        )
    except ImportRefused as exc:
        for problem in exc.problems:
            print(f"  {problem}")
        raise
    verb = "Would import" if report.dry_run else "Imported"
    print(f"{verb} {report.imported} risks into {report.project} from {report.file}")
    if report.identifiers:
        first, last = report.identifiers[0], report.identifiers[-1]
        print(f"  identifiers: {first}" + (f" to {last}" if last != first else ""))
    mapped = ", ".join(f"{header} -> {field}" for header, field in report.columns.items())
    print(f"  columns: {mapped}")
    if report.ignored_columns:
        print(f"  columns ignored: {', '.join(report.ignored_columns)}")
    if report.blank_rows:
        print(f"  blank rows skipped: {report.blank_rows}")
    verb_add = "would add" if report.dry_run else "added"
    if report.new_categories:
        print(f"  {verb_add} categories: {', '.join(report.new_categories)}")
    if report.new_people:
        print(f"  {verb_add} people to the project: {', '.join(report.new_people)}")
    if report.dry_run:
        print("Nothing was written (dry run).")
    return 0
