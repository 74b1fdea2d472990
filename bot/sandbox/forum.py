"""Where a message lands: forum topics, replies, and the members and rights of group chats.

Telegram's behaviour reproduced here (Bot API server and TDLib sources):
- in a forum, ``message_thread_id`` must name a live topic ("message thread not found" for a
  deleted or unknown one, and for 1, the General topic, which is addressed by omitting it);
  outside forums it is ignored;
- a message in a topic carries ``message_thread_id``, ``is_topic_message`` and, unless it replies
  to something else, ``reply_to_message`` = the topic's "topic created" service message;
- a reply without ``message_thread_id`` lands in the topic of the message it replies to;
- a closed topic takes messages only from admins with can_manage_topics or the topic's creator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad_request
from bot.sandbox.models import BotMessage
from bot.sandbox.state import ChatState

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

GENERAL_TOPIC_ID = 1
THREAD_NOT_FOUND = "message thread not found"

# ChatAdministratorRights as a bot is usually promoted: everything but promoting others.
ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
    # Bot API 10.3 (aiogram 3.31 requires it; newer than the bundled spec).
    "can_send_welcome_messages": False,
}


def chat_member(user: dict[str, Any], status: str, **rights: bool) -> dict[str, Any]:
    """A ChatMember object: creator, administrator (with rights), member, left or kicked."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(f"unknown administrator rights: {sorted(unknown)}")
        member.update(can_be_edited=False, is_anonymous=False, **{**ADMIN_RIGHTS, **rights})
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass(slots=True)
class Placement:
    """Where a new message goes: its topic and the reply fields of its Message object."""

    thread_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


def _message_ref(message: BotMessage) -> dict[str, Any]:
    """A message as embedded in reply_to_message (which never nests another reply)."""
    return {k: v for k, v in message.raw.items() if k != "reply_to_message"}


def check_thread(chat: ChatState, thread_id: int | None) -> int | None:
    """The topic a message with ``message_thread_id`` goes to, or Telegram's refusal."""
    if thread_id is None:
        return None
    if chat.is_private:
        raise bad_request(THREAD_NOT_FOUND)  # the user has no topics in the chat with the bot
    if not chat.is_forum:
        return None  # ignored outside forums, like the Bot API server does
    topic = chat.topics.get(thread_id)
    if thread_id == GENERAL_TOPIC_ID or topic is None:
        raise bad_request(THREAD_NOT_FOUND)
    if topic.closed and not (topic.created_by_bot or chat.bot_can("can_manage_topics")):
        raise bad_request("TOPIC_CLOSED")
    return thread_id


def place(chat: ChatState, params: dict[str, Any]) -> Placement:
    """Thread and reply of a message the bot sends with ``params``."""
    thread_id = check_thread(chat, params.get("message_thread_id"))
    reply = params.get("reply_parameters") or {}
    reply_id = reply.get("message_id", params.get("reply_to_message_id"))
    target: BotMessage | None = None
    same_chat = reply.get("chat_id", chat.id) in (chat.id, f"@{chat.chat.get('username')}")
    if reply_id is not None and same_chat:
        target = chat.messages.get(reply_id)
        if target is not None and thread_id is not None and target.thread_id != thread_id:
            target = None  # a reply across topics finds nothing
        if target is None and not (
            reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply")
        ):
            raise bad_request("message to be replied not found")
        if target is not None and chat.is_forum and thread_id is None:
            thread_id = check_thread(chat, target.thread_id)
    general_closed = chat.is_forum and chat.general["closed"]
    if thread_id is None and general_closed and not chat.bot_can("can_manage_topics"):
        raise bad_request("TOPIC_CLOSED")
    return topic_placement(chat, thread_id, target)


def topic_placement(
    chat: ChatState, thread_id: int | None, reply_to: BotMessage | None
) -> Placement:
    fields: dict[str, Any] = {}
    if thread_id is not None:
        fields["message_thread_id"] = thread_id
        fields["is_topic_message"] = True
        root = chat.messages.get(thread_id)
        if reply_to is None and root is not None:
            reply_to = root
    if reply_to is not None:
        fields["reply_to_message"] = _message_ref(reply_to)
    return Placement(thread_id, fields)


def require_forum(chat: ChatState) -> None:
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")


def service_message(
    server: FakeTelegramServer,
    chat: ChatState,
    sender: dict[str, Any],
    content: dict[str, Any],
    *,
    thread_id: int | None = None,
    from_bot: bool = True,
    message_id: int | None = None,
) -> dict[str, Any]:
    """Record a service message (topic created, message pinned...) and return its Message."""
    mid = message_id if message_id is not None else chat.new_message_id()
    raw: dict[str, Any] = {
        "message_id": mid,
        "from": sender,
        "chat": chat.chat,
        "date": server.now(),
    }
    if thread_id is not None:
        raw.update(message_thread_id=thread_id, is_topic_message=True)
        root = chat.messages.get(thread_id)
        if root is not None:
            raw["reply_to_message"] = _message_ref(root)
    raw.update(content)
    message = BotMessage(mid, chat.id, "service", "", "", from_bot=from_bot, raw=raw)
    chat.add(replace(message, thread_id=thread_id))
    return raw
