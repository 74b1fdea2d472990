"""What a service hands the outbox: one message for one chat, checked before it is queued.

Telegram's own limits are checked here, in the caller's code path, so a message that can never
be sent fails the caller's test instead of becoming a ``failed`` row hours later.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.models.outbox import KEY_LENGTH

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_FILENAME = 256
_TAG = re.compile(r"<[^>]*>")


class Category(StrEnum):
    REPLY = "reply"  # a consultant's answer: someone is waiting for it
    NOTICE = "notice"  # staff notifications, escalations, confirmations
    REMINDER = "reminder"
    BROADCAST = "broadcast"


class Kind(StrEnum):
    TEXT = "text"
    COPY = "copy"
    DOCUMENT = "document"


# Lower is sent first; within a priority, oldest first.
PRIORITY: dict[Category, int] = {
    Category.REPLY: 0,
    Category.NOTICE: 1,
    Category.REMINDER: 2,
    Category.BROADCAST: 3,
}


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button as plain data, so services can attach buttons without aiogram."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError("a button needs exactly one of callback_data or url")
        if self.callback_data is not None and not 0 < len(self.callback_data.encode()) <= 64:
            raise ValueError("callback_data must be 1–64 bytes")

    def as_dict(self) -> dict[str, str]:
        data = {"text": self.text}
        if self.callback_data is not None:
            data["callback_data"] = self.callback_data
        if self.url is not None:
            data["url"] = self.url
        return data


# Rows of buttons, top to bottom.
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class MessageContent:
    """What to say: HTML text and its buttons, rendered by a view in the recipient's language."""

    text: str
    keyboard: Keyboard | None = None


def visible_length(html_text: str) -> int:
    """Length Telegram counts: after the HTML tags are parsed away and entities decoded."""
    return len(html.unescape(_TAG.sub("", html_text)).strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One proactive message: build it with ``text_message``, ``copy_message`` or
    ``document_message``.

    ``dedupe_key``: queueing a second message with the same key is a no-op, forever (reminders
    use e.g. ``reminder:42:1440:<user>``). ``group_key``: a label to cancel or count by (e.g.
    ``event:42``, ``broadcast:7``). ``not_before``: the earliest send time (aware UTC).
    """

    chat_id: int
    category: Category
    kind: Kind
    text: str | None = None  # HTML text, or the caption of a copy/document
    keyboard: Keyboard | None = None
    silent: bool = False
    from_chat_id: int | None = None
    message_id: int | None = None
    document: bytes | None = None
    file_id: str | None = None
    filename: str | None = None
    dedupe_key: str | None = None
    group_key: str | None = None
    not_before: datetime | None = None

    def __post_init__(self) -> None:
        # Accept the plain strings too ("reminder"), but nothing outside the enums.
        object.__setattr__(self, "category", Category(self.category))
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.kind is Kind.TEXT:
            if not self.text or visible_length(self.text) == 0:
                raise ValueError("a text message needs text")
            if visible_length(self.text) > MAX_TEXT:
                raise ValueError(f"message text longer than {MAX_TEXT} characters: split it")
        elif self.text is not None and visible_length(self.text) > MAX_CAPTION:
            raise ValueError(f"caption longer than {MAX_CAPTION} characters")
        if self.kind is Kind.COPY and (self.from_chat_id is None or self.message_id is None):
            raise ValueError("a copy needs from_chat_id and message_id")
        if self.kind is Kind.DOCUMENT:
            if (self.document is None) == (self.file_id is None):
                raise ValueError("a document needs exactly one of document bytes or file_id")
            if self.document is not None and not self.filename:
                raise ValueError("document bytes need a filename")
            if self.filename is not None and len(self.filename) > MAX_FILENAME:
                raise ValueError("filename too long")
        for name in ("dedupe_key", "group_key"):
            value = getattr(self, name)
            if value is not None and not 0 < len(value) <= KEY_LENGTH:
                raise ValueError(f"{name} must be 1–{KEY_LENGTH} characters")
        if self.not_before is not None and self.not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")

    @classmethod
    def text_message(
        cls,
        chat_id: int,
        text: str,
        *,
        category: Category,
        keyboard: Keyboard | None = None,
        **options: Any,
    ) -> OutgoingMessage:
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.TEXT,
            text=text,
            keyboard=keyboard,
            **options,
        )

    @classmethod
    def copy_message(
        cls,
        chat_id: int,
        *,
        from_chat_id: int,
        message_id: int,
        category: Category,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        **options: Any,
    ) -> OutgoingMessage:
        """copyMessage of a message Telegram still has (an admin's broadcast, a user's file)."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.COPY,
            from_chat_id=from_chat_id,
            message_id=message_id,
            text=caption,
            keyboard=keyboard,
            **options,
        )

    @classmethod
    def document_message(
        cls,
        chat_id: int,
        *,
        category: Category,
        data: bytes | None = None,
        file_id: str | None = None,
        filename: str | None = None,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        **options: Any,
    ) -> OutgoingMessage:
        """A file. Bytes are stored in the queue until Telegram has them; to send one file to
        many people, queue it as a copy (or by file_id) rather than the bytes per row."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.DOCUMENT,
            document=data,
            file_id=file_id,
            filename=filename,
            text=caption,
            keyboard=keyboard,
            **options,
        )

    def stored_keyboard(self) -> dict[str, Any] | None:
        """The Bot API's InlineKeyboardMarkup as JSON, as the outbox row keeps it."""
        if not self.keyboard:
            return None
        return {"inline_keyboard": [[b.as_dict() for b in row] for row in self.keyboard]}
