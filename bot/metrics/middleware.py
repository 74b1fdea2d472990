"""Counts every update and times it: an aiogram outer middleware on ``dp.update``.

Register it before the other update middlewares (``dp.update.outer_middleware(...)`` first),
so its time includes the database transaction and its "error" sees what a handler raised
before aiogram's error handlers turn it into an apology.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from aiogram.types.update import UpdateTypeLookupError

from bot.metrics.registry import Metrics, UpdateOutcome

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
UNKNOWN_TYPE = "unknown"


def update_type(event: TelegramObject) -> str:
    if not isinstance(event, Update):
        return type(event).__name__.lower()
    try:
        return event.event_type
    except UpdateTypeLookupError:
        return UNKNOWN_TYPE


class MetricsMiddleware(BaseMiddleware):
    def __init__(self, metrics: Metrics, *, timer: Callable[[], float] = time.perf_counter):
        self._metrics = metrics
        self._timer = timer

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = update_type(event)
        started = self._timer()
        try:
            result = await handler(event, data)
        except Exception:
            self._metrics.record_update(kind, UpdateOutcome.ERROR, self._timer() - started)
            raise
        outcome = UpdateOutcome.UNHANDLED if result is UNHANDLED else UpdateOutcome.HANDLED
        self._metrics.record_update(kind, outcome, self._timer() - started)
        return result
