"""Runs the real Application with long polling against a fake Bot API server.

Used by the end-to-end tests, the benchmarks and `python -m bot sandbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Self

from pydantic import SecretStr

from bot.app import Application
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.server import FakeTelegramServer
from db.repositories.users import UserRepository

STARTUP_TIMEOUT = 30.0


class RunningBot:
    """The bot process in miniature: start, stop, restart on the same database and server."""

    def __init__(
        self,
        settings: Settings,
        server: FakeTelegramServer,
        clock: Clock | None,
        faq_dir: Path | None = None,
        prepare: Callable[[Application], None] | None = None,
    ) -> None:
        self.settings = settings.model_copy(
            update={"telegram_api_url": server.base_url, "bot_token": SecretStr(server.token)}
        )
        self.server = server
        self.clock = clock
        self.faq_dir = faq_dir
        # Wires extra parts into each new Application before it starts (e.g. metrics).
        self.prepare = prepare
        self._app: Application | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        server: FakeTelegramServer,
        *,
        clock: Clock | None = None,
        faq_dir: Path | None = None,
        prepare: Callable[[Application], None] | None = None,
    ) -> Self:
        running = cls(settings, server, clock, faq_dir, prepare)
        await running._start()
        return running

    @property
    def app(self) -> Application:
        if self._app is None:
            raise RuntimeError("the bot is not running")
        return self._app

    async def _start(self) -> None:
        app = await Application.create(self.settings, clock=self.clock, faq_dir=self.faq_dir)
        if self.prepare is not None:
            self.prepare(app)
        started = asyncio.Event()

        async def mark_started() -> None:
            started.set()

        # Registered last, so it fires after every feature's own start-up hook.
        app.dispatcher.startup.register(mark_started)
        self._app = app
        self._task = asyncio.create_task(app.run_polling(handle_signals=False))
        waiter = asyncio.create_task(started.wait())
        done, _ = await asyncio.wait(
            {waiter, self._task}, timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            waiter.cancel()
            if self._task in done:
                self._task.result()  # re-raises the start-up failure
            raise TimeoutError("the bot did not start in time")

    async def stop(self) -> None:
        if self._app is None or self._task is None:
            return
        if not self._task.done():
            with contextlib.suppress(RuntimeError):
                await self._app.stop()
        await self._task
        self._app = None
        self._task = None

    async def known_user(self, user_id: int, name: str, language: str) -> SimUser:
        """A simulated user who already chose `language` (as if they had gone through /start)."""
        async with self.app.sessionmaker() as session, session.begin():
            users = UserRepository(session)
            await users.touch(user_id, (self.clock or SystemClock()).now())
            await users.set_language(user_id, language)
        return self.server.user(user_id, name, language_code=language)

    async def restart(self) -> None:
        await self.stop()
        await self._start()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
