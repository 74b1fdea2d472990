"""A token revoked while the bot runs ends the process with one line naming BOT_TOKEN, exit 1
and no traceback (issue 9, "401 mid-run"): whether the 401 answers the long poll itself (the
bot was idle: the polling loop's TokenRejected path) or a reply (the token guard's path)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.server import FakeTelegramServer
from bot.telegram_session import TOKEN_REJECTED
from tests.crash.supervisor import TRACEBACK, BotSupervisor

STOPPED = 30.0  # seconds from the 401 to the exit


@pytest.mark.parametrize("moment", ["idle", "answering"])
async def test_a_token_revoked_mid_run_ends_the_process_with_one_line(
    telegram: FakeTelegramServer, sqlite_url: str, tmp_path: Path, moment: str
) -> None:
    bot = BotSupervisor(telegram, sqlite_url, tmp_path, warm_standby=False)
    try:
        await bot.start()
        user = telegram.user(7_400_001, "Dana", language_code="ru")
        await user.send("/start")
        await user.wait_for(lambda m: m.has_buttons, timeout=STOPPED)  # it serves
        await telegram.wait_polling(timeout=STOPPED)  # and waits in a long poll

        telegram.revoke_token()
        if moment == "idle":
            # An update the bot skips without calling Telegram wakes the poll: the next call
            # the bot makes is getUpdates, and it is answered 401.
            telegram.push_malformed_update()
        else:
            await user.send("/help")  # its reply is refused too
        child = bot.current
        assert child is not None
        async with asyncio.timeout(STOPPED):
            code = await child.wait()
    finally:
        await bot.close()
    output = bot.log_text()
    refused = [c.method for c in telegram.calls if c.status == 401]
    lines = [line for line in output.splitlines() if not line.startswith("== ")]
    print(
        f"401 mid-run, {moment}: exit {code}, calls answered 401 {refused}, "
        f"last line {lines[-1]!r}, log lines after the 401: "
        f"{len(lines) - next(i for i, line in enumerate(lines) if TOKEN_REJECTED in line)}"
    )
    # Idle, only the long poll meets the 401: the polling loop's path; answering, the reply too.
    assert set(refused) == ({"getUpdates"} if moment == "idle" else {"getUpdates", "sendMessage"})
    assert code == 1, output
    assert lines[-1] == TOKEN_REJECTED, output  # what a supervisor shows
    assert [line for line in lines if line.endswith(TOKEN_REJECTED)] == [
        next(line for line in lines if "ERROR bot.telegram_session" in line),
        TOKEN_REJECTED,
    ], output
    assert TRACEBACK not in output, output
