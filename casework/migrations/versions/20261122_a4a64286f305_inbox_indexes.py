"""Inbox indexes: sort by risk and by due date, and count reports with messages needing attention.

Revision ID: a4a64286f305
Revises: 1d8b3dbaba9d
Create Date: 2026-11-22 03:16:07.970425
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4a64286f305"
down_revision: str | None = "1d8b3dbaba9d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_attention", ["report_id"], unique=False,
            postgresql_where=sa.text("needs_attention"), sqlite_where=sa.text("needs_attention"),
        )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_due", ["due_at", "id"], unique=False)
        batch_op.create_index("ix_reports_risk_created", ["risk_level", "created_at"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_risk_created")
        batch_op.drop_index("ix_reports_due")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attention", postgresql_where=sa.text("needs_attention"),
                            sqlite_where=sa.text("needs_attention"))
