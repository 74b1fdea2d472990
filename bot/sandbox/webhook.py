"""Webhook delivery: POST each pending update to the bot's URL like Telegram does.

Updates go one at a time, in order; a non-2xx answer or a network error keeps the update queued
and it is retried after ``retry_delay`` (Telegram retries with growing pauses).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    def __init__(self, server: FakeTelegramServer, retry_delay: float = 0.2) -> None:
        self.server = server
        self.retry_delay = retry_delay
        self.delivered = 0
        self.failed_attempts = 0
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        server = self.server
        queue = server.updates
        async with aiohttp.ClientSession() as session:
            while server.webhook is not None:
                if not await queue.wait_nonempty():
                    return
                hook = server.webhook
                batch = queue.take(1)
                if hook is None or not batch:
                    continue
                update = batch[0]
                headers = {}
                if hook.get("secret_token"):
                    headers[SECRET_HEADER] = hook["secret_token"]
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as resp:
                        ok = 200 <= resp.status < 300
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except aiohttp.ClientError as e:
                    ok, error = False, f"Connection failed: {type(e).__name__}"
                if ok:
                    queue.confirm(update["update_id"] + 1)
                    self.delivered += 1
                else:
                    self.failed_attempts += 1
                    server.webhook_last_error = (server.now(), error)
                    await asyncio.sleep(self.retry_delay)
