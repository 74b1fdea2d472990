"""Simulated Telegram users and groups that talk to the bot through the fake server.

Tests drive the bot by pushing updates (``await user.send("/start")``) and read what the bot did
from the server's transcript. Waiting is event-driven: every bot action in a chat wakes the
waiters of that chat, so tests never sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from bot.sandbox.errors import BLOCKED
from bot.sandbox.html_check import utf16_len
from bot.sandbox.models import BotMessage, Button
from bot.sandbox.state import CallbackQueryState, ChatState

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

T = TypeVar("T")
Predicate = Callable[[BotMessage], bool]
ButtonMatcher = str | Callable[[Button], bool]

# A tiny valid JPEG-ish payload: the bot only stores or forwards photos, never decodes them.
_FAKE_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"


def describe(message: BotMessage) -> str:
    """One readable line per message, for assertion errors."""
    parts = [f"#{message.message_id}"]
    if message.edited:
        parts.append("(edited)")
    if message.document is not None:
        parts.append(f"[{message.kind}: {message.document.filename}, {message.document.size} B]")
    parts.append(repr(message.text))
    for row in message.buttons:
        parts.append("| " + "  ".join(f"[{b.text}]" for b in row))
    if message.reply_keyboard:
        parts.append("| keyboard: " + " / ".join(", ".join(r) for r in message.reply_keyboard))
    return " ".join(parts)


class ChatView:
    """A chat as seen by a participant: the bot's messages plus a read cursor."""

    def __init__(self, server: FakeTelegramServer, chat_id: int) -> None:
        self.server = server
        self.chat_id = chat_id
        self._cursor = 0  # index into the chat's event history

    @property
    def state(self) -> ChatState:
        return self.server.chat(self.chat_id)

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages as they are now (edits applied, deleted ones gone)."""
        return self.state.bot_messages()

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

    def dump(self) -> str:
        lines = [describe(m) for m in self.messages]
        return "\n".join(lines) if lines else "(the bot has sent nothing in this chat)"

    def mark_read(self) -> None:
        """Move the cursor past everything so far; later waits see only newer activity."""
        self._cursor = len(self.state.events)

    def _scan(self, predicate: Predicate) -> BotMessage | None:
        events = self.state.events
        for index in range(self._cursor, len(events)):
            event = events[index]
            if event.kind != "delete" and predicate(event.message):
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
                    f"timed out after {seconds}s waiting for {what} in chat {self.chat_id}; "
                    f"transcript:\n{self.dump()}"
                )
            changed = self._changed_event()
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    def _changed_event(self) -> asyncio.Event:
        return self.state.changed()


class SimGroup(ChatView):
    """A group chat; users post into it with ``user.send_in(group, ...)``."""

    @property
    def chat(self) -> dict[str, Any]:
        return self.state.chat

    @property
    def title(self) -> str:
        return str(self.chat.get("title", ""))


class SimUser(ChatView):
    """A Telegram user with a private chat with the bot (chat id == user id)."""

    def __init__(self, server: FakeTelegramServer, info: dict[str, Any]) -> None:
        super().__init__(server, int(info["id"]))
        self.info = info
        self.id = int(info["id"])
        self._queries: list[str] = []

    # ------------------------------------------------------------- sending

    async def send(self, text: str) -> int:
        """Send a text message to the bot; returns its message_id."""
        return self._post(self.state, _text_content(text))

    async def send_in(self, group: SimGroup, text: str) -> int:
        return self._post(group.state, _text_content(text))

    async def send_sticker(self, emoji: str = "👍") -> int:
        stored = self.server.store_file(b"RIFF-sticker", "sticker.webp", "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(self.state, {"sticker": sticker}, kind="sticker")

    async def send_photo(self, caption: str | None = None, data: bytes = _FAKE_JPEG) -> int:
        from bot.sandbox.methods_messages import photo_sizes

        stored = self.server.store_file(data, "photo.jpg", "image/jpeg", "photos")
        content: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        return self._post(self.state, content, kind="photo")

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
    ) -> int:
        stored = self.server.store_file(data, filename, mime_type, "documents")
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption:
            content["caption"] = caption
        return self._post(self.state, content, kind="document")

    async def edit(self, message_id: int, text: str) -> None:
        """Edit one of this user's messages (an ``edited_message`` update)."""
        state = self.state
        old = state.messages.get(message_id)
        if old is None or old.from_bot:
            raise AssertionError(f"user {self.id} has no message #{message_id} to edit")
        raw = {k: v for k, v in old.raw.items() if k not in ("text", "entities")}
        raw.update(_text_content(text))
        raw["edit_date"] = self.server.now()
        state.messages[message_id] = replace(old, text=text, html=text, edited=True, raw=raw)
        self.server.push_update("edited_message", raw)

    async def tap(self, label: str) -> int:
        """Press a reply-keyboard button: sends its text, as Telegram clients do."""
        keyboard = self.reply_keyboard or []
        labels = [b for row in keyboard for b in row]
        chosen = next((b for b in labels if b == label), None) or next(
            (b for b in labels if label in b), None
        )
        if chosen is None:
            raise AssertionError(f"no reply keyboard button {label!r}; keyboard: {labels}")
        return await self.send(chosen)

    def _post(self, state: ChatState, content: dict[str, Any], kind: str = "text") -> int:
        if state.id == self.id and state.blocked == BLOCKED:
            # Writing to a bot you blocked unblocks it, like in the Telegram apps.
            self._membership("kicked", "member")
        message_id = state.new_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": self.info,
            "chat": state.chat,
            "date": self.server.now(),
            **content,
        }
        text = content.get("text", content.get("caption", ""))
        state.add(BotMessage(message_id, state.id, kind, text, text, from_bot=False, raw=raw))
        self.server.push_update("message", raw)
        return message_id

    # ------------------------------------------------------------- buttons

    async def press(
        self,
        button: ButtonMatcher,
        message: BotMessage | None = None,
        *,
        chat: ChatView | None = None,
    ) -> str:
        """Press an inline button: of ``message`` if given, else of the newest bot message with
        inline buttons in this chat (or in ``chat``, e.g. a group). ``button`` is a text (exact,
        then substring, then case-insensitive substring) or a predicate on Button.
        Returns the callback query id."""
        view = chat or self
        if message is not None:
            if chat is None and message.chat_id != self.chat_id:
                view = ChatView(self.server, message.chat_id)
            message = view.state.messages.get(message.message_id)
            candidates = [message] if message is not None else []
        else:
            candidates = [m for m in reversed(view.messages) if m.has_buttons]
        if not candidates:
            raise AssertionError(
                f"no message with inline buttons to press {button!r}; transcript:\n{view.dump()}"
            )
        for candidate in candidates:
            found = _match_button(candidate, button)
            if found is not None:
                if found.callback_data is None:
                    raise AssertionError(f"button {found.text!r} is not a callback button")
                return self._callback(view.state, candidate, found.callback_data)
            if message is None:
                break  # only the newest keyboard counts, like a user looking at the chat
        available = [[b.text for b in row] for row in candidates[0].buttons]
        raise AssertionError(
            f"no button matching {button!r} in message #{candidates[0].message_id}; "
            f"available buttons: {available}"
        )

    async def press_data(self, data: str, message_id: int, *, chat: ChatView | None = None) -> str:
        """Send arbitrary callback data as if from a button of ``message_id`` (forgery tests)."""
        state = (chat or self).state
        message = state.messages.get(message_id)
        if message is None:
            raise AssertionError(f"no message #{message_id} in chat {state.id}")
        return self._callback(state, message, data)

    def _callback(self, state: ChatState, message: BotMessage, data: str) -> str:
        query_id = self.server.new_callback_query(self.id, message, data)
        self._queries.append(query_id)
        self.server.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.info,
                "message": message.raw,
                "chat_instance": str(abs(state.id) * 7919 % 10**12),
                "data": data,
            },
        )
        return query_id

    def answer(self, query_id: str) -> CallbackQueryState:
        return self.server.callback_queries[query_id]

    async def wait_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackQueryState:
        """Wait until the bot answers the callback query (the spinner stops)."""
        query = self.server.callback_queries[query_id]
        return await self.wait_until(
            lambda: query if query.answered else None, timeout, f"answer to query {query_id}"
        )

    @property
    def alerts(self) -> list[str]:
        """Texts the bot showed for this user's button presses (toasts and alerts)."""
        queries = self.server.callback_queries
        return [queries[q].text for q in self._queries if queries[q].answered and queries[q].text]

    @property
    def unanswered_queries(self) -> list[str]:
        queries = self.server.callback_queries
        return [q for q in self._queries if not queries[q].answered]

    # ------------------------------------------------------------- membership

    def block_bot(self) -> None:
        self.server.block(self.id)
        self._membership("member", "kicked")

    def unblock_bot(self) -> None:
        self.server.unblock(self.id)
        self._membership("kicked", "member")

    def _membership(self, old: str, new: str) -> None:
        if new == "member":
            self.state.blocked = None
        bot = self.server.bot_user
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        self.server.push_update(
            "my_chat_member",
            {
                "chat": self.state.chat,
                "from": self.info,
                "date": self.server.now(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )


def _text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0] if text.strip() else text
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
    return content


def _match_button(message: BotMessage, matcher: ButtonMatcher) -> Button | None:
    buttons = [b for row in message.buttons for b in row]
    if callable(matcher):
        return next((b for b in buttons if matcher(b)), None)
    for test in (
        lambda b: b.text == matcher,
        lambda b: matcher in b.text,
        lambda b: matcher.casefold() in b.text.casefold(),
    ):
        found = next((b for b in buttons if test(b)), None)
        if found is not None:
            return found
    return None
