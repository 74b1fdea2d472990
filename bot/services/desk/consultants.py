"""Who the consultants are: added and removed by admins (in the bot or from the command line)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.services.desk.model import NAME_MAX, DeskError, Status
from bot.services.desk.tickets import DeskBase
from db.repositories.desk import ConsultantDTO, ConsultantLoad, TicketDTO
from db.repositories.users import UserRepository

# Why someone added before they ever opened the bot is unreachable: Telegram refuses to write
# to them. The mark goes as soon as they write to the bot (``UserRepository.touch``).
NOT_STARTED: Final = "not started: added as a consultant before opening the bot"


@dataclass(frozen=True, slots=True)
class Holding:
    load: ConsultantLoad
    tickets: list[TicketDTO]
    reachable: bool = True  # False: never opened the bot (or blocked it), gets nothing


class ConsultantAdmin(DeskBase):
    async def add(self, user_id: int, name: str | None, *, by: int | None) -> bool:
        """True when they became a consultant now; False if they were one (a name given is then
        updated). Without a name, their Telegram first name is taken when they next write."""
        if user_id <= 0:
            raise DeskError("bad_user_id")
        users = UserRepository(self._session)
        _user, created = await users.touch(user_id, self.now)
        if created:
            await users.mark_unreachable(user_id, NOT_STARTED)
        display = " ".join((name or "").split())[:NAME_MAX]
        existing = await self._consultants.get(user_id)
        if existing is not None and not display:
            display = existing.display_name
        return await self._consultants.add(user_id, display, self.now, by)

    async def remove(self, user_id: int) -> int | None:
        """Their access ends at once and the questions they held go back to the queue (how many
        is returned); None when they were not a consultant."""
        if await self._consultants.get(user_id) is None:
            return None
        held = await self._tickets.owned_open(user_id)
        for ticket in held:
            values: dict[str, object] = {"owner_id": None}
            if ticket.status == Status.IN_PROGRESS:  # an answered one still waits for the person
                values.update(status=Status.WAITING, waiting_since=self.now)
            released = await self._changed(ticket.id, values)
            await self._tell_staff(released, "consultant_removed", f"removed:{released.revision}")
        await self._consultants.remove(user_id)
        return len(held)

    async def get(self, user_id: int) -> ConsultantDTO | None:
        return await self._consultants.get(user_id)

    async def reachable(self, user_id: int) -> bool:
        """Whether the bot can write to them: they opened it and have not blocked it."""
        user = await UserRepository(self._session).get(user_id)
        return user is not None and user.is_reachable

    async def holdings(self) -> list[Holding]:
        return [
            Holding(
                load,
                await self._tickets.owned_open(load.consultant.user_id),
                await self.reachable(load.consultant.user_id),
            )
            for load in await self._consultants.loads()
        ]

    async def name_from_telegram(self, user_id: int, first_name: str) -> None:
        consultant = await self._consultants.get(user_id)
        if consultant is not None and not consultant.display_name:
            await self._consultants.set(user_id, display_name=first_name[:NAME_MAX] or str(user_id))
