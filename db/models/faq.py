"""Models for the faq area: the knowledge base as served, the search log and answer feedback.

Entries are stored whole as the JSON form of ``bot.services.faq.loader.entry_to_dict``: the bot
serves what the database holds, so an admin can edit an entry without a release, and ``source``
tells a start-up reload of the YAML (``builtin``) which rows it may overwrite (not ``admin``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_AutoId = BigInteger().with_variant(Integer(), "sqlite")

ID_LENGTH = 64
SOURCE_BUILTIN = "builtin"
SOURCE_ADMIN = "admin"


class FaqCategoryRecord(Base):
    __tablename__ = "faq_categories"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(
        String(16), default=SOURCE_BUILTIN, server_default=SOURCE_BUILTIN
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaqEntryRecord(Base):
    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    # No foreign key: an admin entry may outlive a category that the YAML dropped.
    category: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(
        String(16), default=SOURCE_BUILTIN, server_default=SOURCE_BUILTIN
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaqSearchRecord(Base):
    """One search, for statistics: never the user's id, only a keyed pseudonym of it
    (`bot.services.privacy.Pseudonyms`), so /forget can find and remove their searches."""

    __tablename__ = "faq_search_log"

    id: Mapped[int] = mapped_column(_AutoId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    query: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    best_entry_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    score: Mapped[float | None] = mapped_column(Float)
    confident: Mapped[bool] = mapped_column(Boolean)
    result_count: Mapped[int] = mapped_column(Integer)
    user_key: Mapped[str | None] = mapped_column(String(64), index=True)


class FaqFeedbackRecord(Base):
    """One vote per user per entry; the user id is kept only so a second press replaces it."""

    __tablename__ = "faq_feedback"

    entry_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("faq_entries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    helpful: Mapped[bool] = mapped_column(Boolean)
    # What was missing (👎), masked like the search log, and the search that led to the answer.
    reason: Mapped[str | None] = mapped_column(String(500))
    query: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaqContentVersion(Base):
    """One row: bumped whenever the served knowledge base changes (an admin publishes, the YAML
    sync changes rows). Every process compares it with the version its index was built from and
    rebuilds when it moved, so an edit reaches every replica without a restart."""

    __tablename__ = "faq_content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaqDraftContent(Base):
    """What an admin is writing for a draft (``faq_drafts``): question, answer and phrasings in
    both languages and the category, as the JSON the editor keeps. A draft without a row is as
    the desk saved it (one language's question and answer)."""

    __tablename__ = "faq_draft_content"

    draft_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("faq_drafts.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Where the draft came from, for the editor's heading: "search", "feedback", "entry", "desk".
    origin: Mapped[str] = mapped_column(String(16))
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
