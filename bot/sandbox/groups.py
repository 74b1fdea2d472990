"""Group chats and forum supergroups: members, the bot's rights, topics made by people.

Members post with ``user.send(text, chat=group.topic(12))``; this module covers what the group
itself does: who is in it, what the bot may do there, and topics people open, close or delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.forum import chat_member, service_message
from bot.sandbox.methods_chats import remove_topic
from bot.sandbox.state import TOPIC_COLORS, ForumTopicState
from bot.sandbox.views import ChatView, TopicView

if TYPE_CHECKING:
    from bot.sandbox.client import SimUser

KICKED_FROM = {
    "supergroup": "bot was kicked from the supergroup chat",
    "group": "bot was kicked from the group chat",
}


class SimGroup(ChatView):
    """A group chat. Users post into it with ``user.send(text, chat=group)`` (or a topic)."""

    @property
    def chat(self) -> dict[str, Any]:
        return self.state.chat

    @property
    def title(self) -> str:
        return str(self.chat.get("title", ""))

    @property
    def is_forum(self) -> bool:
        return self.state.is_forum

    @property
    def pinned(self) -> list[int]:
        """Pinned message ids, the newest last."""
        return list(self.state.pinned)

    # ------------------------------------------------------------- topics

    @property
    def general(self) -> TopicView:
        return TopicView(self.server, self.chat_id, None)

    def topic(self, thread_id: int) -> TopicView:
        return TopicView(self.server, self.chat_id, thread_id)

    @property
    def topics(self) -> list[TopicView]:
        """The live topics, oldest first."""
        return [self.topic(t) for t in sorted(self.state.topics)]

    def find_topic(self, match: str | Callable[[ForumTopicState], bool]) -> TopicView | None:
        """The newest topic whose name contains ``match`` (or satisfies it)."""
        for thread_id in sorted(self.state.topics, reverse=True):
            topic = self.state.topics[thread_id]
            if match(topic) if callable(match) else match in topic.name:
                return self.topic(thread_id)
        return None

    async def wait_topic(
        self,
        match: str | Callable[[ForumTopicState], bool] = "",
        timeout: float = 5.0,  # noqa: ASYNC109 - same style as the other waits
    ) -> TopicView:
        """Wait until a topic matching ``match`` exists (the bot creates topics as it works)."""
        found = await self.server.wait_until(
            lambda: self.find_topic(match), timeout, f"a topic matching {match!r}"
        )
        return found

    def create_topic(
        self, name: str, by: SimUser, *, icon_color: int = TOPIC_COLORS[1]
    ) -> TopicView:
        """A person opens a topic: the bot receives the "topic created" service message."""
        state = self.state
        thread_id = state.new_message_id()
        state.topics[thread_id] = ForumTopicState(thread_id, name, icon_color)
        raw = service_message(
            self.server,
            state,
            by.info,
            {"forum_topic_created": {"name": name, "icon_color": icon_color}},
            thread_id=thread_id,
            from_bot=False,
            message_id=thread_id,
        )
        self.server.push_update("message", raw)
        return self.topic(thread_id)

    def close_topic(self, topic: TopicView | int, by: SimUser, *, closed: bool = True) -> None:
        """A person (an admin) closes a topic, or reopens it with ``closed=False``."""
        thread_id = topic.id if isinstance(topic, TopicView) else topic
        state = self.state.topics[thread_id]
        state.closed = closed
        field = "forum_topic_closed" if closed else "forum_topic_reopened"
        raw = service_message(
            self.server, self.state, by.info, {field: {}}, thread_id=thread_id, from_bot=False
        )
        self.server.push_update("message", raw)

    def delete_topic(self, topic: TopicView | int) -> None:
        """An admin deletes a topic by hand: its messages go, and Telegram tells the bot nothing;
        sends to it fail with "message thread not found" from now on."""
        remove_topic(self.state, topic.id if isinstance(topic, TopicView) else topic)

    # ------------------------------------------------------------- members and the bot

    def add_member(self, user: SimUser, status: str = "member", **rights: bool) -> None:
        """Make ``user`` a member ("member", "administrator" with ``rights``, "creator")."""
        self.state.members[user.id] = chat_member(user.info, status, **rights)

    def member_status(self, user_id: int) -> str:
        member = self.state.members.get(user_id)
        return str(member["status"]) if member else "left"

    def set_bot_rights(
        self, *, admin: bool = True, by: SimUser | None = None, **rights: bool
    ) -> None:
        """Promote or demote the bot (``can_manage_topics=False``...); the bot gets a
        my_chat_member update like on Telegram."""
        state = self.state
        old = state.bot_member or chat_member(self.server.bot_user, "member")
        new = (
            chat_member(self.server.bot_user, "administrator", **rights)
            if admin
            else chat_member(self.server.bot_user, "member")
        )
        state.bot_member = new
        state.blocked = None
        self._bot_membership(old, new, by)

    def remove_bot(self, by: SimUser | None = None) -> None:
        """Kick the bot: sends now fail with 403 "bot was kicked from the supergroup chat"."""
        state = self.state
        old = state.bot_member or chat_member(self.server.bot_user, "member")
        state.bot_member = chat_member(self.server.bot_user, "kicked")
        state.blocked = KICKED_FROM[state.chat["type"]]
        self._bot_membership(old, state.bot_member, by)

    def _bot_membership(self, old: dict[str, Any], new: dict[str, Any], by: SimUser | None) -> None:
        actor = by.info if by is not None else self._an_admin()
        self.server.push_update(
            "my_chat_member",
            {
                "chat": self.chat,
                "from": actor,
                "date": self.server.now(),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def _an_admin(self) -> dict[str, Any]:
        for member in self.state.members.values():
            if member["status"] in ("creator", "administrator"):
                return dict(member["user"])
        # Telegram's stand-in for an anonymous admin.
        return {
            "id": 1087968824,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
