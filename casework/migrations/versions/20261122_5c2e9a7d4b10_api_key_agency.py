"""api key agency: an Open311 key can be limited to one agency's reports

Revision ID: 5c2e9a7d4b10
Revises: a4a64286f305
Create Date: 2026-11-22 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c2e9a7d4b10"
down_revision: str | None = "a4a64286f305"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add api_keys.agency_id (NULL: the whole partnership, as every key was before)."""
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    """Drop api_keys.agency_id."""
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("agency_id")
