"""Per-chat state of the fake server: the transcript and who is waiting for it to change."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.sandbox.models import BotMessage


@dataclass(slots=True)
class ChatEvent:
    kind: str  # "new", "edit" or "delete"
    message: BotMessage


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str
    mime_type: str


# Telegram's six forum topic colours (createForumTopic's icon_color).
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


@dataclass(slots=True)
class ForumTopicState:
    """A topic of a forum supergroup; its id is the id of its "topic created" service message."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    created_by_bot: bool = False
    closed: bool = False

    def as_forum_topic(self) -> dict[str, Any]:
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass(slots=True)
class ChatState:
    """One chat. ``messages`` holds the current state of every message (user's and bot's);
    ``events`` is the append-only history the simulated users read with cursors."""

    id: int
    chat: dict[str, Any]
    messages: dict[int, BotMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    next_message_id: int = 1
    blocked: str | None = None  # the 403 description when the user blocked the bot
    actions: list[str] = field(default_factory=list)
    menu_button: dict[str, Any] | None = None
    reply_keyboard: list[list[str]] | None = None  # what the user's keyboard shows now
    reply_keyboard_raw: list[list[Any]] | None = None  # the same, with request_users etc.
    # Groups: the bot's ChatMember object and the members' (user id -> ChatMember).
    bot_member: dict[str, Any] | None = None
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    topics: dict[int, ForumTopicState] = field(default_factory=dict)
    deleted_topics: set[int] = field(default_factory=set)
    general: dict[str, Any] = field(
        default_factory=lambda: {"name": "General", "closed": False, "hidden": False}
    )
    pinned: list[int] = field(default_factory=list)  # message ids, the newest pin last
    # The bot's own reactions, message id -> ReactionType list (what setMessageReaction set).
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    _waiter: asyncio.Event | None = None

    @property
    def is_private(self) -> bool:
        return bool(self.chat["type"] == "private")

    @property
    def is_forum(self) -> bool:
        return bool(self.chat.get("is_forum"))

    def bot_can(self, right: str) -> bool:
        """Whether the bot holds an administrator right (``can_pin_messages``...) here."""
        member = self.bot_member
        if member is None:
            return False
        return member["status"] == "creator" or bool(member.get(right))

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def add(self, message: BotMessage) -> None:
        self.messages[message.message_id] = message
        if message.from_bot and message.kind != "service":
            self.events.append(ChatEvent("new", message))
            self.notify()

    def replace(self, message: BotMessage) -> None:
        self.messages[message.message_id] = message
        self.events.append(ChatEvent("edit", message))
        self.notify()

    def delete(self, message_id: int) -> BotMessage | None:
        message = self.messages.pop(message_id, None)
        if message is not None and message.from_bot and message.kind != "service":
            self.events.append(ChatEvent("delete", message))
            self.notify()
        return message

    def bot_messages(self, thread_id: int | Literal["any"] | None = "any") -> list[BotMessage]:
        """What the bot posted (service messages aside), in all topics or in one of them
        (``None`` = the General topic of a forum, or the chat of a non-forum)."""
        return [
            m
            for m in self.messages.values()
            if m.from_bot
            and m.kind != "service"
            and (thread_id == "any" or m.thread_id == thread_id)
        ]

    def notify(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set()

    def changed(self) -> asyncio.Event:
        """An event set at the next change; created lazily so 10,000 idle chats cost nothing."""
        if self._waiter is None:
            self._waiter = asyncio.Event()
        return self._waiter


def parse_reply_keyboard(markup: dict[str, Any] | None) -> list[list[str]] | None:
    if not markup or "keyboard" not in markup:
        return None
    return [
        [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
        for row in markup["keyboard"]
    ]


@dataclass(slots=True)
class CallbackQueryState:
    """A button press waiting for answerCallbackQuery (the spinner the user sees)."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float = 0.0  # on the server's clock; Telegram refuses answers after 15 s
    answered: bool = False
    text: str = ""
    show_alert: bool = False
    url: str | None = None

    def answer(self, text: str, show_alert: bool, url: str | None) -> None:
        self.answered = True
        self.text = text
        self.show_alert = show_alert
        self.url = url
