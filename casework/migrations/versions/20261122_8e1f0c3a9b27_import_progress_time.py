"""import progress time: when an import last stored progress, so a stopped one can be told apart

Revision ID: 8e1f0c3a9b27
Revises: 5c2e9a7d4b10
Create Date: 2026-11-22 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "8e1f0c3a9b27"
down_revision: str | None = "5c2e9a7d4b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add import_batches.updated_at."""
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", casework.core.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop import_batches.updated_at."""
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
