"""the consultant desk

Revision ID: 0008_desk
Revises: 0006_processed_updates
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision: str = "0008_desk"
down_revision: str | None = "0007_outbox_threads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("text_kk", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_snippets")),
        sa.UniqueConstraint("name", name=op.f("uq_desk_snippets_name")),
    )
    op.create_table(
        "desk_bans",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("banned_by", sa.BigInteger(), nullable=False),
        sa.Column("banned_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_desk_bans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_desk_bans")),
    )
    op.create_table(
        "desk_consultants",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("on_duty", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("current_ticket_id", sa.Integer(), nullable=True),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_desk_consultants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_desk_consultants")),
    )
    op.create_table(
        "desk_people",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("current_ticket_id", sa.Integer(), nullable=True),
        sa.Column("off_hours_noted_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_desk_people_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_desk_people")),
    )
    op.create_table(
        "desk_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("person_name", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("origin_query", sa.String(length=200), nullable=True),
        sa.Column("faq_entry_id", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_at", UtcDateTime(), nullable=True),
        sa.Column("first_response_at", UtcDateTime(), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("reopened_at", UtcDateTime(), nullable=True),
        sa.Column("last_person_message_at", UtcDateTime(), nullable=True),
        sa.Column("waiting_since", UtcDateTime(), nullable=True),
        sa.Column("escalated_unclaimed_at", UtcDateTime(), nullable=True),
        sa.Column("owner_reminded_at", UtcDateTime(), nullable=True),
        sa.Column("escalated_unanswered_at", UtcDateTime(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_comment", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_desk_tickets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_tickets")),
    )
    with op.batch_alter_table("desk_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_tickets_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_desk_tickets_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_desk_tickets_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_desk_tickets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "desk_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media_group_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["desk_tickets.id"],
            name=op.f("fk_desk_messages_ticket_id_desk_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_messages")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_desk_messages_chat_id")),
    )
    with op.batch_alter_table("desk_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_messages_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "faq_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["desk_tickets.id"],
            name=op.f("fk_faq_drafts_ticket_id_desk_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_drafts")),
    )


def downgrade() -> None:
    op.drop_table("faq_drafts")
    with op.batch_alter_table("desk_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_messages_ticket_id"))

    op.drop_table("desk_messages")
    with op.batch_alter_table("desk_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_tickets_user_id"))
        batch_op.drop_index(batch_op.f("ix_desk_tickets_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_desk_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_desk_tickets_owner_id"))

    op.drop_table("desk_tickets")
    op.drop_table("desk_people")
    op.drop_table("desk_consultants")
    op.drop_table("desk_bans")
    op.drop_table("desk_snippets")
