"""stage progress, baselines, tolerance changes, exception and end stage reports

New tables only, plus one index on ``decision``:

- ``stage_progress``: every progress update of a stage (actual cost to date, estimate to complete,
  forecast at completion and end, per cent complete), kept so trends can be shown;
- ``stage_baseline``: each approved stage plan, the original first, then every exception plan;
- ``tolerance_change``: tolerances changed by a board (or corporate) decision, before and after;
- ``exception_report`` and ``end_stage_report``: the reports, draft to issued to approved.

``uq_decision_project_id`` (project_id, id) lets those tables point at a decision of the same
project with a composite foreign key, as the other tables do for stages and issues. It is created
first, because PostgreSQL checks a foreign key's target when the referring table is created.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 06:53:35.207287
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index("uq_decision_project_id", ["project_id", "id"], unique=True)

    op.create_table(
        "stage_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("actual_cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("estimate_to_complete_pence", sa.BigInteger(), nullable=False),
        sa.Column("forecast_cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("forecast_end", sa.Date(), nullable=False),
        sa.Column("percent_complete", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "actual_cost_pence >= 0 AND estimate_to_complete_pence >= 0",
            name=op.f("ck_stage_progress_costs_not_negative"),
        ),
        sa.CheckConstraint(
            "forecast_cost_pence = actual_cost_pence + estimate_to_complete_pence",
            name=op.f("ck_stage_progress_forecast_adds_up"),
        ),
        sa.CheckConstraint(
            "percent_complete BETWEEN 0 AND 100", name=op.f("ck_stage_progress_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_stage_progress_project_id_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_stage_progress_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_progress")),
    )
    with op.batch_alter_table("stage_progress", schema=None) as batch_op:
        batch_op.create_index("ix_stage_progress_stage_as_at", ["stage_id", "as_at"], unique=False)

    op.create_table(
        "end_stage_report",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("identifier", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("next_stage_id", sa.Integer(), nullable=True),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("manager_report", sa.Text(), nullable=False),
        sa.Column("business_case_review", sa.Text(), nullable=False),
        sa.Column("objectives_review", sa.Text(), nullable=False),
        sa.Column("team_performance", sa.Text(), nullable=False),
        sa.Column("products_review", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("issues_and_risks", sa.Text(), nullable=False),
        sa.Column("forecast", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_content", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status <> 'approved' OR (decision_id IS NOT NULL AND decided_on IS NOT NULL)",
            name=op.f("ck_end_stage_report_approved_has_decision"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (issued_on IS NOT NULL AND issued_content IS NOT NULL)",
            name=op.f("ck_end_stage_report_issued_is_frozen"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'approved')",
            name=op.f("ck_end_stage_report_status_valid"),
        ),
        sa.CheckConstraint(
            "next_stage_id IS NULL OR next_stage_id <> stage_id",
            name=op.f("ck_end_stage_report_next_is_another_stage"),
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_end_stage_report_number_positive")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_end_stage_report_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "decision_id"],
            ["decision.project_id", "decision.id"],
            name=op.f("fk_end_stage_report_project_id_decision_id_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "next_stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_end_stage_report_project_id_next_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_end_stage_report_project_id_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_end_stage_report_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_end_stage_report")),
        sa.UniqueConstraint(
            "project_id", "identifier", name=op.f("uq_end_stage_report_project_id_identifier")
        ),
        sa.UniqueConstraint(
            "project_id", "number", name=op.f("uq_end_stage_report_project_id_number")
        ),
        sa.UniqueConstraint("stage_id", name=op.f("uq_end_stage_report_stage_id")),
    )
    op.create_table(
        "stage_baseline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("planned_cost_pence", sa.BigInteger(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'exception plan' OR (number > 1 AND decision_id IS NOT NULL AND approved_on IS NOT NULL)",
            name=op.f("ck_stage_baseline_exception_plan_approved"),
        ),
        sa.CheckConstraint(
            "kind IN ('stage plan', 'exception plan')", name=op.f("ck_stage_baseline_kind_valid")
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_stage_baseline_number_positive")),
        sa.CheckConstraint(
            "planned_cost_pence IS NULL OR planned_cost_pence >= 0",
            name=op.f("ck_stage_baseline_planned_cost_not_negative"),
        ),
        sa.CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name=op.f("ck_stage_baseline_planned_dates_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "decision_id"],
            ["decision.project_id", "decision.id"],
            name=op.f("fk_stage_baseline_project_id_decision_id_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_stage_baseline_project_id_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_stage_baseline_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_baseline")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_stage_baseline_project_id_id")),
        sa.UniqueConstraint("stage_id", "number", name=op.f("uq_stage_baseline_stage_id_number")),
    )
    op.create_table(
        "tolerance_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("aspect_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("old_plus", sa.BigInteger(), nullable=True),
        sa.Column("old_minus", sa.BigInteger(), nullable=True),
        sa.Column("old_unit", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("old_description", sa.Text(), nullable=False),
        sa.Column("new_plus", sa.BigInteger(), nullable=True),
        sa.Column("new_minus", sa.BigInteger(), nullable=True),
        sa.Column("new_unit", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("new_description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "new_unit IN ('days', 'pence', 'basis_points')",
            name=op.f("ck_tolerance_change_new_unit_valid"),
        ),
        sa.CheckConstraint(
            "old_unit IN ('days', 'pence', 'basis_points')",
            name=op.f("ck_tolerance_change_old_unit_valid"),
        ),
        sa.CheckConstraint(
            "(new_plus IS NULL AND new_minus IS NULL) OR new_unit IS NOT NULL",
            name=op.f("ck_tolerance_change_new_unit_given"),
        ),
        sa.CheckConstraint(
            "(new_plus IS NULL OR new_plus >= 0) AND (new_minus IS NULL OR new_minus >= 0)",
            name=op.f("ck_tolerance_change_new_bounds_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "aspect_id"],
            ["tolerance_aspect.project_id", "tolerance_aspect.id"],
            name=op.f("fk_tolerance_change_project_id_aspect_id_tolerance_aspect"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "decision_id"],
            ["decision.project_id", "decision.id"],
            name=op.f("fk_tolerance_change_project_id_decision_id_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_tolerance_change_project_id_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_tolerance_change_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tolerance_change")),
    )
    with op.batch_alter_table("tolerance_change", schema=None) as batch_op:
        batch_op.create_index("ix_tolerance_change_decision", ["decision_id"], unique=False)

    op.create_table(
        "exception_report",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("identifier", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deviation", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_content", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("exception_plan_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(level = 'stage') = (stage_id IS NOT NULL)",
            name=op.f("ck_exception_report_level_matches_stage"),
        ),
        sa.CheckConstraint(
            "level IN ('stage', 'project')", name=op.f("ck_exception_report_level_valid")
        ),
        sa.CheckConstraint(
            "status <> 'approved' OR (decision_id IS NOT NULL AND decided_on IS NOT NULL AND exception_plan_id IS NOT NULL)",
            name=op.f("ck_exception_report_approved_has_plan"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (issued_on IS NOT NULL AND issued_content IS NOT NULL)",
            name=op.f("ck_exception_report_issued_is_frozen"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'approved')",
            name=op.f("ck_exception_report_status_valid"),
        ),
        sa.CheckConstraint(
            "length(trim(title)) > 0", name=op.f("ck_exception_report_title_not_blank")
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_exception_report_number_positive")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_exception_report_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "decision_id"],
            ["decision.project_id", "decision.id"],
            name=op.f("fk_exception_report_project_id_decision_id_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "exception_plan_id"],
            ["stage_baseline.project_id", "stage_baseline.id"],
            name=op.f("fk_exception_report_project_id_exception_plan_id_stage_baseline"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "issue_id"],
            ["issue.project_id", "issue.id"],
            name=op.f("fk_exception_report_project_id_issue_id_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "stage_id"],
            ["stage.project_id", "stage.id"],
            name=op.f("fk_exception_report_project_id_stage_id_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_exception_report_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_report")),
        sa.UniqueConstraint(
            "project_id", "identifier", name=op.f("uq_exception_report_project_id_identifier")
        ),
        sa.UniqueConstraint(
            "project_id", "number", name=op.f("uq_exception_report_project_id_number")
        ),
    )
    with op.batch_alter_table("exception_report", schema=None) as batch_op:
        batch_op.create_index(
            "uq_exception_report_open_project",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("stage_id IS NULL AND status IN ('draft', 'issued')"),
            postgresql_where=sa.text("stage_id IS NULL AND status IN ('draft', 'issued')"),
        )
        batch_op.create_index(
            "uq_exception_report_open_stage",
            ["stage_id"],
            unique=True,
            sqlite_where=sa.text("stage_id IS NOT NULL AND status IN ('draft', 'issued')"),
            postgresql_where=sa.text("stage_id IS NOT NULL AND status IN ('draft', 'issued')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("exception_report", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_exception_report_open_stage",
            sqlite_where=sa.text("stage_id IS NOT NULL AND status IN ('draft', 'issued')"),
            postgresql_where=sa.text("stage_id IS NOT NULL AND status IN ('draft', 'issued')"),
        )
        batch_op.drop_index(
            "uq_exception_report_open_project",
            sqlite_where=sa.text("stage_id IS NULL AND status IN ('draft', 'issued')"),
            postgresql_where=sa.text("stage_id IS NULL AND status IN ('draft', 'issued')"),
        )

    op.drop_table("exception_report")
    with op.batch_alter_table("tolerance_change", schema=None) as batch_op:
        batch_op.drop_index("ix_tolerance_change_decision")

    op.drop_table("tolerance_change")
    op.drop_table("stage_baseline")
    op.drop_table("end_stage_report")
    with op.batch_alter_table("stage_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_progress_stage_as_at")

    op.drop_table("stage_progress")

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("uq_decision_project_id")
