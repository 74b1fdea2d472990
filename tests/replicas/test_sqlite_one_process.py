"""SQLite is one process by rule: a second bot process on the same database file is refused at
start with one line, and the first one carries on undisturbed (real processes)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.sandbox.server import FakeTelegramServer
from tests.conftest import TEST_TOKEN
from tests.startup.process import ROOT, bot_env, run_bot

STARTUP = 60.0


async def test_a_second_process_on_the_same_sqlite_database_is_refused(
    telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    env = bot_env(
        BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        PYTHONPATH=str(ROOT),
    )
    log = (tmp_path / "first.log").open("wb")
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", stdout=log, stderr=log, cwd=tmp_path, env=env
    )
    try:
        await telegram.wait_polling(timeout=STARTUP)

        second = await run_bot("run", env=env, cwd=tmp_path)
        line = second.assert_one_line_failure("uses this SQLite database")
        assert second.code == 1
        assert "DATABASE_URL" in line and "PostgreSQL" in line
        assert f"-{first.pid}-" in line  # names the process that holds it

        # The first one still answers, and still sends (it kept the lease).
        user = telegram.user(8101, "Aru", language_code="kk")
        await user.send("/start")
        await user.wait_for(lambda m: m.has_buttons, timeout=10)
        first.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
        log.close()
    output = (tmp_path / "first.log").read_text()
    assert code == 0, output
    assert "Traceback" not in output and "lost the" not in output, output
