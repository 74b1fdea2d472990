"""The enqueue API services use inside their own transaction.

    queued = await outbox.enqueue(session, OutgoingMessage.text_message(...), ...)

Rows become visible to the sender when the caller's transaction commits; the outbox wakes the
sender on that commit, so nothing waits for the next poll. ``wake()`` does the same by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery.messages import PRIORITY, Kind, OutgoingMessage
from db.repositories.outbox import NewOutboxRow, OutboxRepository


class Outbox:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._wake: Callable[[], None] | None = None

    def connect_sender(self, wake: Callable[[], None] | None) -> None:
        """Called by the sender in this process; ``None`` disconnects it."""
        self._wake = wake

    def wake(self) -> None:
        """Let the sender look at the queue now instead of at its next poll."""
        if self._wake is not None:
            self._wake()

    async def enqueue(self, session: AsyncSession, *messages: OutgoingMessage) -> int:
        """Queue messages in the caller's transaction; returns how many were newly queued.

        Left out: messages whose ``dedupe_key`` was queued before (in any state), and messages
        to users marked unreachable (they blocked the bot or deleted their account).
        """
        if not messages:
            return 0
        repository = OutboxRepository(session)
        unreachable = await repository.unreachable_among(m.chat_id for m in messages)
        now = self._clock.now()
        rows = [self._row(m, now) for m in messages if m.chat_id not in unreachable]
        queued = await repository.insert(rows, now) if rows else 0
        if queued:
            self._wake_after_commit(session)
        return queued

    async def cancel_pending(
        self,
        session: AsyncSession,
        *,
        group_key: str | None = None,
        group_prefix: str | None = None,
        dedupe_prefix: str | None = None,
        chat_id: int | None = None,
        release_keys: bool = False,
    ) -> int:
        """Cancel messages not yet sent that match every given filter; returns how many.

        e.g. ``cancel_pending(session, group_key="event:42")`` when event 42 is cancelled.
        ``release_keys=True`` frees their dedupe keys for re-queueing (an event moved in time).
        A message being sent at this very moment is not stopped.
        """
        return await OutboxRepository(session).cancel_pending(
            group_key=group_key,
            group_prefix=group_prefix,
            dedupe_prefix=dedupe_prefix,
            chat_id=chat_id,
            release_keys=release_keys,
        )

    async def progress(self, session: AsyncSession, group_key: str) -> dict[str, int]:
        """Rows per state for a group, e.g. a broadcast's ``{"sent": 950, "pending": 50}``."""
        return await OutboxRepository(session).count_by_state(group_key=group_key)

    def _row(self, message: OutgoingMessage, now: datetime) -> NewOutboxRow:
        return NewOutboxRow(
            chat_id=message.chat_id,
            kind=str(message.kind),
            category=str(message.category),
            priority=PRIORITY[message.category],
            not_before=message.not_before or now,
            text=message.text,
            reply_markup=message.stored_keyboard(),
            silent=message.silent,
            from_chat_id=message.from_chat_id,
            source_message_id=message.message_id if message.kind is Kind.COPY else None,
            document_data=message.document,
            document_file_id=message.file_id,
            filename=message.filename,
            dedupe_key=message.dedupe_key,
            group_key=message.group_key,
            thread_key=message.thread_key,
            target_ref=message.target_ref,
            payload=message.payload(),
        )

    def _wake_after_commit(self, session: AsyncSession) -> None:
        target = session.sync_session
        if not event.contains(target, "after_commit", self._after_commit):
            event.listen(target, "after_commit", self._after_commit)

    def _after_commit(self, _session: Session) -> None:
        self.wake()
