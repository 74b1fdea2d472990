"""Chat-level methods of the fake server: forum topics, members and rights, pins, reactions.

Error texts are the Bot API server's (TDLib's messages with the first letter lowered, or the
Telegram server's upper-case codes such as TOPIC_NOT_MODIFIED).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.forum import chat_member, require_forum, service_message
from bot.sandbox.methods_messages import Handler
from bot.sandbox.state import TOPIC_COLORS, ChatState, ForumTopicState

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

MAX_TOPIC_NAME = 128  # longer names are cut, not refused
NO_PIN_RIGHTS = "not enough rights to manage pinned messages in the chat"
TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"


def _topic_name(value: Any) -> str:
    return " ".join(str(value or "").split())[:MAX_TOPIC_NAME]


def _forum(server: FakeTelegramServer, params: dict[str, Any]) -> ChatState:
    chat = server.target_chat(params["chat_id"])
    require_forum(chat)
    return chat


def _topic(chat: ChatState, thread_id: int) -> ForumTopicState:
    topic = chat.topics.get(thread_id)
    if topic is None:
        raise bad_request("TOPIC_ID_INVALID")
    return topic


def _may_manage(chat: ChatState, topic: ForumTopicState, refusal: str) -> None:
    if not (chat.bot_can("can_manage_topics") or topic.created_by_bot):
        raise bad_request(refusal)


def create_forum_topic(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = _forum(server, params)
    if not chat.bot_can("can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = _topic_name(params["name"])
    if not name:
        raise bad_request("name must be non-empty")
    color = params.get("icon_color", TOPIC_COLORS[0]) or TOPIC_COLORS[0]
    if not 0 <= color <= 0xFFFFFF:
        raise bad_request("invalid icon color specified")
    if color not in TOPIC_COLORS:
        raise ApiError(
            400,
            f"Bad Request: fake server: icon_color must be one of {TOPIC_COLORS}",
            violation=True,
        )
    thread_id = chat.new_message_id()
    topic = ForumTopicState(
        thread_id, name, color, params.get("icon_custom_emoji_id"), created_by_bot=True
    )
    chat.topics[thread_id] = topic
    created: dict[str, Any] = {"name": name, "icon_color": color}
    if topic.icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
    service_message(
        server,
        chat,
        server.bot_user,
        {"forum_topic_created": created},
        thread_id=thread_id,
        message_id=thread_id,
    )
    server.stats.topics_created += 1
    return topic.as_forum_topic()


def edit_forum_topic(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = _forum(server, params)
    topic = _topic(chat, params["message_thread_id"])
    _may_manage(chat, topic, "not enough rights to edit the topic")
    changes: dict[str, Any] = {}
    name = _topic_name(params.get("name"))
    if name and name != topic.name:
        changes["name"] = name
    if "icon_custom_emoji_id" in params:
        emoji = params["icon_custom_emoji_id"] or None
        if emoji != topic.icon_custom_emoji_id:
            changes["icon_custom_emoji_id"] = emoji or ""
    if not name and "icon_custom_emoji_id" not in params:
        return True  # nothing asked: TDLib answers without asking Telegram
    if not changes:
        raise bad_request(TOPIC_NOT_MODIFIED)
    topic.name = changes.get("name", topic.name)
    if "icon_custom_emoji_id" in changes:
        topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] or None
    service_message(
        server, chat, server.bot_user, {"forum_topic_edited": changes}, thread_id=topic.thread_id
    )
    return True


def _toggle_closed(closed: bool) -> Handler:
    def toggle(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
        chat = _forum(server, params)
        topic = _topic(chat, params["message_thread_id"])
        _may_manage(chat, topic, "not enough rights to close or open the topic")
        if topic.closed == closed:
            raise bad_request(TOPIC_NOT_MODIFIED)
        topic.closed = closed
        field = "forum_topic_closed" if closed else "forum_topic_reopened"
        service_message(server, chat, server.bot_user, {field: {}}, thread_id=topic.thread_id)
        return True

    return toggle


def delete_forum_topic(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = _forum(server, params)
    topic = _topic(chat, params["message_thread_id"])
    if not (chat.bot_can("can_delete_messages") or topic.created_by_bot):
        raise bad_request("not enough rights to delete the topic")
    remove_topic(chat, topic.thread_id)
    return True


def remove_topic(chat: ChatState, thread_id: int) -> None:
    """Delete a topic with its whole history, as Telegram does."""
    chat.topics.pop(thread_id, None)
    chat.deleted_topics.add(thread_id)
    for message_id in [m.message_id for m in chat.messages.values() if m.thread_id == thread_id]:
        chat.delete(message_id)
        chat.reactions.pop(message_id, None)
    chat.pinned = [m for m in chat.pinned if m in chat.messages]


def _general(edit: str) -> Handler:
    """editGeneralForumTopic, close/reopen/hide/unhide: the General topic's flags."""

    def handle(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
        chat = _forum(server, params)
        if not chat.bot_can("can_manage_topics"):
            raise bad_request(
                "not enough rights to edit the topic"
                if edit == "name"
                else "not enough rights to close or open the topic"
            )
        general = chat.general
        if edit == "name":
            name = _topic_name(params["name"])
            if not name:
                raise bad_request("name must be non-empty")
            changed, general["name"] = general["name"] != name, name
        else:
            key, value = {
                "close": ("closed", True),
                "reopen": ("closed", False),
                "hide": ("hidden", True),
                "unhide": ("hidden", False),
            }[edit]
            changed, general[key] = general[key] != value, value
        if not changed:
            raise bad_request(TOPIC_NOT_MODIFIED)
        return True

    return handle


def get_forum_topic_icon_stickers(
    server: FakeTelegramServer, params: dict[str, Any]
) -> list[dict[str, Any]]:
    return []


# ------------------------------------------------------------------ members and rights


def _member_of(server: FakeTelegramServer, chat: ChatState, user_id: int) -> dict[str, Any]:
    if user_id == server.bot_user["id"]:
        return chat.bot_member or chat_member(server.bot_user, "member")
    if chat.is_private:
        if user_id == chat.id:
            return chat_member(_user_object(server, user_id), "member")
        raise bad_request("user not found")
    member = chat.members.get(user_id)
    if member is not None:
        return member
    return chat_member(_user_object(server, user_id), "left")


def _user_object(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    user = server.known_user(user_id)
    if user is None:
        raise bad_request("user not found")
    return user


def get_chat_member(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.chat(params["chat_id"])
    return _member_of(server, chat, params["user_id"])


def get_chat_administrators(
    server: FakeTelegramServer, params: dict[str, Any]
) -> list[dict[str, Any]]:
    chat = server.chat(params["chat_id"])
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [m for m in chat.members.values() if m["status"] in ("creator", "administrator")]
    bot = chat.bot_member
    if bot is not None and bot["status"] in ("creator", "administrator"):
        admins.append(bot)
    return admins


def get_chat_member_count(server: FakeTelegramServer, params: dict[str, Any]) -> int:
    chat = server.chat(params["chat_id"])
    if chat.is_private:
        return 2
    present = [m for m in chat.members.values() if m["status"] not in ("left", "kicked")]
    return len(present) + 1


# ------------------------------------------------------------------ pins


def _pin_rights(chat: ChatState) -> None:
    if not chat.is_private and not chat.bot_can("can_pin_messages"):
        raise bad_request(NO_PIN_RIGHTS)


def pin_chat_message(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.target_chat(params["chat_id"])
    message = chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request("message to pin not found")
    _pin_rights(chat)
    if message.message_id in chat.pinned:
        chat.pinned.remove(message.message_id)
    chat.pinned.append(message.message_id)
    pinned = {k: v for k, v in message.raw.items() if k != "reply_to_message"}
    service_message(
        server, chat, server.bot_user, {"pinned_message": pinned}, thread_id=message.thread_id
    )
    return True


def unpin_chat_message(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.target_chat(params["chat_id"])
    message_id = params.get("message_id")
    if message_id is None:
        if not chat.pinned:
            raise bad_request("message to unpin not found")
        message_id = chat.pinned[-1]
    elif message_id not in chat.messages:
        raise bad_request("message to unpin not found")
    _pin_rights(chat)
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


def unpin_all_chat_messages(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.target_chat(params["chat_id"])
    _pin_rights(chat)
    chat.pinned.clear()
    return True


def _unpin_thread(general: bool) -> Handler:
    def handle(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
        chat = _forum(server, params)
        thread_id = None if general else params["message_thread_id"]
        if thread_id is not None:
            _topic(chat, thread_id)
        _pin_rights(chat)
        chat.pinned = [m for m in chat.pinned if chat.messages[m].thread_id != thread_id]
        return True

    return handle


# ------------------------------------------------------------------ reactions


def set_message_reaction(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.target_chat(params["chat_id"])
    message_id = params["message_id"]
    if message_id not in chat.messages:
        raise bad_request("message to react not found")
    reactions: list[dict[str, Any]] = params.get("reaction") or []
    for reaction in reactions:
        kind = reaction.get("type")
        if kind == "paid":
            raise bad_request("Can't parse ReactionType: invalid reaction type specified")
        # Custom emoji only where a chat's admins allowed them: never in the fake server's chats.
        if kind != "emoji" or reaction.get("emoji") not in server.spec.reaction_emoji:
            raise bad_request("REACTION_INVALID")
    if len(reactions) > 1:
        raise bad_request("REACTIONS_TOO_MANY")  # bots set at most one reaction
    if reactions:
        chat.reactions[message_id] = [dict(r) for r in reactions]
    else:
        chat.reactions.pop(message_id, None)
    server.stats.reactions += 1
    chat.notify()
    return True


HANDLERS: dict[str, Handler] = {
    "createForumTopic": create_forum_topic,
    "editForumTopic": edit_forum_topic,
    "closeForumTopic": _toggle_closed(True),
    "reopenForumTopic": _toggle_closed(False),
    "deleteForumTopic": delete_forum_topic,
    "unpinAllForumTopicMessages": _unpin_thread(general=False),
    "editGeneralForumTopic": _general("name"),
    "closeGeneralForumTopic": _general("close"),
    "reopenGeneralForumTopic": _general("reopen"),
    "hideGeneralForumTopic": _general("hide"),
    "unhideGeneralForumTopic": _general("unhide"),
    "unpinAllGeneralForumTopicMessages": _unpin_thread(general=True),
    "getForumTopicIconStickers": get_forum_topic_icon_stickers,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
    "unpinAllChatMessages": unpin_all_chat_messages,
    "setMessageReaction": set_message_reaction,
}
