"""What the consultants learn from the outbox: an answer that could not reach the person (they
blocked the bot, or Telegram refused it) is told to the question's consultants, once per message.
Registered as a send observer (bot.delivery.outcomes) in the composition root."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import SENDING_KINDS
from bot.delivery.outcomes import RowSummary, SendOutcome
from bot.services.desk.relay import ticket_of_group_key
from bot.services.desk.tickets import DeskBase, DeskContext

log = logging.getLogger(__name__)


class UndeliveredAnswers(DeskBase):
    async def report(self, ticket_id: int, row: RowSummary, outcome: SendOutcome) -> None:
        ticket = await self._tickets.get(ticket_id)
        if ticket is None or row.chat_id != ticket.user_id:
            return  # a message to the staff, or a question forgotten meanwhile
        if outcome.unreachable:
            await self._tell_staff(ticket, "undeliverable", f"undelivered:{row.id}")
        else:
            reason = (outcome.reason or "")[:200]
            await self._tell_staff(ticket, "undelivered", f"undelivered:{row.id}", reason=reason)


class DeskDeliveryWatch:
    """The send observer: filters in memory, and opens a transaction only for a real problem."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], context: DeskContext):
        self._sessionmaker = sessionmaker
        self._context = context

    async def __call__(self, row: RowSummary, outcome: SendOutcome) -> None:
        if not outcome.final or outcome.delivered or not outcome.attempted:
            return  # rows skipped after a block were reported with the one that was tried
        if row.kind not in SENDING_KINDS:
            return
        ticket_id = ticket_of_group_key(row.group_key)
        if ticket_id is None:
            return
        async with self._sessionmaker() as session, session.begin():
            await UndeliveredAnswers(session, self._context).report(ticket_id, row, outcome)
        self._context.outbox.wake()
