"""staff session generation: sign-out, password or role changes end every session of the account

Revision ID: b1a0c0de0003
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1a0c0de0003"
down_revision: str | None = "b1a0c0de0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add staff_users.session_generation and an index for the per-address sign-in limit."""
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_audit_events_ip_created", "audit_events", ["ip", "created_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_audit_events_ip_created", table_name="audit_events")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
