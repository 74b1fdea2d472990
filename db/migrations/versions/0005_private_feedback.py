"""search log keyed by a pseudonym, reasons for 👎, the application's own secrets

Revision ID: 0005_private_feedback
Revises: 0004_events
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_private_feedback"
down_revision: str | None = "0004_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("faq_search_log") as batch:
        batch.add_column(sa.Column("user_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_faq_search_log_user_key", ["user_key"])
    with op.batch_alter_table("faq_feedback") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("query", sa.String(length=200), nullable=True))
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
    with op.batch_alter_table("faq_feedback") as batch:
        batch.drop_column("query")
        batch.drop_column("reason")
    with op.batch_alter_table("faq_search_log") as batch:
        batch.drop_index("ix_faq_search_log_user_key")
        batch.drop_column("user_key")
