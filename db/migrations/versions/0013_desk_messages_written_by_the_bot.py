"""desk_messages: a text the bot wrote for a consultant (a snippet, an FAQ answer) has no message
id of its own

Revision ID: 0013_desk_bot_written_messages
Revises: 0012_outbox_sent_message_index
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_desk_bot_written_messages"
down_revision: str | None = "0012_outbox_sent_message_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot alter a column in place (the table is copied).
    with op.batch_alter_table("desk_messages") as batch:
        batch.alter_column("message_id", existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM desk_messages WHERE message_id IS NULL")
    with op.batch_alter_table("desk_messages") as batch:
        batch.alter_column("message_id", existing_type=sa.BigInteger(), nullable=False)
