"""The queue board: waiting questions oldest first with their age in working hours, and each
consultant's load. Pinned in the consultants' group's General topic and edited when what it
shows changes (the desk job checks every minute); in private mode, /queue shows the same."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.delivery.messages import Category, MessageContent, OutgoingMessage
from bot.services.desk.relay import BOARD_KEY
from bot.services.desk.tickets import DeskBase
from db.repositories.desk import ConsultantLoad, TicketDTO
from db.repositories.outbox import OutboxRepository


@dataclass(frozen=True, slots=True)
class Queue:
    waiting: list[tuple[TicketDTO, float]]  # with the working hours each has waited
    loads: list[ConsultantLoad]


def digest(content: MessageContent) -> str:
    return hashlib.sha256(repr((content.text, content.keyboard)).encode()).hexdigest()[:16]


class QueueBoard(DeskBase):
    async def snapshot(self) -> Queue:
        now, hours = self.now, self._ctx.hours
        waiting = [
            (t, hours.working_time_between(t.submitted_at or now, now).total_seconds() / 3600)
            for t in await self._tickets.waiting()
        ]
        return Queue(waiting, await self._consultants.loads())

    async def content(self) -> MessageContent:
        queue = await self.snapshot()
        return self._ctx.texts.board(queue.waiting, queue.loads)

    async def publish(self, last_digest: str | None) -> str | None:
        """Queue the board (the first time: posted and pinned; later: edited) unless it shows
        what it showed; returns what it shows now. Nothing without a group."""
        group = self._ctx.workspace.group_id
        if group is None:
            return None
        content = await self.content()
        shown = digest(content)
        if shown == last_digest:
            return shown
        key = BOARD_KEY.format(chat=group)
        if await OutboxRepository(self._session).target_of(key) is None:
            # The first board ever: posted and pinned (its dedupe keys make that happen once).
            await self._send(
                OutgoingMessage.text_message(
                    group,
                    content.text,
                    keyboard=content.keyboard,
                    category=Category.NOTICE,
                    silent=True,
                    dedupe_key=key,
                    group_key=key,
                ),
                OutgoingMessage.pin(
                    group, target_ref=key, category=Category.NOTICE, dedupe_key=f"{key}:pin"
                ),
            )
            return shown
        await self._send(
            OutgoingMessage.edit_text(
                group,
                target_ref=key,
                text=content.text,
                keyboard=content.keyboard,
                category=Category.NOTICE,
                dedupe_key=f"{key}:{shown}:{self.now.timestamp():.0f}",
                group_key=key,
            )
        )
        return shown
