"""conversations and chat limits: chat turns tied to their conversation and the report it filed, web chat
request counts for rate limits, and web chat cookie values replaced by their keyed hash

Revision ID: b1a0c0de0001
Revises: 8e1f0c3a9b27
Create Date: 2026-11-29 16:00:00

Existing rows: each chat/SMS report takes the unclaimed turns of its sender from the 12 hours before its
filing up to the filing (older reports first), so no report shows a later conversation. Every stored
"web-<cookie>" sender id (contacts, chat turns, reports' conversation id and intake key) becomes
"web-" + HMAC-SHA256(SENDER_ID_KEY, "web:" + cookie); SENDER_ID_KEY must be the one the app runs with.
The downgrade drops the new columns and table but cannot restore cookie values.
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import casework.core.models

revision: str = "b1a0c0de0001"
down_revision: str | None = "8e1f0c3a9b27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_WINDOW = timedelta(hours=12)


def _hash_web_ids(conn: sa.Connection) -> None:
    from casework.conversation.contacts import WEB_PREFIX, is_valid_web_id, web_sender_id

    contacts = sa.table("contacts", sa.column("id"), sa.column("sender_id"))
    turns = sa.table("chat_turns", sa.column("id"), sa.column("sender_id"))
    reports = sa.table("reports", sa.column("id"), sa.column("conversation_id"), sa.column("intake_key"))
    like = WEB_PREFIX + "%"
    rows = {
        "contacts": conn.execute(sa.select(contacts.c.sender_id).where(contacts.c.sender_id.like(like))),
        "turns": conn.execute(sa.select(turns.c.sender_id).where(turns.c.sender_id.like(like))),
        "reports": conn.execute(
            sa.select(reports.c.conversation_id).where(reports.c.conversation_id.like(like))
        ),
    }
    old_ids = {r[0] for result in rows.values() for r in result}
    old_ids = {s for s in old_ids if is_valid_web_id(s[len(WEB_PREFIX) :])}
    if not old_ids:
        return
    from casework.core.settings import load_settings

    key = load_settings().SENDER_ID_KEY
    for old in sorted(old_ids):
        new = web_sender_id(old[len(WEB_PREFIX) :], key)
        conn.execute(contacts.update().where(contacts.c.sender_id == old).values(sender_id=new))
        conn.execute(turns.update().where(turns.c.sender_id == old).values(sender_id=new))
        for report_id, intake_key in conn.execute(
            sa.select(reports.c.id, reports.c.intake_key).where(reports.c.conversation_id == old)
        ).all():
            new_key = intake_key
            if intake_key and intake_key.startswith(old + ":"):
                new_key = new + intake_key[len(old) :]
            conn.execute(
                reports.update()
                .where(reports.c.id == report_id)
                .values(conversation_id=new, intake_key=new_key)
            )


def _tie_turns_to_reports(conn: sa.Connection) -> None:
    turns = sa.table(
        "chat_turns",
        sa.column("id"),
        sa.column("sender_id"),
        sa.column("report_id"),
        sa.column("conversation_key"),
        sa.column("created_at", casework.core.models.UTCDateTime()),
    )
    reports = sa.table(
        "reports",
        sa.column("id"),
        sa.column("conversation_id"),
        sa.column("channel"),
        sa.column("created_at", casework.core.models.UTCDateTime()),
    )
    filed = conn.execute(
        sa.select(reports.c.id, reports.c.conversation_id, reports.c.created_at)
        .where(reports.c.channel.in_(("sms", "web")), reports.c.conversation_id.is_not(None))
        .order_by(reports.c.created_at, reports.c.id)
    ).all()
    for report_id, sender, created in filed:
        conn.execute(
            turns.update()
            .where(
                turns.c.sender_id == sender,
                turns.c.report_id.is_(None),
                turns.c.created_at >= created - LEGACY_WINDOW,
                turns.c.created_at <= created,
            )
            .values(report_id=report_id, conversation_key=f"legacy-{report_id}")
        )


def upgrade() -> None:
    """Add chat_turns.conversation_key and report_id, web_chat_requests; hash web ids; tie old turns."""
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_chat_turns_conversation_key"), ["conversation_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_turns_report_id"), ["report_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_chat_turns_report_id_reports"), "reports", ["report_id"], ["id"]
        )
    op.create_table(
        "web_chat_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("new_conversation", sa.Boolean(), nullable=False),
        sa.Column("limited", sa.Boolean(), nullable=False),
        sa.Column("created_at", casework.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_chat_requests")),
    )
    with op.batch_alter_table("web_chat_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_chat_requests_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_chat_requests_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_chat_requests_sender_id"), ["sender_id"], unique=False)
    conn = op.get_bind()
    _hash_web_ids(conn)
    _tie_turns_to_reports(conn)


def downgrade() -> None:
    """Drop web_chat_requests and the chat_turns columns (hashed web ids stay hashed)."""
    with op.batch_alter_table("web_chat_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_chat_requests_sender_id"))
        batch_op.drop_index(batch_op.f("ix_web_chat_requests_created_at"))
        batch_op.drop_index(batch_op.f("ix_web_chat_requests_client"))
    op.drop_table("web_chat_requests")
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_chat_turns_report_id_reports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_chat_turns_report_id"))
        batch_op.drop_index(batch_op.f("ix_chat_turns_conversation_key"))
        batch_op.drop_column("report_id")
        batch_op.drop_column("conversation_key")
