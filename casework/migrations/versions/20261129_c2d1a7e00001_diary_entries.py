"""diary entries: residents add incidents to their report; the inbox orders by latest activity

Revision ID: c2d1a7e00001
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "c2d1a7e00001"
down_revision: str | None = "c2d1a7e00003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = casework.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Add diary_entries and reports.last_activity_at / diary_count / last_diary_at."""
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occurred_text", sa.Text(), nullable=False),
        sa.Column("occurred_at", UTC_DT, nullable=True),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("anonymised_at", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_diary_entries_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_diary_entries_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entries")),
    )
    with op.batch_alter_table("diary_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diary_entries_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_diary_entries_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_diary_entries_report_id"), ["report_id"], unique=False)
    # Plain ADD COLUMN (no table rebuild): on SQLite a rebuild of `reports` fails while other tables'
    # rows refer to it. The server default stays: existing rows need a count.
    op.add_column("reports", sa.Column("last_activity_at", UTC_DT, nullable=True))
    op.add_column("reports", sa.Column("diary_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("reports", sa.Column("last_diary_at", UTC_DT, nullable=True))
    op.execute("UPDATE reports SET last_activity_at = created_at")
    op.create_index("ix_reports_activity", "reports", ["last_activity_at", "id"], unique=False)


def downgrade() -> None:
    """Drop the diary."""
    with op.batch_alter_table("diary_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diary_entries_report_id"))
        batch_op.drop_index(batch_op.f("ix_diary_entries_created_at"))
        batch_op.drop_index(batch_op.f("ix_diary_entries_contact_id"))
    op.drop_table("diary_entries")
    op.drop_index("ix_reports_activity", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("last_diary_at")
        batch_op.drop_column("diary_count")
        batch_op.drop_column("last_activity_at")
