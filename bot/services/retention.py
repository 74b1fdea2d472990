"""Retention: delivery records and search logs are deleted after ``RETENTION_DAYS``.

Both are personal data kept for a purpose that fades: a delivery record (chat id, the text sent)
answers "did my reminder go out?", a search (a pseudonym, the question) shows what the FAQ
lacks. Past the retention period the bot has no reason to hold them (README, "What the bot
keeps"). The purge runs in batches of short transactions; see ``RetentionRepository``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.repositories.retention import RetentionRepository

BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class RetentionReport:
    outbox: int  # finished delivery records deleted
    searches: int  # search-log rows deleted

    @property
    def total(self) -> int:
        return self.outbox + self.searches


async def purge_expired(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    keep: timedelta,
    batch_size: int = BATCH_SIZE,
) -> RetentionReport:
    """Delete finished outbox rows and search-log rows created before ``now - keep``."""
    before = now - keep
    outbox, last_id = 0, 0
    while True:
        async with sessionmaker() as session, session.begin():
            batch = await RetentionRepository(session).purge_outbox(
                before, after_id=last_id, limit=batch_size
            )
        outbox, last_id = outbox + batch.deleted, batch.last_id
        if batch.deleted < batch_size:
            break
    searches = 0
    while True:
        async with sessionmaker() as session, session.begin():
            deleted = await RetentionRepository(session).purge_searches(before, limit=batch_size)
        searches += deleted
        if deleted < batch_size:
            break
    return RetentionReport(outbox=outbox, searches=searches)
