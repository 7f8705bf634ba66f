"""``tracker risks ...``: the risk log from the command line."""

from __future__ import annotations

import argparse

from tracker.cli.usage import UsageError


def register(sub) -> None:
    from tracker.cli.main import _db_option

    risks = sub.add_parser("risks", help="the risk log")
    risk_sub = risks.add_subparsers(dest="risks_command", metavar="ACTION", required=True)
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
