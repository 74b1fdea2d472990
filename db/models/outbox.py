"""Models for the outbox area: every message the bot sends first, queued until Telegram took it.

A row moves pending → sending (claimed by one worker until ``lease_until``) → sent | failed |
cancelled | skipped. The sender's claim is a conditional UPDATE, so two processes on one database
never both own a row; a worker that dies leaves its rows to expire back to pending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_AutoId = BigInteger().with_variant(Integer(), "sqlite")

KEY_LENGTH = 200
THREAD_KEY_LENGTH = 64
ERROR_LENGTH = 500


class OutboxState:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class OutboxKind:
    TEXT = "text"
    COPY = "copy"
    DOCUMENT = "document"
    PHOTO = "photo"
    VIDEO = "video"
    EDIT_TEXT = "edit_text"
    EDIT_CAPTION = "edit_caption"
    DELETE = "delete"
    RENAME_TOPIC = "rename_topic"
    CLOSE_TOPIC = "close_topic"
    REOPEN_TOPIC = "reopen_topic"
    REACTION = "reaction"
    PIN = "pin"


# Kinds that create a message (the others act on a message or a topic).
MESSAGE_KINDS = (
    OutboxKind.TEXT,
    OutboxKind.COPY,
    OutboxKind.DOCUMENT,
    OutboxKind.PHOTO,
    OutboxKind.VIDEO,
)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        # The claim scans due pending rows; lease recovery scans sending rows.
        Index("ix_outbox_state_not_before", "state", "not_before"),
        # Skipping a blocked user's queue and the one-message-per-chat-in-flight rule.
        Index("ix_outbox_chat_id_state", "chat_id", "state"),
        # From a message someone replied to back to the row that sent it (and its group_key).
        # Delivered rows only: a fan-out of queued rows writes no entry here.
        Index(
            "ix_outbox_chat_id_telegram_message_id",
            "chat_id",
            "telegram_message_id",
            postgresql_where=text("telegram_message_id IS NOT NULL"),
            sqlite_where=text("telegram_message_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(_AutoId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    # Lower goes first: a consultant's reply must not wait behind a 10,000-user broadcast.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    state: Mapped[str] = mapped_column(
        String(16), default=OutboxState.PENDING, server_default=OutboxState.PENDING
    )
    # HTML text of a text message, or the caption of a copy/document (None keeps a copy's own).
    text: Mapped[str | None] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    silent: Mapped[bool] = mapped_column(default=False, server_default=false())
    from_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    document_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_file_id: Mapped[str | None] = mapped_column(String(256))
    filename: Mapped[str | None] = mapped_column(String(256))
    dedupe_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    group_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    # A forum topic by name; the sender asks its ThreadResolver for the message_thread_id.
    thread_key: Mapped[str | None] = mapped_column(String(THREAD_KEY_LENGTH))
    # The dedupe_key of the row whose delivered message this one edits, reacts to, pins or
    # replies to; resolved at send time from that row's telegram_message_id.
    target_ref: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    # Kind-specific values: a topic's new name, a reaction's emoji, a message id acted on.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    worker_id: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
