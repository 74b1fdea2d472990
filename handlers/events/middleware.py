"""Builds the events services once per update, so handlers take them as ready kwargs.

Registered as an inner middleware on the events routers (`handlers.events`): after the filters
matched, `data["events"]` is an `EventService` and `data["subscriptions"]` a
`SubscriptionService`, both on this update's session. The outbox and i18n are passed when the
dispatcher has them; `EventService` needs them only for notices, and says so if they are missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.services.events.service import EventService
from bot.services.events.subscriptions import SubscriptionService


class EventServicesMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session = data["session"]
        clock = data["clock"]
        data["events"] = EventService(
            session,
            settings=data["settings"],
            clock=clock,
            outbox=data.get("outbox"),
            i18n=data.get("i18n"),
        )
        data["subscriptions"] = SubscriptionService(session, clock)
        return await handler(event, data)
