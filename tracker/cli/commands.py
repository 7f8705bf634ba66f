"""Handlers for the ``tracker`` subcommands. Each opens the database, calls services and prints."""

from __future__ import annotations

import argparse
from pathlib import Path

from db.engine import (
    READ_ONLY_REFUSAL,
    ReadOnlyDatabase,
    head_revision,
    inspect_sqlite_file,
    open_database,
    read_only_requested,
    resolve_url,
    sqlite_path,
)
from tracker.cli.output import checked_format, emit
from tracker.exports.table import DATE, INT, MONEY, RAG, Column, Table


def demo(args: argparse.Namespace) -> int:
    from tracker.services.worked_example import load_worked_example

    db = open_database(args.db)
    result = load_worked_example(db)
    where = db.path or db.url
    if not result.loaded:
        print(f"The worked example is already in {where}; nothing changed.")
        return 0
    print(f"Loaded the worked example into {where}:")
    for project in result.loaded:
        counts = ", ".join(f"{n} {what}" for what, n in project.counts.items())
        print(f"  {project.key:<8} {project.name}: {counts}")
    if result.already_present:
        print(f"Already present and left unchanged: {', '.join(result.already_present)}")
    print(
        "Open it with: tracker   (the example is set in 2011-12: TRACKER_TODAY=01/03/2012 tracker "
        "shows it as the project manager saw it)"
    )
    return 0


PORTFOLIO_COLUMNS = (
    Column("key", "Key"),
    Column("name", "Name"),
    Column("organisation", "Organisation"),
    Column("programme", "Programme"),
    Column("status", "Status"),
    Column("current_stage", "Current stage"),
    Column("overall_rag", "RAG", RAG),
    Column("open_risks", "Open risks", INT),
    Column("open_issues", "Open issues", INT),
    Column("next_board", "Next board", DATE),
    Column("next_highlight_due", "Highlight report due", DATE),
    Column("budget", "Budget", MONEY),
)


def projects_list(args: argparse.Namespace) -> int:
    from tracker.services.projects import list_portfolio

    fmt = checked_format(args.format)
    db = open_database(args.db)
    rows = [
        (
            r.key,
            r.name,
            r.organisation,
            r.programme,
            r.status,
            r.current_stage,
            r.overall_rag,
            r.open_risks,
            r.open_issues,
            r.next_board,
            r.next_highlight_due,
            r.budget_pence,
        )
        for r in list_portfolio(db)
    ]
    emit(Table("Portfolio", PORTFOLIO_COLUMNS, rows), fmt, args.output)
    return 0


def projects_add(args: argparse.Namespace) -> int:
    from tracker.services.projects import add_project, parse_project_input

    data = parse_project_input(
        key=args.key,
        name=args.name,
        organisation=args.organisation,
        start=args.start,
        end=args.end,
        budget=args.budget,
        profile=args.profile,
    )
    db = open_database(args.db)
    key = add_project(db, data)
    print(f"Created project {key}: {data.name} ({data.profile})")
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    if read_only_requested():
        raise ReadOnlyDatabase(READ_ONLY_REFUSAL)
    url = resolve_url(args.db)
    path = sqlite_path(url)
    before = inspect_sqlite_file(path).revision if path else None
    db = open_database(args.db)
    head = head_revision()
    if path is not None and before is None:
        print(f"Created {path} at schema revision {head}")
    elif db.backup_path is not None:
        print(
            f"Upgraded {path} from schema revision {before} to {head}; "
            f"the old file is copied to {db.backup_path}"
        )
    else:
        print(
            f"{db.path or 'The database'} is at the latest schema revision ({head}); nothing to do"
        )
    return 0


def db_backup(args: argparse.Namespace) -> int:
    db = open_database(args.db)
    target = Path(args.file)
    db.backup(target)
    print(f"Backed up {db.path} to {target.expanduser().resolve()}")
    return 0
