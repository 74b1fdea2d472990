"""Events and deadlines, who wants to hear about them, and which reminders went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class Event(Base):
    """One event or deadline; texts in both languages, times in UTC."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    title_kk: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    description_kk: Mapped[str] = mapped_column(Text)
    description_ru: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A deadline has a date but no time of day; starts_at is then local midnight of that date.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    place: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    region: Mapped[str | None] = mapped_column(String(24))  # None: all of Kazakhstan
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    recurrence: Mapped[str | None] = mapped_column(String(16))  # None or "yearly"
    # Set for the built-in deadlines, so seeding finds them again instead of duplicating.
    builtin_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Bumped on every schedule change or cancellation: makes each notice's dedupe key unique.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EventSubscription(Base):
    """A user wants reminders for every event of one category."""

    __tablename__ = "event_subscriptions"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(24), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EventSubscriptionPrefs(Base):
    """Per-user subscription options; a missing row means the defaults."""

    __tablename__ = "event_subscription_prefs"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region_only: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class EventWatch(Base):
    """ "Remind me" pressed on one event."""

    __tablename__ = "event_watches"

    event_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EventReminder(Base):
    """A reminder slot that was handled: enqueued ("sent") or deliberately passed over
    ("skipped"). Keyed by the start it was computed for, so a moved event gets fresh slots."""

    __tablename__ = "event_reminders"
    __table_args__ = (
        UniqueConstraint(
            "event_id",
            "user_id",
            "offset_minutes",
            "starts_at",
            name="uq_event_reminders_event_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    offset_minutes: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
