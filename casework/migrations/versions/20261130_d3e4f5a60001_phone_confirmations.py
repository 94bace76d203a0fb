"""phone confirmations: web chat reporters get updates by text on a number confirmed with a code

Revision ID: d3e4f5a60001
Revises: c2d1a7e00005
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "d3e4f5a60001"
down_revision: str | None = "c2d1a7e00005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = casework.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Add phone_confirmations (a new table: no existing table is rebuilt)."""
    op.create_table(
        "phone_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("code_salt", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("expires_at", UTC_DT, nullable=False),
        sa.Column("confirmed_at", UTC_DT, nullable=True),
        sa.Column("sms_contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_phone_confirmations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["sms_contact_id"], ["contacts.id"], name=op.f("fk_phone_confirmations_sms_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_confirmations")),
    )
    for column in ("contact_id", "phone", "created_at", "sms_contact_id"):
        op.create_index(op.f(f"ix_phone_confirmations_{column}"), "phone_confirmations", [column], unique=False)


def downgrade() -> None:
    """Drop phone_confirmations."""
    for column in ("sms_contact_id", "created_at", "phone", "contact_id"):
        op.drop_index(op.f(f"ix_phone_confirmations_{column}"), table_name="phone_confirmations")
    op.drop_table("phone_confirmations")
