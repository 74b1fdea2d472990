"""Taking, renewing and giving back a lease, atomically on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.leases import Lease
from db.repositories.dialect import upsert


class LeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take the lease if it is free or expired, or renew it if `holder` has it already."""
        statement = upsert(self._session, Lease).values(name=name, holder=holder, expires_at=until)
        statement = statement.on_conflict_do_update(
            index_elements=[Lease.name],
            set_={"holder": holder, "expires_at": until},
            where=(Lease.expires_at < now) | (Lease.holder == holder),
        )
        await self._session.execute(statement)
        current = await self._session.scalar(select(Lease.holder).where(Lease.name == name))
        return current == holder

    async def holder(self, name: str, now: datetime) -> str | None:
        return await self._session.scalar(
            select(Lease.holder).where(Lease.name == name, Lease.expires_at >= now)
        )

    async def last_holder(self, name: str) -> str | None:
        """Who holds or last held the lease, expired or not."""
        return await self._session.scalar(select(Lease.holder).where(Lease.name == name))

    async def take_over(self, name: str, old_holder: str, holder: str, until: datetime) -> bool:
        """Take the lease from `old_holder` (known to be dead); False if it changed meanwhile."""
        result = await self._session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == old_holder)
            .values(holder=holder, expires_at=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, name: str, holder: str, now: datetime) -> None:
        await self._session.execute(
            update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now)
        )
