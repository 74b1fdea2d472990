"""outbox: the index from a delivered message back to its row holds delivered rows only

Revision ID: 0012_outbox_sent_message_index
Revises: 0011_faq_content
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_outbox_sent_message_index"
down_revision: str | None = "0011_faq_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_outbox_chat_id_telegram_message_id"
_DELIVERED = sa.text("telegram_message_id IS NOT NULL")


def upgrade() -> None:
    # A queued row has no message id yet: leaving it out spares every big fan-out (reminders,
    # broadcasts) one index entry per row; the lookup always names a message id.
    op.drop_index(_NAME, table_name="outbox")
    op.create_index(
        _NAME,
        "outbox",
        ["chat_id", "telegram_message_id"],
        postgresql_where=_DELIVERED,
        sqlite_where=_DELIVERED,
    )


def downgrade() -> None:
    op.drop_index(_NAME, table_name="outbox")
    op.create_index(_NAME, "outbox", ["chat_id", "telegram_message_id"])
