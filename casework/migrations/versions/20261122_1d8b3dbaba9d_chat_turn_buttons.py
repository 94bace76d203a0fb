"""chat turn buttons: keep the quick replies offered with an assistant turn

Revision ID: 1d8b3dbaba9d
Revises: ffc2e7bc9f40
Create Date: 2026-11-22 02:52:11.326240
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1d8b3dbaba9d"
down_revision: str | None = "ffc2e7bc9f40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add chat_turns.buttons."""
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop chat_turns.buttons."""
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_column("buttons")
