"""outbox: forum topics by name, references to other rows' messages, kind-specific payload

Revision ID: 0007_outbox_threads
Revises: 0006_processed_updates
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_outbox_threads"
down_revision: str | None = "0006_processed_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("thread_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("target_ref", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.create_index(
            "ix_outbox_chat_id_telegram_message_id", ["chat_id", "telegram_message_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat_id_telegram_message_id")
        batch.drop_column("payload")
        batch.drop_column("target_ref")
        batch.drop_column("thread_key")
