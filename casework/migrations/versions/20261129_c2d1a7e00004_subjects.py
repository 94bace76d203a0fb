"""subjects: the people, households and addresses reports are about, and their links to reports

Revision ID: c2d1a7e00004
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "c2d1a7e00004"
down_revision: str | None = "b1a0c0de0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = casework.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Create subjects and report_subjects."""
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("place_key", sa.String(length=120), nullable=True),
        sa.Column("ward", sa.String(length=80), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("unlinked_since", UTC_DT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_index("ix_subjects_place_key", "subjects", ["place_key"], unique=False)
    op.create_table(
        "report_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_subjects_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_report_subjects_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_subjects")),
        sa.UniqueConstraint("report_id", "subject_id", name="uq_report_subjects_report_subject"),
    )
    op.create_index(op.f("ix_report_subjects_report_id"), "report_subjects", ["report_id"], unique=False)
    op.create_index(op.f("ix_report_subjects_subject_id"), "report_subjects", ["subject_id"], unique=False)


def downgrade() -> None:
    """Drop report_subjects and subjects."""
    op.drop_index(op.f("ix_report_subjects_subject_id"), table_name="report_subjects")
    op.drop_index(op.f("ix_report_subjects_report_id"), table_name="report_subjects")
    op.drop_table("report_subjects")
    op.drop_index("ix_subjects_place_key", table_name="subjects")
    op.drop_table("subjects")
