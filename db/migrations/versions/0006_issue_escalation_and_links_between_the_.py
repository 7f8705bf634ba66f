"""issue escalation and links between the risk and issue registers

``issue.escalated_to`` records the level an escalated issue now waits for (the project manager,
the Change Authority, the project board or corporate management), so the board's queue and the
authority check read it rather than the severity alone. ``issue_risk_link`` keeps the two-way
escalation link between the registers: a risk that materialised became an issue, or an issue
raised a risk; both ends must belong to the link's project.

SQLite cannot add a CHECK constraint to an existing table, so the issue table is rebuilt by batch
mode (foreign keys are checked once after the upgrade; see ``db.engine.upgrade_to_head``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:33:56.021354
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHORITIES = "'project manager', 'change authority', 'project board', 'corporate'"


def upgrade() -> None:
    op.create_table(
        "issue_risk_link",
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("linked_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('risk became issue', 'issue raised risk')",
            name=op.f("ck_issue_risk_link_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "issue_id"],
            ["issue.project_id", "issue.id"],
            name=op.f("fk_issue_risk_link_project_id_issue_id_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "risk_id"],
            ["risk.project_id", "risk.id"],
            name=op.f("fk_issue_risk_link_project_id_risk_id_risk"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_issue_risk_link_project_id_project")
        ),
        sa.PrimaryKeyConstraint("issue_id", "risk_id", name=op.f("pk_issue_risk_link")),
    )
    with op.batch_alter_table("issue_risk_link", schema=None) as batch_op:
        batch_op.create_index("ix_issue_risk_link_risk", ["risk_id"], unique=False)

    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalated_to", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_issue_escalated_to_valid"), f"escalated_to IN ({AUTHORITIES})"
        )


def downgrade() -> None:
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_issue_escalated_to_valid"), type_="check")
        batch_op.drop_column("escalated_to")

    with op.batch_alter_table("issue_risk_link", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_risk_link_risk")

    op.drop_table("issue_risk_link")
