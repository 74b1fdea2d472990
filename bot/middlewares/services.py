"""Gives every update its services, built on that update's session (see bot.services.registry)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.services.faq.service import CONTENT_CHECK_SECONDS as FAQ_CONTENT_CHECK_SECONDS
from bot.services.registry import ServiceFactory


class ServicesMiddleware(BaseMiddleware):
    """Outer middleware, after the session middleware."""

    def __init__(self, factory: ServiceFactory) -> None:
        self._factory = factory

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        services = self._factory.for_session(data["session"])
        # Browsing and searching show an entry an admin edited in another process within a few
        # seconds.
        await services.faq.refresh(max_age=FAQ_CONTENT_CHECK_SECONDS)
        data.update(services.as_kwargs())
        return await handler(event, data)
