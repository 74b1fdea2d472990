"""What a service hands the outbox: one message (or one change to a message or a forum topic)
for one chat, checked before it is queued.

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

from db.models.outbox import KEY_LENGTH, THREAD_KEY_LENGTH

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_FILENAME = 256
MAX_TOPIC_NAME = 128
_TAG = re.compile(r"<[^>]*>")
_VARIATION_SELECTOR = "\ufe0f"

# ReactionTypeEmoji.emoji: the only emoji a bot may react with (Bot API spec; a test keeps this
# list equal to the bundled spec's). "❤️" is accepted too and stored as Telegram's "❤".
REACTION_EMOJI = frozenset(
    {
        "❤", "👍", "👎", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩",
        "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤\u200d🔥", "🌚",
        "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈",
        "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗",
        "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊",
        "😎", "👾", "🤷\u200d♂", "🤷", "🤷\u200d♀", "😡",
    }
)  # fmt: skip


class Category(StrEnum):
    REPLY = "reply"  # a consultant's answer: someone is waiting for it
    NOTICE = "notice"  # staff notifications, escalations, confirmations
    REMINDER = "reminder"
    BROADCAST = "broadcast"


class Kind(StrEnum):
    TEXT = "text"
    COPY = "copy"
    DOCUMENT = "document"
    PHOTO = "photo"  # by file_id
    VIDEO = "video"  # by file_id
    EDIT_TEXT = "edit_text"
    EDIT_CAPTION = "edit_caption"
    DELETE = "delete"
    RENAME_TOPIC = "rename_topic"
    CLOSE_TOPIC = "close_topic"
    REOPEN_TOPIC = "reopen_topic"
    REACTION = "reaction"
    PIN = "pin"


# Kinds that create a message: they go to a topic by thread_key and reply by target_ref.
SENDING_KINDS = frozenset({Kind.TEXT, Kind.COPY, Kind.DOCUMENT, Kind.PHOTO, Kind.VIDEO})
# Kinds that change the text or caption of a message the bot sent (named by target_ref).
EDIT_KINDS = frozenset({Kind.EDIT_TEXT, Kind.EDIT_CAPTION})
# Kinds that act on a message another row sent, named by target_ref.
EDITING_KINDS = EDIT_KINDS | {Kind.DELETE}
TOPIC_KINDS = frozenset({Kind.RENAME_TOPIC, Kind.CLOSE_TOPIC, Kind.REOPEN_TOPIC})

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
    """One proactive message or change: build it with ``text_message``, ``copy_message``,
    ``document_message``, ``edit_text``, ``edit_caption``, ``rename_topic``, ``close_topic``,
    ``reopen_topic``, ``reaction`` or ``pin``.

    ``dedupe_key``: queueing a second message with the same key is a no-op, forever (reminders
    use e.g. ``reminder:42:1440:<user>``); it is also the name other rows use to point at this
    one's message. ``group_key``: a label to cancel or count by (e.g. ``event:42``,
    ``broadcast:7``). ``not_before``: the earliest send time (aware UTC).
    ``thread_key``: the forum topic to post in (or to rename, close, reopen), by a name the
    sender's ThreadResolver turns into a message_thread_id. ``target_ref``: the dedupe_key of
    another row whose message this one replies to, edits, reacts to or pins.
    """

    chat_id: int
    category: Category
    kind: Kind
    text: str | None = None  # HTML text, or the caption of a copy/document
    keyboard: Keyboard | None = None
    silent: bool = False
    from_chat_id: int | None = None
    message_id: int | None = None  # a copy's source; the message a reaction or pin is for
    document: bytes | None = None
    file_id: str | None = None
    filename: str | None = None
    dedupe_key: str | None = None
    group_key: str | None = None
    not_before: datetime | None = None
    thread_key: str | None = None
    target_ref: str | None = None
    topic_name: str | None = None
    emoji: str | None = None

    def __post_init__(self) -> None:
        # Accept the plain strings too ("reminder"), but nothing outside the enums.
        object.__setattr__(self, "category", Category(self.category))
        object.__setattr__(self, "kind", Kind(self.kind))
        self._check_text()
        self._check_source()
        self._check_keys()
        self._check_references()
        if self.kind is Kind.RENAME_TOPIC:
            name = " ".join((self.topic_name or "").split())
            if not name or len(name) > MAX_TOPIC_NAME:
                raise ValueError(f"a topic name must be 1–{MAX_TOPIC_NAME} characters")
            object.__setattr__(self, "topic_name", name)
        if self.kind is Kind.REACTION:
            emoji = (self.emoji or "").replace(_VARIATION_SELECTOR, "")
            if emoji not in REACTION_EMOJI:
                raise ValueError(f"{self.emoji!r} is not one of Telegram's reaction emoji")
            object.__setattr__(self, "emoji", emoji)

    def _check_text(self) -> None:
        kind = self.kind
        if kind in (Kind.TEXT, Kind.EDIT_TEXT):
            if not self.text or visible_length(self.text) == 0:
                raise ValueError("a text message needs text")
            if visible_length(self.text) > MAX_TEXT:
                raise ValueError(f"message text longer than {MAX_TEXT} characters: split it")
        elif self.text is not None and visible_length(self.text) > MAX_CAPTION:
            raise ValueError(f"caption longer than {MAX_CAPTION} characters")
        if kind not in SENDING_KINDS | EDIT_KINDS and (self.text or self.keyboard):
            raise ValueError(f"a {kind} carries no text or buttons")

    def _check_source(self) -> None:
        if self.kind is Kind.COPY and (self.from_chat_id is None or self.message_id is None):
            raise ValueError("a copy needs from_chat_id and message_id")
        if self.kind is Kind.DOCUMENT:
            if (self.document is None) == (self.file_id is None):
                raise ValueError("a document needs exactly one of document bytes or file_id")
            if self.document is not None and not self.filename:
                raise ValueError("document bytes need a filename")
            if self.filename is not None and len(self.filename) > MAX_FILENAME:
                raise ValueError("filename too long")
        if self.kind in (Kind.PHOTO, Kind.VIDEO) and not self.file_id:
            raise ValueError(f"a {self.kind} is sent by its file_id")

    def _check_keys(self) -> None:
        for name, limit in (
            ("dedupe_key", KEY_LENGTH),
            ("group_key", KEY_LENGTH),
            ("target_ref", KEY_LENGTH),
            ("thread_key", THREAD_KEY_LENGTH),
        ):
            value = getattr(self, name)
            if value is not None and not 0 < len(value) <= limit:
                raise ValueError(f"{name} must be 1–{limit} characters")
        if self.not_before is not None and self.not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")

    def _check_references(self) -> None:
        """thread_key and target_ref where the kind uses them, and only there."""
        kind = self.kind
        if self.thread_key is not None and kind not in SENDING_KINDS | TOPIC_KINDS:
            raise ValueError(f"a {kind} acts on a message by its id: it takes no thread_key")
        if kind in TOPIC_KINDS:
            if self.thread_key is None:
                raise ValueError(f"{kind} needs the thread_key of its topic")
            if self.target_ref is not None:
                raise ValueError(f"{kind} takes no target_ref")
        if kind in EDITING_KINDS and self.target_ref is None:
            raise ValueError(f"{kind} needs the target_ref of the message it acts on")
        if kind in (Kind.REACTION, Kind.PIN):
            if (self.message_id is None) == (self.target_ref is None):
                raise ValueError(f"a {kind} needs exactly one of message_id or target_ref")
            if self.message_id is not None and self.message_id <= 0:
                raise ValueError("message_id must be positive")

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

    @classmethod
    def edit_text(
        cls,
        chat_id: int,
        target_ref: str,
        text: str,
        keyboard: Keyboard | None = None,
        *,
        category: Category,
        **options: Any,
    ) -> OutgoingMessage:
        """editMessageText of the message the row ``target_ref`` sent: new text and buttons
        (no keyboard removes them). An edit that changes nothing counts as delivered."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.EDIT_TEXT,
            target_ref=target_ref,
            text=text,
            keyboard=keyboard,
            **options,
        )

    @classmethod
    def edit_caption(
        cls,
        chat_id: int,
        target_ref: str,
        caption: str | None,
        keyboard: Keyboard | None = None,
        *,
        category: Category,
        **options: Any,
    ) -> OutgoingMessage:
        """editMessageCaption of the media message (a copy or a document) the row ``target_ref``
        sent: its new caption (None removes it) and buttons. An edit that changes nothing counts
        as delivered."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.EDIT_CAPTION,
            target_ref=target_ref,
            text=caption,
            keyboard=keyboard,
            **options,
        )

    @classmethod
    def delete(
        cls, chat_id: int, target_ref: str, *, category: Category, **options: Any
    ) -> OutgoingMessage:
        """deleteMessage of the message the row ``target_ref`` sent (Telegram allows it for 48
        hours); a message already gone counts as deleted."""
        return cls(
            chat_id=chat_id, category=category, kind=Kind.DELETE, target_ref=target_ref, **options
        )

    @classmethod
    def rename_topic(
        cls, chat_id: int, thread_key: str, name: str, *, category: Category, **options: Any
    ) -> OutgoingMessage:
        """editForumTopic: the topic's new name (1–128 characters, spaces collapsed)."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.RENAME_TOPIC,
            thread_key=thread_key,
            topic_name=name,
            **options,
        )

    @classmethod
    def close_topic(
        cls, chat_id: int, thread_key: str, *, category: Category, **options: Any
    ) -> OutgoingMessage:
        """closeForumTopic; a topic already closed counts as delivered."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.CLOSE_TOPIC,
            thread_key=thread_key,
            **options,
        )

    @classmethod
    def reopen_topic(
        cls, chat_id: int, thread_key: str, *, category: Category, **options: Any
    ) -> OutgoingMessage:
        """reopenForumTopic; a topic already open counts as delivered."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.REOPEN_TOPIC,
            thread_key=thread_key,
            **options,
        )

    @classmethod
    def reaction(
        cls,
        chat_id: int,
        emoji: str,
        *,
        category: Category,
        message_id: int | None = None,
        target_ref: str | None = None,
        **options: Any,
    ) -> OutgoingMessage:
        """setMessageReaction with one emoji of REACTION_EMOJI on a message: one the chat's
        person wrote (``message_id``), or one the bot sent through the outbox (``target_ref``).
        A new reaction replaces the bot's previous one on that message."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.REACTION,
            emoji=emoji,
            message_id=message_id,
            target_ref=target_ref,
            **options,
        )

    @classmethod
    def pin(
        cls,
        chat_id: int,
        target_ref: str | None = None,
        *,
        category: Category,
        message_id: int | None = None,
        silent: bool = True,
        **options: Any,
    ) -> OutgoingMessage:
        """pinChatMessage of the message the row ``target_ref`` sent (or of ``message_id``),
        without a notification unless ``silent=False``."""
        return cls(
            chat_id=chat_id,
            category=category,
            kind=Kind.PIN,
            target_ref=target_ref,
            message_id=message_id,
            silent=silent,
            **options,
        )

    def payload(self) -> dict[str, Any] | None:
        """The kind-specific values the outbox row keeps in its ``payload`` column."""
        if self.kind is Kind.RENAME_TOPIC:
            return {"name": self.topic_name}
        values: dict[str, Any] = {}
        if self.kind is Kind.REACTION:
            values["emoji"] = self.emoji
        if self.kind in (Kind.REACTION, Kind.PIN) and self.message_id is not None:
            values["message_id"] = self.message_id
        return values or None

    def stored_keyboard(self) -> dict[str, Any] | None:
        """The Bot API's InlineKeyboardMarkup as JSON, as the outbox row keeps it."""
        if not self.keyboard:
            return None
        return {"inline_keyboard": [[b.as_dict() for b in row] for row in self.keyboard]}
