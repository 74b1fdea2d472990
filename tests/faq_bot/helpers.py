"""Reading what the FAQ wrote to the database, waiting for the commit that follows a reply."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.harness import RunningBot
from bot.testing import eventually
from db.models.faq import FaqFeedbackRecord, FaqSearchRecord


async def search_log(running: RunningBot) -> list[FaqSearchRecord]:
    async with running.app.sessionmaker() as session:
        return list(await session.scalars(select(FaqSearchRecord).order_by(FaqSearchRecord.id)))


async def wait_search_log(running: RunningBot, count: int) -> list[FaqSearchRecord]:
    async def check() -> list[FaqSearchRecord] | None:
        rows = await search_log(running)
        return rows if len(rows) >= count else None

    return await eventually(check, what=f"{count} search log rows")


async def wait_vote(
    running: RunningBot, user_id: int, entry_id: str, helpful: bool, *, with_reason: bool = False
) -> FaqFeedbackRecord:
    async def check() -> FaqFeedbackRecord | None:
        async with running.app.sessionmaker() as session:
            rows = list(
                await session.scalars(
                    select(FaqFeedbackRecord).where(FaqFeedbackRecord.user_id == user_id)
                )
            )
        row = rows[0] if len(rows) == 1 else None
        if row is not None and row.entry_id == entry_id and row.helpful is helpful:
            return row if row.reason is not None or not with_reason else None
        assert len(rows) <= 1, rows
        return None

    return await eventually(check, what=f"vote {helpful} on {entry_id} by {user_id}")
