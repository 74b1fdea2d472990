"""Where desk messages go: the outbox rows that carry a question to the consultants' workspace
and the answers back to the person.

Workspace: a forum supergroup (`CONSULTANTS_CHAT_ID`) with one topic per question — rows carry
the topic's `thread_key` and the sender resolves it (creating the topic on first use); or, without
a group, the consultants' private chats. Every row of a question has the group key
`ticket:<id>`, which is also how a consultant's reply to a copy finds its question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.delivery.messages import Category, MessageContent, OutgoingMessage
from db.repositories.desk import MessageDTO, TicketDTO

CARD_KEY = "desk:card:{ticket}"
# Kinds whose caption an edit can change (a sticker or a round video has none).
CAPTIONED_KINDS = frozenset({"photo", "document", "video", "audio", "voice", "animation"})
BOARD_KEY = "desk:board:{chat}"


def group_key(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def ticket_of_group_key(key: str | None) -> int | None:
    if key is None or not key.startswith("ticket:"):
        return None
    number = key.removeprefix("ticket:")
    return int(number) if number.isdigit() else None


def thread_key(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def ticket_of_thread_key(key: str) -> int | None:
    return ticket_of_group_key(key)


@dataclass(frozen=True, slots=True)
class Workspace:
    """The forum supergroup, or None for the consultants' private chats."""

    group_id: int | None

    @property
    def is_group(self) -> bool:
        return self.group_id is not None

    def card(self, ticket: TicketDTO, content: MessageContent) -> OutgoingMessage:
        assert self.group_id is not None
        return OutgoingMessage.text_message(
            self.group_id,
            content.text,
            category=Category.REPLY,
            keyboard=content.keyboard,
            thread_key=thread_key(ticket.id),
            dedupe_key=CARD_KEY.format(ticket=ticket.id),
            group_key=group_key(ticket.id),
        )

    def card_update(self, ticket: TicketDTO, content: MessageContent) -> OutgoingMessage:
        assert self.group_id is not None
        return OutgoingMessage.edit_text(
            self.group_id,
            target_ref=CARD_KEY.format(ticket=ticket.id),
            text=content.text,
            keyboard=content.keyboard,
            category=Category.REPLY,
            dedupe_key=f"desk:card:{ticket.id}:r{ticket.revision}",
            group_key=group_key(ticket.id),
        )

    def topic_rename(self, ticket: TicketDTO, name: str) -> OutgoingMessage:
        assert self.group_id is not None
        return OutgoingMessage.rename_topic(
            self.group_id,
            thread_key=thread_key(ticket.id),
            name=name,
            category=Category.REPLY,
            dedupe_key=f"desk:topic:{ticket.id}:r{ticket.revision}",
            group_key=group_key(ticket.id),
        )

    def copies(
        self, ticket: TicketDTO, messages: Iterable[MessageDTO], to: Sequence[int]
    ) -> list[OutgoingMessage]:
        """The person's messages, copied into the topic (or to each chat in `to`)."""
        chats = [self.group_id] if self.group_id is not None else list(to)
        return [
            OutgoingMessage.copy_message(
                chat,
                from_chat_id=message.chat_id,
                message_id=message.message_id,
                category=Category.REPLY,
                thread_key=thread_key(ticket.id) if self.group_id is not None else None,
                dedupe_key=f"desk:in:{message.id}:{chat}",
                group_key=group_key(ticket.id),
            )
            for message in messages
            if message.message_id is not None  # the person's messages always have one
            for chat in chats
        ]

    def copy_key(self, message: MessageDTO, chat: int) -> str:
        """The dedupe key of the row that copies `message` to `chat`."""
        return f"desk:in:{message.id}:{chat}"

    def copy_edit(
        self,
        ticket: TicketDTO,
        message: MessageDTO,
        html_text: str | None,
        copy_ref: str,
        chat: int,
        version: str,
    ) -> OutgoingMessage | None:
        """The copy in `chat` follows the person's edit (`html_text`: its new text or caption);
        None when Telegram cannot change such a copy (a sticker, a round video, a caption
        too long)."""
        options: dict[str, Any] = {
            "category": Category.REPLY,
            "dedupe_key": f"desk:edit:{message.id}:{chat}:{version}",
            "group_key": group_key(ticket.id),
        }
        try:
            if message.kind == "text" and html_text:
                return OutgoingMessage.edit_text(chat, copy_ref, text=html_text, **options)
            if message.kind in CAPTIONED_KINDS:
                return OutgoingMessage.edit_caption(
                    chat, copy_ref, caption=html_text or None, **options
                )
        except ValueError:
            return None  # over Telegram's limits: the note says it instead
        return None

    def edit_note(
        self,
        ticket: TicketDTO,
        message: MessageDTO,
        content: MessageContent,
        copy_ref: str,
        chat: int,
        version: str,
    ) -> OutgoingMessage:
        """A short note in reply to a copy that cannot be edited: what the person changed."""
        return OutgoingMessage.text_message(
            chat,
            content.text,
            category=Category.REPLY,
            thread_key=thread_key(ticket.id) if self.group_id is not None else None,
            target_ref=copy_ref,
            dedupe_key=f"desk:edit:{message.id}:{chat}:{version}",
            group_key=group_key(ticket.id),
        )

    def notice(
        self, ticket: TicketDTO, content: MessageContent, key: str, to: Sequence[int] = ()
    ) -> list[OutgoingMessage]:
        """A line for the consultants: in the question's topic, or to each chat in `to`."""
        chats = [self.group_id] if self.group_id is not None else list(to)
        return [
            OutgoingMessage.text_message(
                chat,
                content.text,
                category=Category.REPLY,
                keyboard=content.keyboard,
                thread_key=thread_key(ticket.id) if self.group_id is not None else None,
                dedupe_key=f"desk:{key}:{ticket.id}:{chat}",
                group_key=group_key(ticket.id),
            )
            for chat in chats
        ]


def to_person(
    ticket: TicketDTO, content: MessageContent, key: str, *, category: Category = Category.REPLY
) -> OutgoingMessage:
    return OutgoingMessage.text_message(
        ticket.user_id,
        content.text,
        category=category,
        keyboard=content.keyboard,
        dedupe_key=f"desk:{key}",
        group_key=group_key(ticket.id),
    )
