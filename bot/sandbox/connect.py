"""Build an aiogram Bot that talks to a FakeTelegramServer through aiogram's real HTTP session."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.sandbox.server import FakeTelegramServer


class SandboxSession(AiohttpSession):
    """aiogram's AiohttpSession, minus the 250 ms pause ``close()`` takes to let SSL connections
    wind down: the fake server is plain HTTP, and the pause would add up over a test suite."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(server: FakeTelegramServer, *, parse_mode: str | None = "HTML") -> Bot:
    """A Bot for ``server`` (started). Close it with ``await bot.session.close()``."""
    if not server.base_url:
        raise RuntimeError("start the FakeTelegramServer before creating a bot for it")
    session = SandboxSession(api=TelegramAPIServer.from_base(server.base_url))
    return Bot(server.token, session=session, default=DefaultBotProperties(parse_mode=parse_mode))
