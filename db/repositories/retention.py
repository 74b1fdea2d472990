"""Deleting what the bot no longer needs to keep, one small batch per call.

The caller runs each batch in its own short transaction, so SQLite's single write lock is held
for a few milliseconds at a time and the bot keeps answering while years of rows go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.faq import FaqSearchRecord
from db.models.outbox import OutboxMessage, OutboxState

# Rows in any other state (sent, failed, cancelled, skipped) are finished with. Written as
# NOT IN, which no index serves, so the planner walks the primary key instead of reading every
# finished row through the (state, not_before) index and sorting them for each batch.
UNFINISHED_STATES = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True, slots=True)
class PurgedBatch:
    deleted: int
    # Where the next batch goes on (the outbox is walked in id order, see purge_outbox).
    last_id: int


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def purge_outbox(self, before: datetime, *, after_id: int, limit: int) -> PurgedBatch:
        """Delete up to ``limit`` finished rows created before ``before`` with ids above
        ``after_id``.

        Walking the primary key (ids grow with ``created_at``) costs one pass over the table for
        the whole purge, where a filter on the unindexed ``created_at`` would rescan it for
        every batch; pending rows, however old, are never touched.
        """
        ids = list(
            (
                await self._session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.id > after_id,
                        OutboxMessage.state.not_in(UNFINISHED_STATES),
                        OutboxMessage.created_at < before,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            ).all()
        )
        if not ids:
            return PurgedBatch(0, after_id)
        await self._session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        return PurgedBatch(len(ids), ids[-1])

    async def purge_searches(self, before: datetime, *, limit: int) -> int:
        """Delete up to ``limit`` search-log rows older than ``before`` (oldest first, by the
        ``created_at`` index); returns how many."""
        ids = list(
            (
                await self._session.scalars(
                    select(FaqSearchRecord.id)
                    .where(FaqSearchRecord.created_at < before)
                    .order_by(FaqSearchRecord.created_at)
                    .limit(limit)
                )
            ).all()
        )
        if ids:
            await self._session.execute(
                delete(FaqSearchRecord)
                .where(FaqSearchRecord.id.in_(ids))
                .execution_options(synchronize_session=False)
            )
        return len(ids)
