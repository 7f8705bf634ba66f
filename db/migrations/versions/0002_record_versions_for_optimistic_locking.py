"""record versions for optimistic locking

Every editable governance record gets a ``version`` that each update bumps, so a save based on an
out-of-date copy is refused instead of overwriting someone else's change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:39:09.368856
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED_TABLES = (
    "action",
    "board_meeting",
    "daily_log_entry",
    "decision",
    "highlight_report",
    "issue",
    "lesson",
    "person",
    "programme",
    "project",
    "risk",
    "stage",
    "work_package",
)


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade() -> None:
    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
