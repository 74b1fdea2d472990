"""A user's reminder settings: which categories, and whether only their region counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.events.model import CATEGORIES
from db.repositories.subscriptions import SubscriptionRepository


class UnknownCategoryError(ValueError):
    """Not one of CATEGORIES (forged callback data)."""


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    categories: frozenset[str]
    region_only: bool


class SubscriptionService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._repo = SubscriptionRepository(session)
        self._clock = clock

    async def state(self, user_id: int) -> SubscriptionState:
        return SubscriptionState(
            await self._repo.categories(user_id), await self._repo.region_only(user_id)
        )

    async def toggle_category(self, user_id: int, category: str) -> SubscriptionState:
        if category not in CATEGORIES:
            raise UnknownCategoryError(category)
        if category in await self._repo.categories(user_id):
            await self._repo.unsubscribe(user_id, category)
        else:
            await self._repo.subscribe(user_id, category, self._clock.now())
        return await self.state(user_id)

    async def toggle_region_only(self, user_id: int) -> SubscriptionState:
        await self._repo.set_region_only(user_id, not await self._repo.region_only(user_id))
        return await self.state(user_id)
