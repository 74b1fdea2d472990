"""Simulated Telegram users that talk to the bot through the fake server.

Tests drive the bot by pushing updates (``await user.send("/start")``) and read what the bot did
from the server's transcript. Every sending method takes ``chat=`` (default: the user's private
chat with the bot; a group; or one topic of a forum, ``group.topic(12)``) and ``reply_to=``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.sandbox.content import kind_of, media_object, new_media_group_id
from bot.sandbox.errors import BLOCKED
from bot.sandbox.forum import chat_member, topic_placement
from bot.sandbox.groups import SimGroup
from bot.sandbox.html_check import utf16_len
from bot.sandbox.models import BotMessage, Button
from bot.sandbox.state import CallbackQueryState, ChatState
from bot.sandbox.views import ButtonMatcher, ChatView, Predicate, TopicView, describe

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

__all__ = [
    "ButtonMatcher",
    "ChatView",
    "Media",
    "Predicate",
    "SimGroup",
    "SimUser",
    "TopicView",
    "describe",
]

# Tiny payloads with the right magic bytes: the bot stores or forwards media, never decodes them.
FAKE_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
FAKE_OGG = b"OggS\x00\x02" + b"\x00" * 58
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 52
FAKE_MP3 = b"ID3\x04\x00" + b"\x00" * 59
FAKE_WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 48

_FOLDERS = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "video": "videos",
    "audio": "music",
    "sticker": "stickers",
}


@dataclass(frozen=True, slots=True)
class Media:
    """One file a user sends: alone or as part of an album (``user.send_album``)."""

    kind: str  # photo, video, document, audio, voice, sticker
    data: bytes
    filename: str
    mime_type: str
    duration: int | None = None

    @classmethod
    def photo(cls, data: bytes = FAKE_JPEG, filename: str = "photo.jpg") -> Media:
        return cls("photo", data, filename, "image/jpeg")

    @classmethod
    def video(cls, data: bytes = FAKE_MP4, filename: str = "video.mp4", duration: int = 5) -> Media:
        return cls("video", data, filename, "video/mp4", duration)

    @classmethod
    def document(
        cls, filename: str, data: bytes, mime_type: str = "application/octet-stream"
    ) -> Media:
        return cls("document", data, filename, mime_type)

    @classmethod
    def audio(cls, data: bytes = FAKE_MP3, filename: str = "song.mp3", duration: int = 30) -> Media:
        return cls("audio", data, filename, "audio/mpeg", duration)


class SimUser(ChatView):
    """A Telegram user with a private chat with the bot (chat id == user id)."""

    def __init__(self, server: FakeTelegramServer, info: dict[str, Any]) -> None:
        super().__init__(server, int(info["id"]))
        self.info = info
        self.id = int(info["id"])
        self._queries: list[str] = []

    # ------------------------------------------------------------- sending

    async def send(
        self, text: str, *, chat: ChatView | None = None, reply_to: int | None = None
    ) -> int:
        """Send a text message (to the bot, or in ``chat``); returns its message_id."""
        return self._post(_text_content(text), chat, reply_to)

    async def send_in(self, group: ChatView, text: str) -> int:
        return await self.send(text, chat=group)

    async def send_photo(
        self,
        caption: str | None = None,
        data: bytes = FAKE_JPEG,
        *,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> int:
        return self._post_media(Media.photo(data), caption, chat, reply_to)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        *,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> int:
        return self._post_media(Media.document(filename, data, mime_type), caption, chat, reply_to)

    async def send_voice(
        self,
        data: bytes = FAKE_OGG,
        duration: int = 3,
        caption: str | None = None,
        *,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> int:
        voice = Media("voice", data, "voice.ogg", "audio/ogg", duration)
        return self._post_media(voice, caption, chat, reply_to)

    async def send_video(
        self,
        caption: str | None = None,
        data: bytes = FAKE_MP4,
        *,
        duration: int = 5,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> int:
        return self._post_media(Media.video(data, duration=duration), caption, chat, reply_to)

    async def send_audio(
        self,
        data: bytes = FAKE_MP3,
        filename: str = "song.mp3",
        caption: str | None = None,
        *,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> int:
        return self._post_media(Media.audio(data, filename), caption, chat, reply_to)

    async def send_sticker(
        self, emoji: str = "👍", *, chat: ChatView | None = None, reply_to: int | None = None
    ) -> int:
        stored = self.server.store_file(FAKE_WEBP, "sticker.webp", "image/webp", "stickers")
        content = {"sticker": media_object("sticker", stored, emoji=emoji)}
        return self._post(content, chat, reply_to)

    async def send_album(
        self,
        items: Sequence[Media],
        caption: str | None = None,
        *,
        chat: ChatView | None = None,
        reply_to: int | None = None,
    ) -> list[int]:
        """Several messages sharing one media_group_id, the caption on the first (as the apps
        do); aiogram sees them as separate updates."""
        if not 2 <= len(items) <= 10:
            raise ValueError("an album has 2 to 10 items")
        group_id = new_media_group_id()
        ids = []
        for index, item in enumerate(items):
            content = self._media_content(item, caption if index == 0 else None)
            content["media_group_id"] = group_id
            ids.append(self._post(content, chat, reply_to))
        return ids

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: ChatView | None = None,
    ) -> int:
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return self._post({"contact": contact}, chat, None)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: ChatView | None = None
    ) -> int:
        return self._post({"location": {"latitude": latitude, "longitude": longitude}}, chat, None)

    async def send_poll(
        self,
        question: str,
        options: Sequence[str],
        *,
        anonymous: bool = True,
        chat: ChatView | None = None,
    ) -> int:
        poll_id = str(5_000_000_000 + self.server.next_id())
        poll = {
            "id": poll_id,
            "question": question,
            "options": [
                {"persistent_id": f"{poll_id}-{i}", "text": text, "voter_count": 0}
                for i, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": anonymous,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._post({"poll": poll}, chat, None)

    async def send_forwarded(
        self,
        text: str,
        origin: SimUser | ChatView | str,
        *,
        date: int | None = None,
        chat: ChatView | None = None,
    ) -> int:
        """Forward a text from ``origin``: another user, a group or channel (a ChatView), or a
        name string for a user who hides their account in forwards."""
        when = date if date is not None else self.server.now() - 3600
        forward: dict[str, Any]
        if isinstance(origin, SimUser):
            forward = {"type": "user", "sender_user": origin.info, "date": when}
        elif isinstance(origin, str):
            forward = {"type": "hidden_user", "sender_user_name": origin, "date": when}
        elif origin.state.chat.get("type") == "channel":
            forward = {"type": "channel", "chat": origin.state.chat, "message_id": 1, "date": when}
        else:
            forward = {"type": "chat", "sender_chat": origin.state.chat, "date": when}
        content = {**_text_content(text), "forward_origin": forward}
        content.pop("entities", None)  # a forwarded "/command" is not a command
        return self._post(content, chat, None)

    async def share_users(
        self, users: Sequence[SimUser | int], *, request_id: int | None = None
    ) -> int:
        """Pick users with a reply keyboard's request_users button (the newest one, or the one
        with ``request_id``): the bot gets a users_shared message."""
        button = self._request_users_button(request_id)
        request = button["request_users"]
        limit = int(request.get("max_quantity") or 1)
        if not 1 <= len(users) <= limit:
            raise AssertionError(
                f"the button lets a user pick 1 to {limit} users, not {len(users)}"
            )
        shared = []
        for user in users:
            info = user.info if isinstance(user, SimUser) else self.server.known_user(user)
            uid = user.id if isinstance(user, SimUser) else int(user)
            entry: dict[str, Any] = {"user_id": uid}
            if info is not None and request.get("request_name"):
                entry["first_name"] = info.get("first_name", "")
                if info.get("last_name"):
                    entry["last_name"] = info["last_name"]
            if info is not None and request.get("request_username") and info.get("username"):
                entry["username"] = info["username"]
            shared.append(entry)
        content = {"users_shared": {"request_id": request["request_id"], "users": shared}}
        return self._post(content, None, None)

    def _request_users_button(self, request_id: int | None) -> dict[str, Any]:
        rows = self.state.reply_keyboard_raw or []
        for row in reversed(rows):
            for button in reversed(row):
                request = button.get("request_users") if isinstance(button, dict) else None
                if request is not None and request_id in (None, request.get("request_id")):
                    return dict(button)
        raise AssertionError(
            f"no request_users button (request_id={request_id}) on the keyboard; "
            f"keyboard: {self.state.reply_keyboard}"
        )

    async def edit(self, message_id: int, text: str, *, chat: ChatView | None = None) -> None:
        """Edit one of this user's messages, its text or caption (an ``edited_message``)."""
        state = (chat or self).state
        old = state.messages.get(message_id)
        if old is None or old.from_bot or old.raw.get("from", {}).get("id") != self.id:
            raise AssertionError(f"user {self.id} has no message #{message_id} to edit")
        if old.kind == "text":
            raw = {k: v for k, v in old.raw.items() if k not in ("text", "entities")}
            raw.update(_text_content(text))
        else:
            raw = {k: v for k, v in old.raw.items() if k not in ("caption", "caption_entities")}
            if text:
                raw["caption"] = text
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

    async def react(
        self, message_id: int, emoji: str | None, *, chat: ChatView | None = None
    ) -> None:
        """Put a reaction on a message (None removes it): a message_reaction update, which
        Telegram only sends to bots that ask for it in allowed_updates."""
        state = (chat or self).state
        if message_id not in state.messages:
            raise AssertionError(f"no message #{message_id} in chat {state.id}")
        new = [{"type": "emoji", "emoji": emoji}] if emoji else []
        self.server.push_update(
            "message_reaction",
            {
                "chat": state.chat,
                "message_id": message_id,
                "user": self.info,
                "date": self.server.now(),
                "old_reaction": [],
                "new_reaction": new,
            },
        )

    def _media_content(self, media: Media, caption: str | None) -> dict[str, Any]:
        stored = self.server.store_file(
            media.data, media.filename, media.mime_type, _FOLDERS[media.kind]
        )
        content: dict[str, Any] = {
            media.kind: media_object(media.kind, stored, duration=media.duration)
        }
        if caption:
            content["caption"] = caption
        return content

    def _post_media(
        self, media: Media, caption: str | None, chat: ChatView | None, reply_to: int | None
    ) -> int:
        return self._post(self._media_content(media, caption), chat, reply_to)

    def _post(self, content: dict[str, Any], chat: ChatView | None, reply_to: int | None) -> int:
        view = chat or self
        state = view.state
        if state.id == self.id and state.blocked == BLOCKED:
            # Writing to a bot you blocked unblocks it, like in the Telegram apps.
            self._membership("kicked", "member")
        if not state.is_private and self.id not in state.members:
            state.members[self.id] = chat_member(self.info, "member")
        thread_id, target = self._destination(state, view.thread_id, reply_to)
        placement = topic_placement(state, thread_id, target)
        message_id = state.new_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": self.info,
            "chat": state.chat,
            "date": self.server.now(),
            **placement.fields,
            **content,
        }
        text = content.get("text", content.get("caption", ""))
        kind = kind_of(raw)
        message = BotMessage(message_id, state.id, kind, text, text, from_bot=False, raw=raw)
        state.add(replace(message, document=self.server.file_of(raw), thread_id=thread_id))
        self.server.push_update("message", raw)
        return message_id

    def _destination(
        self, state: ChatState, thread_id: int | None, reply_to: int | None
    ) -> tuple[int | None, BotMessage | None]:
        """The topic and the replied-to message of a new message; a person can't post where
        the Telegram apps would not let them."""
        target = None
        if reply_to is not None:
            target = state.messages.get(reply_to)
            if target is None:
                raise AssertionError(f"no message #{reply_to} to reply to in chat {state.id}")
            if not state.is_forum:
                thread_id = None
            elif thread_id is None:
                thread_id = target.thread_id
            elif target.thread_id != thread_id:
                raise AssertionError(f"message #{reply_to} is not in topic {thread_id}")
        if thread_id is None or not state.is_forum:
            return None, target
        topic = state.topics.get(thread_id)
        if topic is None:
            raise AssertionError(f"topic {thread_id} does not exist in chat {state.id}")
        member = state.members.get(self.id, {})
        if topic.closed and not (
            member.get("status") == "creator" or member.get("can_manage_topics")
        ):
            raise AssertionError(f"topic {thread_id} is closed: only admins can write in it")
        return thread_id, target

    # ------------------------------------------------------------- buttons

    async def press(
        self,
        button: ButtonMatcher,
        message: BotMessage | None = None,
        *,
        chat: ChatView | None = None,
    ) -> str:
        """Press an inline button: of ``message`` if given, else of the newest bot message with
        inline buttons in this chat (or in ``chat``, e.g. a group or a topic). ``button`` is a
        text (exact, then substring, then case-insensitive substring) or a predicate on Button.
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
        return [q.text for q in self.answered_queries if q.text]

    @property
    def answered_queries(self) -> list[CallbackQueryState]:
        """This user's answered button presses, in the order they were pressed."""
        queries = self.server.callback_queries
        return [queries[q] for q in self._queries if queries[q].answered]

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
        self.server.push_update(
            "my_chat_member",
            {
                "chat": self.state.chat,
                "from": self.info,
                "date": self.server.now(),
                "old_chat_member": chat_member(bot, old),
                "new_chat_member": chat_member(bot, new),
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
