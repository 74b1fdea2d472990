"""The consultant desk: consultants, questions (tickets) and their messages, bans, snippets,
FAQ drafts, and what the desk remembers per person."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class Consultant(Base):
    __tablename__ = "desk_consultants"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # What colleagues and people see; their Telegram account stays private.
    display_name: Mapped[str] = mapped_column(String(64))
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Private-chat mode: the question their plain messages go to.
    current_ticket_id: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[int | None] = mapped_column(BigInteger)


class Ticket(Base):
    """One question: `#id` for people and consultants alike."""

    __tablename__ = "desk_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    person_name: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(16))
    # draft → waiting → in_progress → answered → closed (and back: reopened, not solved)
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # The forum topic in the consultants' group, once created (None: not yet, or deleted).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    origin_query: Mapped[str | None] = mapped_column(String(200))
    faq_entry_id: Mapped[str | None] = mapped_column(String(64))
    # Bumped on every change worth showing (topic name, card): makes each edit's key unique.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reopened_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_person_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Since when the person waits for the desk (submitted, or wrote again); None: not waiting.
    waiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Service levels: when each step was taken, so it is taken once.
    escalated_unclaimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    owner_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_unanswered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(String(500))


class TicketMessage(Base):
    """A message of a question: from the person (`in`), to them (`out`) or between staff
    (`note`). The text is kept for the history on the card and for FAQ drafts. A text the bot
    wrote for a consultant (a snippet, an FAQ answer) has no `message_id`: it was sent later,
    by the outbox."""

    __tablename__ = "desk_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("desk_tickets.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeskBan(Base):
    __tablename__ = "desk_bans"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    banned_by: Mapped[int] = mapped_column(BigInteger)
    banned_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Snippet(Base):
    """A canned reply in both languages; the person gets the one in theirs."""

    __tablename__ = "desk_snippets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    text_kk: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaqDraft(Base):
    """A question and its answer kept for the knowledge base, to be completed in both languages
    and published by an admin."""

    __tablename__ = "faq_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(2))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    # Goes with the question (and so with /forget): until an admin rewrites it, a draft is the
    # person's own words.
    ticket_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("desk_tickets.id", ondelete="CASCADE")
    )
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    entry_id: Mapped[str | None] = mapped_column(String(64))


class DeskPerson(Base):
    """What the desk remembers about a person asking."""

    __tablename__ = "desk_people"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The open question their messages go to (they may have a few).
    current_ticket_id: Mapped[int | None] = mapped_column(Integer)
    # The out-of-hours note goes out at most once a day.
    off_hours_noted_on: Mapped[date | None] = mapped_column(Date)
