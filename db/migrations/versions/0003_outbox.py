"""delivery outbox

Revision ID: 0003_outbox
Revises: 0002_faq
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision: str = "0003_outbox"
down_revision: str | None = "0002_faq"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        sa.Column("silent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("from_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("source_message_id", sa.BigInteger(), nullable=True),
        sa.Column("document_data", sa.LargeBinary(), nullable=True),
        sa.Column("document_file_id", sa.String(length=256), nullable=True),
        sa.Column("filename", sa.String(length=256), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("group_key", sa.String(length=200), nullable=True),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("worker_id", sa.String(length=64), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index(op.f("ix_outbox_group_key"), "outbox", ["group_key"])
    op.create_index(op.f("ix_outbox_state_not_before"), "outbox", ["state", "not_before"])
    op.create_index(op.f("ix_outbox_chat_id_state"), "outbox", ["chat_id", "state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_chat_id_state"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_state_not_before"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_group_key"), table_name="outbox")
    op.drop_table("outbox")
