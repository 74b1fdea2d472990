"""Service levels, checked every minute: a question no one took for SLA_UNCLAIMED working hours
goes to the admins; one taken but unanswered for SLA_ANSWER working hours reminds its owner,
and after as long again, the admins. Each step is recorded, so it is taken once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Category, OutgoingMessage
from bot.services.desk.model import Status
from bot.services.desk.relay import group_key
from bot.services.desk.tickets import DeskBase, DeskContext
from db.repositories.desk import TicketDTO, TicketRepository

log = logging.getLogger(__name__)


class ServiceLevels(DeskBase):
    async def check(self, ticket: TicketDTO, now: datetime) -> str | None:
        """Take the step this question is due for, if any; returns its name."""
        settings, hours = self._ctx.settings, self._ctx.hours
        if ticket.waiting_since is None:
            return None
        waited = hours.working_time_between(ticket.waiting_since, now)
        unclaimed = timedelta(hours=settings.sla_unclaimed)
        answer = timedelta(hours=settings.sla_answer)
        if ticket.status == Status.WAITING and ticket.escalated_unclaimed_at is None:
            if waited >= unclaimed:
                await self._to_admins(ticket, "escalated_unclaimed", waited)
                await self._tickets.update(ticket.id, {"escalated_unclaimed_at": now})
                return "escalated_unclaimed"
        elif ticket.status == Status.IN_PROGRESS and ticket.owner_id is not None:
            if ticket.owner_reminded_at is None and waited >= answer:
                await self._to_owner(ticket, waited)
                await self._tickets.update(ticket.id, {"owner_reminded_at": now})
                return "owner_reminded"
            if ticket.escalated_unanswered_at is None and waited >= 2 * answer:
                await self._to_admins(ticket, "escalated_unanswered", waited)
                await self._tickets.update(ticket.id, {"escalated_unanswered_at": now})
                return "escalated_unanswered"
        return None

    async def _to_admins(self, ticket: TicketDTO, event: str, waited: timedelta) -> None:
        content = self._ctx.texts.event(ticket, event, hours=waited.total_seconds() / 3600)
        await self._send(
            *(
                OutgoingMessage.text_message(
                    admin,
                    content.text,
                    category=Category.NOTICE,
                    keyboard=content.keyboard,
                    dedupe_key=f"desk:{event}:{ticket.id}:{admin}",
                    group_key=group_key(ticket.id),
                )
                for admin in sorted(self._ctx.settings.admin_ids)
            )
        )

    async def _to_owner(self, ticket: TicketDTO, waited: timedelta) -> None:
        assert ticket.owner_id is not None
        content = self._ctx.texts.event(
            ticket, "owner_reminder", hours=waited.total_seconds() / 3600
        )
        await self._send(
            OutgoingMessage.text_message(
                ticket.owner_id,
                content.text,
                category=Category.NOTICE,
                keyboard=content.keyboard,
                dedupe_key=f"desk:owner_reminder:{ticket.id}:{ticket.revision}",
                group_key=group_key(ticket.id),
            )
        )


async def run_service_levels(
    sessionmaker: async_sessionmaker[AsyncSession], context: DeskContext
) -> int:
    """One pass over the questions whose person waits; each question its own transaction."""
    now = context.clock.now()
    async with sessionmaker() as session:
        candidates = [t.id for t in await TicketRepository(session).waiting_for_desk()]
    steps = 0
    for ticket_id in candidates:
        try:
            async with sessionmaker() as session, session.begin():
                ticket = await TicketRepository(session).get(ticket_id, for_update=True)
                if ticket is not None and await ServiceLevels(session, context).check(ticket, now):
                    steps += 1
        except Exception:
            log.exception("service levels of question %s failed; the next pass retries", ticket_id)
    if steps:
        context.outbox.wake()
    return steps
