"""The desk's minute job (on the leader replica): service levels, then the queue board."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.desk.board import QueueBoard
from bot.services.desk.sla import run_service_levels
from bot.services.desk.tickets import DeskContext


class DeskJobs:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], context: DeskContext):
        self._sessionmaker = sessionmaker
        self._context = context
        # What the board showed last (in memory: after a restart it is edited once, harmlessly).
        self._board: str | None = None

    async def tick(self) -> int:
        """One run; returns how many service-level steps it took."""
        steps = await run_service_levels(self._sessionmaker, self._context)
        async with self._sessionmaker() as session, session.begin():
            self._board = await QueueBoard(session, self._context).publish(self._board)
        return steps
