"""Fixtures: a started fake server and a real aiogram Bot talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.sandbox import FakeTelegramServer, make_bot


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as srv:
        yield srv


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = make_bot(server)
    try:
        yield bot
    finally:
        await bot.session.close()
