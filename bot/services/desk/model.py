"""The desk's vocabulary: statuses, topics, what a message is, and what can go wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.services.desk.opening import NextOpening


class Status(StrEnum):
    DRAFT = "draft"  # being written by the person
    WAITING = "waiting"  # in the queue, no one owns it
    IN_PROGRESS = "in_progress"  # a consultant owns it
    ANSWERED = "answered"  # the owner marked it answered; the person is asked to confirm
    CLOSED = "closed"


OPEN: Final = (Status.WAITING, Status.IN_PROGRESS, Status.ANSWERED)
TOPICS: Final = ("registration", "grants", "reporting", "other")
# A message to a question closed this recently reopens it; later, it starts a new one.
REOPEN_WINDOW: Final = timedelta(days=7)
# Within this long of a question's closing (and after REOPEN_WINDOW), a message is answered with
# "your question was closed, ask a new one?"; later it is an FAQ search like anyone's.
NEW_QUESTION_OFFER: Final = timedelta(days=30)
# More than this many messages a minute is flooding: slowed with a note, never dropped.
FLOOD_MESSAGES: Final = 20
FLOOD_WINDOW: Final = timedelta(minutes=1)
INTERNAL_PREFIX: Final = "//"
BAN_REASON_MAX: Final = 300
COMMENT_MAX: Final = 500
NAME_MAX: Final = 64


class Direction(StrEnum):
    IN = "in"  # from the person
    OUT = "out"  # to the person
    NOTE = "note"  # between consultants only


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message someone wrote, as the desk keeps it (the file stays in Telegram: relayed by
    copying the message itself)."""

    chat_id: int
    message_id: int
    author_id: int
    kind: str  # text, photo, document, voice, video, audio, sticker, …
    text: str | None  # the text or the caption
    media_group_id: str | None
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Edited:
    """A message the person edited after sending it: its new text or caption, as plain text
    (stored) and as HTML (relayed, formatting kept); ``version`` tells two edits apart
    (Telegram's edit_date and the text), so a redelivered edit is relayed once."""

    chat_id: int
    message_id: int
    author_id: int
    text: str | None
    html: str | None
    version: str


class EditOutcome(StrEnum):
    RELAYED = "relayed"  # the consultants' copies follow it
    STORED = "stored"  # a draft's message: the new text is kept, nothing relayed yet
    IGNORED = "ignored"  # not a message of an open question of theirs


@dataclass(frozen=True, slots=True)
class Expectation:
    """When the person may expect an answer: open now (with the usual time to answer), or when
    consultants are back."""

    opening: NextOpening
    usual_answer_hours: float


class DeskError(Exception):
    """A desk action that cannot be done; `code` names why, for the view."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class TicketNotFoundError(DeskError, LookupError):
    def __init__(self, ticket_id: int) -> None:
        super().__init__("not_found", ticket_id=ticket_id)


class NotAllowedError(DeskError, PermissionError):
    """The actor may not do this (not staff, not the owner, not their question)."""

    def __init__(self, reason: str = "not_allowed") -> None:
        super().__init__(reason)
