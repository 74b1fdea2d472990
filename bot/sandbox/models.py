"""Plain data objects shared by the fake server and the simulated users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A file the bot sent (document or photo), with its bytes."""

    filename: str
    data: bytes
    mime_type: str
    file_id: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class BotMessage:
    """Snapshot of a message in a chat transcript; edits produce a new snapshot."""

    message_id: int
    chat_id: int
    # text, photo, document, voice, video, audio, sticker, contact, location, poll, users_shared,
    # or service (topic created, message pinned... kept out of transcripts)
    kind: str
    text: str  # plain text (or caption) after entity parsing
    html: str  # text (or caption) exactly as the bot sent it
    reply_keyboard: list[list[str]] | None = None
    remove_keyboard: bool = False
    document: DocumentInfo | None = None  # the file of any media message
    edited: bool = False
    from_bot: bool = True
    thread_id: int | None = None  # the forum topic (message_thread_id), None for General
    # The Message object as Telegram returned it; buttons and entities are read from it rather
    # than stored twice, which keeps benchmarks with 10,000s of messages light on the GC.
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[list[Button]]:
        markup = self.raw.get("reply_markup")
        if not markup or "inline_keyboard" not in markup:
            return []
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in markup["inline_keyboard"]
        ]

    @property
    def entities(self) -> list[dict[str, Any]]:
        raw = self.raw
        return list(raw.get("entities") or raw.get("caption_entities") or ())

    @property
    def has_buttons(self) -> bool:
        markup = self.raw.get("reply_markup")
        return bool(markup and any(markup.get("inline_keyboard", ())))

    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    @property
    def media_group_id(self) -> str | None:
        value = self.raw.get("media_group_id")
        return str(value) if value is not None else None

    @property
    def reply_to_message_id(self) -> int | None:
        """The message this one explicitly replies to (not a topic's root)."""
        reply = self.raw.get("reply_to_message")
        if not reply or reply.get("forum_topic_created") is not None:
            return None
        return int(reply["message_id"])


@dataclass(frozen=True, slots=True)
class Call:
    """One request the bot made, for assertions in tests."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None
