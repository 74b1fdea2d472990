"""The consultants' forum topics, one per question: which topic a row goes to, a new one on
first use, and again if someone deleted it. The Telegram calls are made by the sender's
ThreadResolver (bot/desk_topics.py); this is what it asks and records, each in a short
transaction of its own (no database lock is held across a call to Telegram)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery.messages import MessageContent
from bot.services.desk.model import TicketNotFoundError
from bot.services.desk.relay import CARD_KEY
from bot.services.desk.tickets import DeskBase
from db.models.outbox import OutboxState
from db.repositories.outbox import OutboxRepository


@dataclass(frozen=True, slots=True)
class TopicPlan:
    ticket_id: int
    thread_id: int | None  # the topic, when it exists
    name: str  # to create it with
    # When re-creating a deleted topic, the card goes first into the new one (the first card
    # was delivered into the old topic); None when the card itself is yet to be sent.
    card: MessageContent | None


class WorkspaceTopics(DeskBase):
    async def plan(self, ticket_id: int) -> TopicPlan:
        ticket = await self._tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFoundError(ticket_id)
        owner = await self._owner_name(ticket)
        name = self._ctx.texts.topic_name(ticket, owner)
        card = None
        if ticket.thread_id is None:
            sent = await OutboxRepository(self._session).target_of(
                CARD_KEY.format(ticket=ticket_id)
            )
            if sent is not None and sent.state == OutboxState.SENT:
                card = await self._card(ticket, owner)
        return TopicPlan(ticket_id, ticket.thread_id, name, card)

    async def created(self, ticket_id: int, thread_id: int, card_message_id: int | None) -> None:
        await self._tickets.update(ticket_id, {"thread_id": thread_id})
        if card_message_id is not None:
            await OutboxRepository(self._session).repoint(
                CARD_KEY.format(ticket=ticket_id), card_message_id
            )

    async def lost(self, ticket_id: int) -> None:
        if await self._tickets.get(ticket_id) is not None:
            await self._tickets.update(ticket_id, {"thread_id": None})
