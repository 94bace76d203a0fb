"""open311 sender and confirmed phone: update ids are unique per sender; numbers that texted us are marked

Revision ID: b1a0c0de0004
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "b1a0c0de0004"
down_revision: str | None = "b1a0c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill_senders() -> None:
    """Existing Open311 updates get the sender their key had (agency:<id>, else key:<label>)."""
    conn = op.get_bind()
    agencies: dict[int, str | None] = dict(conn.execute(sa.text("SELECT id, agency_id FROM api_keys")).all())
    rows = conn.execute(
        sa.text("SELECT id, actor FROM report_events WHERE source = 'open311' AND external_id IS NOT NULL")
    ).all()
    for event_id, actor in rows:
        label = (actor or "").removeprefix("open311:")
        agency = agencies.get(int(label[3:])) if label.startswith("key") and label[3:].isdigit() else None
        sender = f"agency:{agency}" if agency else f"key:{label}"
        conn.execute(
            sa.text("UPDATE report_events SET sender = :s WHERE id = :i"), {"s": sender[:60], "i": event_id}
        )


def upgrade() -> None:
    """report_events.sender in the update_id constraint; contacts.phone_confirmed_at (texted in)."""
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender", sa.String(length=60), nullable=True))
    _backfill_senders()
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_events_source_external", type_="unique")
        batch_op.create_unique_constraint(
            "uq_report_events_source_sender_external", ["source", "sender", "external_id"]
        )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_confirmed_at", casework.core.models.UTCDateTime(timezone=True), nullable=True)
        )
    # A number that has texted us (an SMS kept, or a report filed by SMS) is confirmed.
    op.execute(
        "UPDATE contacts SET phone_confirmed_at = created_at WHERE phone IS NOT NULL AND ("
        " EXISTS (SELECT 1 FROM inbound_sms WHERE inbound_sms.contact_id = contacts.id)"
        " OR EXISTS (SELECT 1 FROM reports WHERE reports.contact_id = contacts.id AND reports.channel = 'sms'))"
    )


def downgrade() -> None:
    """Back to one update_id per source (fails if two senders used the same id) and no confirmation time."""
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("phone_confirmed_at")
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_events_source_sender_external", type_="unique")
        batch_op.create_unique_constraint("uq_report_events_source_external", ["source", "external_id"])
        batch_op.drop_column("sender")
