"""faq content: the knowledge base's version and the drafts editor's texts

Revision ID: 0011_faq_content
Revises: 0009_leases
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision: str = "0011_faq_content"
down_revision: str | None = "0009_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_content_version")),
    )
    op.create_table(
        "faq_draft_content",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["faq_drafts.id"],
            name=op.f("fk_faq_draft_content_draft_id_faq_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("draft_id", name=op.f("pk_faq_draft_content")),
    )


def downgrade() -> None:
    op.drop_table("faq_draft_content")
    op.drop_table("faq_content_version")
