"""Per-chat state of the fake server: the transcript and who is waiting for it to change."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

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
    _waiter: asyncio.Event | None = None

    @property
    def is_private(self) -> bool:
        return bool(self.chat["type"] == "private")

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def add(self, message: BotMessage) -> None:
        self.messages[message.message_id] = message
        if message.from_bot:
            self.events.append(ChatEvent("new", message))
            self.notify()

    def replace(self, message: BotMessage) -> None:
        self.messages[message.message_id] = message
        self.events.append(ChatEvent("edit", message))
        self.notify()

    def delete(self, message_id: int) -> BotMessage | None:
        message = self.messages.pop(message_id, None)
        if message is not None and message.from_bot:
            self.events.append(ChatEvent("delete", message))
            self.notify()
        return message

    def bot_messages(self) -> list[BotMessage]:
        return [m for m in self.messages.values() if m.from_bot]

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
    answered: bool = False
    text: str = ""
    show_alert: bool = False
    url: str | None = None

    def answer(self, text: str, show_alert: bool, url: str | None) -> None:
        self.answered = True
        self.text = text
        self.show_alert = show_alert
        self.url = url
