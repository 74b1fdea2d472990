"""Who the consultants are: added and removed by admins (in the bot or from the command line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.desk.model import NAME_MAX, DeskError
from db.repositories.desk import ConsultantLoad, ConsultantRepository, TicketDTO, TicketRepository
from db.repositories.users import UserRepository


@dataclass(frozen=True, slots=True)
class Holding:
    load: ConsultantLoad
    tickets: list[TicketDTO]


class ConsultantAdmin:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._users = UserRepository(session)
        self._consultants = ConsultantRepository(session)
        self._tickets = TicketRepository(session)
        self._now = now

    async def add(self, user_id: int, name: str | None, *, by: int | None) -> bool:
        """True when they became a consultant now; False if they were one (name updated).
        Without a name, their Telegram first name is taken the first time they use the desk."""
        if user_id <= 0:
            raise DeskError("bad_user_id")
        await self._users.touch(user_id, self._now)
        display = " ".join((name or "").split())[:NAME_MAX]
        return await self._consultants.add(user_id, display, self._now, by)

    async def remove(self, user_id: int) -> bool:
        """Their access ends at once; the questions they held go back to the queue."""
        for ticket in await self._tickets.owned_open(user_id):
            await self._tickets.update(
                ticket.id,
                {"owner_id": None, "status": "waiting", "revision": ticket.revision + 1},
            )
        return await self._consultants.remove(user_id)

    async def holdings(self) -> list[Holding]:
        return [
            Holding(load, await self._tickets.owned_open(load.consultant.user_id))
            for load in await self._consultants.loads()
        ]

    async def name_from_telegram(self, user_id: int, first_name: str) -> None:
        consultant = await self._consultants.get(user_id)
        if consultant is not None and not consultant.display_name:
            await self._consultants.set(user_id, display_name=first_name[:NAME_MAX] or str(user_id))
