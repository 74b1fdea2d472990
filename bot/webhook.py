"""Webhook mode: Telegram posts each update to us; we answer 200 once it is handled and saved.

- The secret Telegram was given (setWebhook's `secret_token`) must come back in every request's
  `X-Telegram-Bot-Api-Secret-Token`, compared in constant time: otherwise 401 and nothing runs.
- An update is confirmed (200) only after the update pipeline committed it
  (bot.updates.transaction); a redelivery of one handled before is recognised there and skipped.
  An update that runs longer than Telegram waits is left running and answered 503: Telegram posts
  it again later, and by then it is recorded as handled (or, after a crash, it runs again).
- An update that cannot be parsed is logged and confirmed, so it does not come back forever.
- `/healthz`: the process answers. `/readyz`: the database answers and its migrations are at
  head. `/metrics`: Prometheus.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import METRICS_PATH, Metrics, OutboxProbe, metrics_handler
from bot.updates.polling import carries_an_event
from db.migrate import is_at_head

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram gives up on an answer after about a minute; answer well before it.
HANDLING_BUDGET = 45.0


class WebhookServer:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        path: str,
        secret: str,
        engine: AsyncEngine,
        metrics: Metrics,
        probe: OutboxProbe,
        handling_budget: float = HANDLING_BUDGET,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._secret = secret.encode()
        self._engine = engine
        self._budget = handling_budget
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.app = web.Application()
        self.app.router.add_post(path, self._update)
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get(METRICS_PATH, metrics_handler(metrics, probe))
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop(self) -> None:
        """Stop taking updates, then let those in hand finish (their answers still go out)."""
        if self._runner is not None:
            await self._runner.shutdown()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _update(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            log.warning("a webhook request without the right secret was refused")
            return web.Response(status=401)
        try:
            raw = await request.json(loads=json.loads)
            update = Update.model_validate(raw, context={"bot": self._bot})
        except (ValueError, ValidationError) as exc:
            log.warning("an update could not be parsed and was skipped: %s", type(exc).__name__)
            return web.Response(status=200)
        if not carries_an_event(update):
            log.warning("update %s has no event this bot knows and was skipped", update.update_id)
            return web.Response(status=200)
        task = asyncio.create_task(self._dispatcher.feed_update(self._bot, update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        done, _ = await asyncio.wait({task}, timeout=self._budget)
        if not done:
            log.warning("update %s takes long; Telegram will post it again", update.update_id)
            return web.Response(status=503)
        if task.exception() is not None:
            log.error("update %s failed", update.update_id, exc_info=task.exception())
        return web.Response(status=200)

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, _request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(5):
                async with self._engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                ready = await is_at_head(self._engine)
        except Exception:
            log.warning("readiness: the database does not answer", exc_info=True)
            return web.Response(status=503, text="database unavailable")
        if not ready:
            return web.Response(status=503, text="migrations pending")
        return web.Response(text="ready")
