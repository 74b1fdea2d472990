"""A token revoked while the bot runs: one log line, the bot stops, the process exits non-zero
with "BOT_TOKEN was rejected by Telegram" (a supervisor shows that line), instead of logging
failed getUpdates forever."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramUnauthorizedError

from bot.sandbox.server import FakeTelegramServer
from bot.telegram_session import TOKEN_REJECTED, create_bot, watch_token
from bot.testing import eventually
from tests.conftest import TEST_TOKEN
from tests.startup.process import ROOT, bot_env

REVOKED = "123456:a-token-the-server-now-expects"


async def test_first_401_is_logged_once_and_stops_once(
    telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    stops: list[str] = []

    async def stop() -> None:
        stops.append("stop")

    bot = create_bot(TEST_TOKEN, telegram.base_url)
    guard = watch_token(bot, on_unauthorized=stop)
    try:
        assert (await bot.get_me()).username == telegram.bot_user["username"]
        assert not guard.rejected and stops == []

        telegram.token = REVOKED  # @BotFather: /revoke
        with caplog.at_level(logging.ERROR, logger="bot.telegram_session"):
            for _ in range(3):
                with pytest.raises(TelegramUnauthorizedError):
                    await bot.get_me()
    finally:
        await bot.session.close()

    async def stopped() -> bool:
        return stops == ["stop"]

    assert guard.rejected
    await eventually(stopped, what="the stop to run")  # it runs as a task
    assert [r.getMessage() for r in caplog.records].count(TOKEN_REJECTED) == 1


async def test_bot_process_stops_when_its_token_is_revoked(
    telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    env = bot_env(
        BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        PYTHONPATH=str(ROOT),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
        env=env,
    )
    try:
        await telegram.wait_polling(timeout=60)
        user = telegram.user(8101, "Айгерім", language_code="ru")
        await user.send("/start")
        await user.wait_for(lambda m: m.has_buttons, timeout=10)  # the bot works

        telegram.token = REVOKED
        await user.send("/help")  # its reply and the next getUpdates get 401
        async with asyncio.timeout(30):
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stdout is not None
    output = (await process.stdout.read()).decode()
    assert code == 1, output
    lines = output.rstrip().splitlines()
    assert lines[-1] == TOKEN_REJECTED, output  # what the supervisor shows
    logged = [line for line in lines if "ERROR bot.telegram_session" in line]
    assert len(logged) == 1 and logged[0].endswith(TOKEN_REJECTED), output
    assert TEST_TOKEN.split(":")[1] not in output
