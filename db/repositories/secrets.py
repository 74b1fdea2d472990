"""The application's own secrets, created once and kept in its database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models.secrets import AppSecret
from db.repositories.dialect import insert_ignoring_conflicts


class SecretRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(self, name: str, new_value: str) -> str:
        """The stored value; `new_value` is stored first if there is none (first start wins when
        two processes start at once)."""
        await self._session.execute(
            insert_ignoring_conflicts(self._session, AppSecret).values(name=name, value=new_value)
        )
        stored = await self._session.get(AppSecret, name, populate_existing=True)
        assert stored is not None  # inserted above or by another process
        return stored.value
