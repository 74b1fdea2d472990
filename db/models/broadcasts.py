"""Models for admin broadcasts: one row per broadcast; each recipient's copy is an outbox row
(group ``broadcast:<id>``, dedupe key ``broadcast:<id>:<user>``), which keeps the delivered
message id that "edit everywhere" and "delete everywhere" act on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class BroadcastStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    STOPPED = "stopped"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    sent_by: Mapped[int | None] = mapped_column(BigInteger)
    # language → {"kind": text|photo|video|document, "file_id": ..., "text": HTML}
    contents: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The version for users of any other language (the first one the admin sent).
    default_language: Mapped[str] = mapped_column(String(2))
    # [[{"text": ..., "url": ...}, ...], ...]: rows of URL buttons under every copy.
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Copies wait while it is quiet hours (QUIET_HOURS_START–END) instead of going out at night.
    hold_quiet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Recipients queued when it started (reachable people in the audience at that moment).
    queued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The admin whose chat shows the live status message, and how often it was edited.
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An "edit everywhere"/"delete everywhere" after sending: which, and how many so far.
    followup: Mapped[str | None] = mapped_column(String(16))
    followup_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    followup_done: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
