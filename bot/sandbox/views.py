"""A chat, or one topic of a forum, as a participant sees it: the bot's messages and a cursor.

Waiting is event-driven: every bot action in a chat wakes the waiters of that chat, so tests
never sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.sandbox.models import BotMessage, Button
from bot.sandbox.state import ChatState

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

T = TypeVar("T")
Predicate = Callable[[BotMessage], bool]
ButtonMatcher = str | Callable[[Button], bool]
# Which messages a view shows: one topic (None = General) or the whole chat.
Thread = int | None | Literal["any"]


def describe(message: BotMessage) -> str:
    """One readable line per message, for assertion errors."""
    parts = [f"#{message.message_id}"]
    if message.thread_id is not None:
        parts.append(f"[topic {message.thread_id}]")
    if message.edited:
        parts.append("(edited)")
    if message.document is not None:
        parts.append(f"[{message.kind}: {message.document.filename}, {message.document.size} B]")
    elif message.kind != "text":
        parts.append(f"[{message.kind}]")
    parts.append(repr(message.text))
    for row in message.buttons:
        parts.append("| " + "  ".join(f"[{b.text}]" for b in row))
    if message.reply_keyboard:
        parts.append("| keyboard: " + " / ".join(", ".join(r) for r in message.reply_keyboard))
    return " ".join(parts)


class ChatView:
    """A chat as seen by a participant: the bot's messages plus a read cursor."""

    thread: Thread = "any"

    def __init__(self, server: FakeTelegramServer, chat_id: int) -> None:
        self.server = server
        self.chat_id = chat_id
        self._cursor = 0  # index into the chat's event history

    @property
    def state(self) -> ChatState:
        return self.server.chat(self.chat_id)

    @property
    def thread_id(self) -> int | None:
        """The topic new messages from this view go to (None: the chat itself or General)."""
        return None if self.thread == "any" else self.thread

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages as they are now (edits applied, deleted ones gone)."""
        return self.state.bot_messages(self.thread)

    @property
    def last(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        return self.state.reply_keyboard

    @property
    def chat_actions(self) -> list[str]:
        return self.state.actions

    def reactions(self, message_id: int) -> list[str]:
        """The emoji the bot set on a message of this chat (setMessageReaction)."""
        return self.server.reactions_on(self.chat_id, message_id)

    def dump(self) -> str:
        lines = [describe(m) for m in self.messages]
        return "\n".join(lines) if lines else "(the bot has sent nothing here)"

    def mark_read(self) -> None:
        """Move the cursor past everything so far; later waits see only newer activity."""
        self._cursor = len(self.state.events)

    def _shows(self, message: BotMessage) -> bool:
        return self.thread == "any" or message.thread_id == self.thread

    def _scan(self, predicate: Predicate) -> BotMessage | None:
        events = self.state.events
        for index in range(self._cursor, len(events)):
            event = events[index]
            if event.kind != "delete" and self._shows(event.message) and predicate(event.message):
                self._cursor = index + 1
                return event.message
        return None

    # The waits take ``timeout=`` on purpose: it reads best in tests and is part of the API the
    # other test suites use, so ASYNC109 (prefer asyncio.timeout) is silenced on each of them.
    async def wait_for(self, predicate: Predicate, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """First new or edited bot message after the cursor that satisfies ``predicate``."""
        return await self._wait(lambda: self._scan(predicate), timeout, "a matching message")

    async def next_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The next new message or edit since the last one read."""
        return await self._wait(lambda: self._scan(lambda _: True), timeout, "the next message")

    async def wait_text(self, fragment: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        return await self._wait(
            lambda: self._scan(lambda m: fragment in m.text), timeout, f"text {fragment!r}"
        )

    async def wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "condition",
    ) -> T:
        """Wait until ``check()`` returns something other than None (re-checked on activity)."""
        return await self._wait(check, timeout, what)

    def _where(self) -> str:
        return f"chat {self.chat_id}"

    async def _wait(self, check: Callable[[], T | None], seconds: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {seconds}s waiting for {what} in {self._where()}; "
                    f"transcript:\n{self.dump()}"
                )
            changed = self.state.changed()
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass


class TopicView(ChatView):
    """One topic of a forum supergroup (``thread_id`` None: the General topic)."""

    def __init__(self, server: FakeTelegramServer, chat_id: int, thread_id: int | None) -> None:
        super().__init__(server, chat_id)
        self.thread = thread_id

    @property
    def id(self) -> int:
        """The topic's message_thread_id (the General topic has none to send with)."""
        if self.thread_id is None:
            raise ValueError("the General topic is addressed by leaving message_thread_id out")
        return self.thread_id

    @property
    def name(self) -> str:
        if self.thread_id is None:
            return str(self.state.general["name"])
        topic = self.state.topics.get(self.thread_id)
        return topic.name if topic is not None else ""

    @property
    def exists(self) -> bool:
        return self.thread_id is None or self.thread_id in self.state.topics

    @property
    def closed(self) -> bool:
        if self.thread_id is None:
            return bool(self.state.general["closed"])
        topic = self.state.topics.get(self.thread_id)
        return topic is not None and topic.closed

    @property
    def icon_color(self) -> int | None:
        topic = self.state.topics.get(self.thread_id) if self.thread_id is not None else None
        return topic.icon_color if topic is not None else None

    def _where(self) -> str:
        topic = "General" if self.thread_id is None else f"#{self.thread_id} {self.name!r}"
        return f"topic {topic} of chat {self.chat_id}"
