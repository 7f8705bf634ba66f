"""``tracker audit``: the audit trail of a project."""

from __future__ import annotations

import argparse

from db.engine import open_database
from tracker.cli.output import checked_format, emit
from tracker.domain.dates import parse_optional_date
from tracker.domain.validation import Problems
from tracker.exports.table import DATETIME, Column, Table

AUDIT_COLUMNS = (
    Column("occurred_at", "When", DATETIME),
    Column("actor", "Who"),
    Column("table", "Table"),
    Column("record", "Record"),
    Column("action", "Action"),
    Column("field", "Field"),
    Column("old_value", "Old"),
    Column("new_value", "New"),
)


def audit(args: argparse.Namespace) -> int:
    from tracker.services.audit import audit_trail

    fmt = checked_format(args.format)
    problems = Problems()
    since = problems.take("since", parse_optional_date, args.since)
    problems.check()
    db = open_database(args.db)
    rows = [
        (
            line.occurred_at,
            line.actor,
            line.table,
            line.record,
            line.action,
            line.field,
            line.old_value,
            line.new_value,
        )
        for line in audit_trail(db, args.project, since)
    ]
    emit(Table("Audit trail", AUDIT_COLUMNS, rows), fmt, args.output)
    return 0
