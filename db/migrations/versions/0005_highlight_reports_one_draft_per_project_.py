"""highlight reports: one draft per project, issued reports frozen, draft ratings may be unrated

- ``uq_highlight_report_one_draft``: a project has at most one draft highlight report.
- ``highlight_report_rating.rag`` becomes nullable: a draft may hold the project manager's
  comment on a row not rated yet. (SQLite cannot change a column's nullability in place, so batch
  mode rebuilds that one table; its constraints are carried over.)
- Triggers freeze an issued report: once a report is not a draft, nothing about it may change
  except ``issued`` becoming ``superseded`` (and the frozen copy being written, once, for a report
  recorded as already issued); it cannot be deleted; its ratings cannot be changed or deleted, and
  none can be added once its frozen copy exists. The application refuses all of this first; the
  triggers stop any other writer.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:07:05.995703
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN_COLUMNS = (
    "project_id",
    "number",
    "stage_id",
    "period_start",
    "period_end",
    "report_date",
    "author_id",
    "distribution",
    "status_summary",
    "work_completed",
    "work_planned",
    "corrective_actions",
    "issued_at",
    "supersedes_id",
)
REPORT_FROZEN = "an issued highlight report cannot be changed"
REPORT_KEPT = "an issued highlight report cannot be deleted"
RATINGS_FROZEN = "the ratings of an issued highlight report cannot be changed"

SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER highlight_report_issued_is_frozen
    BEFORE UPDATE ON highlight_report
    WHEN OLD.status <> 'draft' AND (
        NEW.status NOT IN (OLD.status, 'superseded')
        OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)}
        OR (OLD.issued_content IS NOT NULL AND NEW.issued_content IS NOT OLD.issued_content)
    )
    BEGIN SELECT RAISE(ABORT, '{REPORT_FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER highlight_report_issued_is_kept
    BEFORE DELETE ON highlight_report
    WHEN OLD.status <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{REPORT_KEPT}'); END
    """,
    f"""
    CREATE TRIGGER highlight_report_rating_issued_update
    BEFORE UPDATE ON highlight_report_rating
    WHEN (SELECT status FROM highlight_report WHERE id = OLD.report_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{RATINGS_FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER highlight_report_rating_issued_delete
    BEFORE DELETE ON highlight_report_rating
    WHEN (SELECT status FROM highlight_report WHERE id = OLD.report_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{RATINGS_FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER highlight_report_rating_issued_insert
    BEFORE INSERT ON highlight_report_rating
    WHEN (SELECT issued_content FROM highlight_report WHERE id = NEW.report_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{RATINGS_FROZEN}'); END
    """,
)
SQLITE_TRIGGER_NAMES = (
    "highlight_report_issued_is_frozen",
    "highlight_report_issued_is_kept",
    "highlight_report_rating_issued_update",
    "highlight_report_rating_issued_delete",
    "highlight_report_rating_issued_insert",
)

_old = ", ".join(f"OLD.{c}" for c in FROZEN_COLUMNS)
_new = ", ".join(f"NEW.{c}" for c in FROZEN_COLUMNS)
POSTGRESQL_FUNCTIONS = (
    f"""
    CREATE FUNCTION highlight_report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION '{REPORT_KEPT}';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' AND (
            NEW.status NOT IN (OLD.status, 'superseded')
            OR ROW({_new}) IS DISTINCT FROM ROW({_old})
            OR (OLD.issued_content IS NOT NULL
                AND NEW.issued_content IS DISTINCT FROM OLD.issued_content)
        ) THEN
            RAISE EXCEPTION '{REPORT_FROZEN}';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE FUNCTION highlight_report_rating_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT issued_content FROM highlight_report WHERE id = NEW.report_id)
                    IS NOT NULL THEN
                RAISE EXCEPTION '{RATINGS_FROZEN}';
            END IF;
            RETURN NEW;
        END IF;
        IF (SELECT status FROM highlight_report WHERE id = OLD.report_id) <> 'draft' THEN
            RAISE EXCEPTION '{RATINGS_FROZEN}';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END
    $$
    """,
    """
    CREATE TRIGGER highlight_report_issued_is_frozen
    BEFORE UPDATE OR DELETE ON highlight_report
    FOR EACH ROW EXECUTE FUNCTION highlight_report_frozen()
    """,
    """
    CREATE TRIGGER highlight_report_rating_issued_is_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON highlight_report_rating
    FOR EACH ROW EXECUTE FUNCTION highlight_report_rating_frozen()
    """,
)


def upgrade() -> None:
    op.create_index(
        "uq_highlight_report_one_draft",
        "highlight_report",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    )
    with op.batch_alter_table("highlight_report_rating", schema=None) as batch_op:
        batch_op.alter_column("rag", existing_type=sa.VARCHAR(), nullable=True)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS highlight_report_issued_is_frozen ON highlight_report")
        op.execute(
            "DROP TRIGGER IF EXISTS highlight_report_rating_issued_is_frozen "
            "ON highlight_report_rating"
        )
        op.execute("DROP FUNCTION IF EXISTS highlight_report_frozen()")
        op.execute("DROP FUNCTION IF EXISTS highlight_report_rating_frozen()")
    op.execute("DELETE FROM highlight_report_rating WHERE rag IS NULL")
    with op.batch_alter_table("highlight_report_rating", schema=None) as batch_op:
        batch_op.alter_column("rag", existing_type=sa.VARCHAR(), nullable=False)
    op.drop_index(
        "uq_highlight_report_one_draft",
        table_name="highlight_report",
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    )
