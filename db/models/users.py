from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String, true
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class User(Base):
    """A Telegram user; we keep only what the bot needs to serve them."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    is_reachable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
