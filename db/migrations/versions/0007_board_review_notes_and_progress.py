"""board review notes and progress

``meeting_note`` holds what the minutes record under each item of the board review's agenda
(one row per meeting and item, versioned like every editable record). ``board_meeting.review_item``
is the agenda item the review reached, so a review interrupted mid-meeting resumes there; existing
meetings start at 0 (not begun).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:03:03.118222
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_note",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("item BETWEEN 1 AND 20", name=op.f("ck_meeting_note_item_valid")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["board_meeting.id"],
            name=op.f("fk_meeting_note_meeting_id_board_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_note")),
        sa.UniqueConstraint("meeting_id", "item", name=op.f("uq_meeting_note_meeting_id_item")),
    )
    with op.batch_alter_table("meeting_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_note_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("board_meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_item", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("board_meeting", schema=None) as batch_op:
        batch_op.drop_column("review_item")

    with op.batch_alter_table("meeting_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_note_meeting_id"))

    op.drop_table("meeting_note")
