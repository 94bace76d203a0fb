"""evidence files: photos, recordings and videos residents send by MMS or web chat

Revision ID: c2d1a7e00002
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "c2d1a7e00002"
down_revision: str | None = "c2d1a7e00004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create evidence_files."""
    utc = casework.core.models.UTCDateTime(timezone=True)
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("media_type", sa.String(length=60), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=True),
        sa.Column("thumb_key", sa.String(length=80), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("stored_at", utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_evidence_files_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_evidence_files_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_files_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_files_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_files_status"), ["status"], unique=False)


def downgrade() -> None:
    """Drop evidence_files."""
    op.drop_table("evidence_files")
