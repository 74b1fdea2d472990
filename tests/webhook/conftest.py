"""The real Application in webhook mode, in this process, against the fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import Application
from bot.config import Settings
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock

SECRET = "webhook-Secret_42"
STARTUP = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebhookBot:
    """One bot serving its webhook on 127.0.0.1; `post` plays Telegram (or someone else)."""

    app: Application
    task: asyncio.Task[None] | None  # run_webhook, when the test did not build the server itself
    base_url: str
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"{self.base_url}/webhook"

    async def post(self, body: object, *, secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        data = body if isinstance(body, str) else None
        json_body = None if isinstance(body, str) else body
        async with self.session.post(self.url, data=data, json=json_body, headers=headers) as r:
            return r.status

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(f"{self.base_url}{path}") as response:
            return response.status, await response.text()


def webhook_settings(settings: Settings, telegram: FakeTelegramServer, port: int) -> Settings:
    return settings.model_copy(
        update={
            "telegram_api_url": telegram.base_url,
            "bot_token": SecretStr(telegram.token),
            "webhook_url": f"http://127.0.0.1:{port}/webhook",
            "webhook_secret": SecretStr(SECRET),
            "webhook_host": "127.0.0.1",
            "webhook_port": port,
        }
    )


@contextlib.asynccontextmanager
async def serving(
    settings: Settings, telegram: FakeTelegramServer, clock: FakeClock
) -> AsyncIterator[WebhookBot]:
    port = free_port()
    app = await Application.create(webhook_settings(settings, telegram, port), clock=clock)
    task = asyncio.create_task(app.run_webhook(handle_signals=False))
    registered = asyncio.create_task(
        telegram.wait_until(lambda: telegram.webhook, STARTUP, "setWebhook")
    )
    done, _ = await asyncio.wait({registered, task}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        registered.cancel()
        task.result()  # re-raises the start-up failure
        raise AssertionError("the bot stopped before it registered its webhook")
    registered.result()
    async with aiohttp.ClientSession() as session:
        try:
            yield WebhookBot(app, task, f"http://127.0.0.1:{port}", session)
        finally:
            await app.stop()
            await task


@pytest.fixture
async def webhook_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[WebhookBot]:
    async with serving(settings, telegram, fake_clock) as running:
        yield running
