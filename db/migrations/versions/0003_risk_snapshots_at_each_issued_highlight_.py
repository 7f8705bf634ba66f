"""risk snapshots at each issued highlight report; current score index

``risk_snapshot`` keeps each risk as it stood when a highlight report was issued, so the register
can show movement since the last report. An expression index on the current score (residual where
assessed, else inherent) lets the register page through a large log in score order without
sorting it; one on the last change lets the screen check cheaply that its index of the
register is current.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 06:31:43.534308
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_snapshot",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inherent_probability", sa.Integer(), nullable=False),
        sa.Column("inherent_impact", sa.Integer(), nullable=False),
        sa.Column("residual_probability", sa.Integer(), nullable=True),
        sa.Column("residual_impact", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'closed')", name=op.f("ck_risk_snapshot_status_valid")
        ),
        sa.CheckConstraint(
            "(residual_probability IS NULL) = (residual_impact IS NULL)",
            name=op.f("ck_risk_snapshot_residual_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["highlight_report.id"],
            name=op.f("fk_risk_snapshot_report_id_highlight_report"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_snapshot_risk_id_risk")
        ),
        sa.PrimaryKeyConstraint("report_id", "risk_id", name=op.f("pk_risk_snapshot")),
    )
    with op.batch_alter_table("risk_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_risk_snapshot_risk", ["risk_id"], unique=False)
    op.create_index("ix_risk_project_updated", "risk", ["project_id", "updated_at"])
    op.create_index(
        "ix_risk_project_current_score",
        "risk",
        ["project_id", sa.text("coalesce(residual_score, inherent_score)"), "number"],
    )


def downgrade() -> None:
    op.drop_index("ix_risk_project_current_score", table_name="risk")
    op.drop_index("ix_risk_project_updated", table_name="risk")
    with op.batch_alter_table("risk_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_snapshot_risk")

    op.drop_table("risk_snapshot")
