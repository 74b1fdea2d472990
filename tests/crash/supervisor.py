"""The real `python -m bot` as a child process of the test, killed with SIGKILL and restarted.

The fake Telegram runs in the test's event loop; the bot talks to it over HTTP with the
environment a deployment would give it (BOT_TOKEN, TELEGRAM_API_URL, DATABASE_URL, ADMIN_IDS).

Warm standby: importing aiogram takes the bot 3–6 s of CPU before it does anything, and 20
restarts would spend most of a test on it. So the next process is started while the current one
still runs (`prepare_standby`, when a kill is armed, or always with `ahead`), and the fake
server holds its first Bot API call (getMe, the start-up check) until the current process is
dead. Before that call the standby has only imported modules and probed the database (a read,
and for SQLite a write of a value the file already has); everything that matters to the test —
migrations, the FAQ sync, the commands, polling — happens after the kill, as in a restart by a
supervisor.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox.faults import HookAction, HookedCall
from bot.sandbox.server import FakeTelegramServer
from tests.startup.process import ROOT, bot_env

START_DEADLINE = 90.0  # seconds from spawn (or release) to the first getUpdates, on a busy machine
STOP_DEADLINE = 60.0
TRACEBACK = "Traceback (most recent call last)"
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) (?P<logger>\S+):")


@dataclass
class BotLogs:
    """What the bot processes wrote: every record at ERROR or above, and every traceback."""

    errors: list[str] = field(default_factory=list)
    tracebacks: int = 0
    lines: int = 0

    def read(self, path: Path) -> None:
        for line in path.read_text(errors="replace").splitlines():
            self.lines += 1
            if TRACEBACK in line:
                self.tracebacks += 1
            match = LOG_RECORD.match(line)
            if match and match["level"] in ("ERROR", "CRITICAL"):
                self.errors.append(line)


class _Child:
    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def wait(self) -> int:
        return await self.process.wait()


class BotSupervisor:
    """Starts, kills (SIGKILL) and restarts `python -m bot`; one process serves at a time."""

    def __init__(
        self,
        server: FakeTelegramServer,
        database_url: str,
        workdir: Path,
        *,
        admin_ids: str = "",
        warm_standby: bool = True,
        ahead: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        """`warm_standby`: a standby is started by `prepare_standby` and when a kill is armed;
        `ahead`: also whenever a process starts, so the next one imports while this one serves
        (only when every kill follows within a few seconds: a standby held past getMe's 10 s
        timeout retries, and a retry after the gate closed again would wait for the next kill).
        """
        self.server = server
        self.workdir = workdir
        self.env = bot_env(
            BOT_TOKEN=server.token,
            TELEGRAM_API_URL=server.base_url,
            DATABASE_URL=database_url,
            ADMIN_IDS=admin_ids,
            # A standby held at the gate past getMe's 10 s timeout retries instead of exiting.
            STARTUP_RETRY_SECONDS="120",
            PYTHONPATH=str(ROOT),
            **(env or {}),
        )
        self.warm_standby = warm_standby or ahead
        self.ahead = ahead
        self.current: _Child | None = None
        self._standby: _Child | None = None
        self._gate = asyncio.Event()
        self._gate.set()
        self._at_the_gate = 0  # getMe calls waiting there now
        self._passed = asyncio.Event()  # a getMe went through since the last release
        self._remove_gate = server.on_call("getMe", self._at_gate, before=True)
        self._logs: list[Path] = []
        self.starts = 0
        self.kills = 0
        self.start_seconds: list[float] = []  # from release (or spawn) to the first getUpdates

    # ------------------------------------------------------------------ processes

    async def _at_gate(self, _call: HookedCall) -> None:
        gate = self._gate  # the gate of this call's process, even once the next one closes
        self._at_the_gate += 1
        try:
            await gate.wait()
        finally:
            self._at_the_gate -= 1
        self._passed.set()

    async def _spawn(self) -> _Child:
        log = self.workdir / f"bot-{len(self._logs) + 1:02d}.log"
        self._logs.append(log)
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self.workdir,
                env=self.env,
            )
        return _Child(process, log)

    async def start(self) -> None:
        """Start a process (the standby if one is waiting) and wait until it polls."""
        if self.current is not None and self.current.alive:
            raise RuntimeError("a bot process is already running")
        loop = asyncio.get_running_loop()
        began = loop.time()
        polls = self.server.stats.requests["getUpdates"]
        child, self._standby = self._standby, None
        if child is not None and not child.alive:
            raise AssertionError(
                f"the standby bot exited with {child.process.returncode}:\n"
                + child.log.read_text(errors="replace")[-3000:]
            )
        if child is None:
            child = await self._spawn()
        self.current = child
        waiting = self._at_the_gate
        self._passed.clear()
        self._gate.set()
        if self.ahead:
            if not waiting:  # still importing: the next standby's getMe must not overtake it
                await self._until(child, self._passed.wait(), "its getMe")
            await self.prepare_standby()
        await self._until(child, self._polling(polls), "polling")
        self.starts += 1
        self.start_seconds.append(loop.time() - began)

    async def prepare_standby(self) -> None:
        """Start the next process now; it waits at getMe until the current one is dead."""
        if self.warm_standby and self._standby is None:
            if self._gate.is_set():
                self._gate = asyncio.Event()
            self._standby = await self._spawn()

    async def _polling(self, polls: int) -> None:
        await self.server.wait_until(
            lambda: True if self.server.stats.requests["getUpdates"] > polls else None,
            START_DEADLINE,
            "polling",
        )

    async def _until(self, child: _Child, waiting: Awaitable[object], what: str) -> None:
        """Await `waiting`; a process that exits meanwhile (it wakes no one) fails at once."""
        exited = asyncio.ensure_future(child.process.wait())
        awaited = asyncio.ensure_future(waiting)
        try:
            async with asyncio.timeout(START_DEADLINE):
                await asyncio.wait({exited, awaited}, return_when=asyncio.FIRST_COMPLETED)
            if not child.alive:
                raise AssertionError(
                    f"the bot exited with {child.process.returncode} waiting for {what}:\n"
                    + child.log.read_text(errors="replace")[-3000:]
                )
            await awaited
        finally:
            for task in (exited, awaited):
                task.cancel()
            await asyncio.gather(exited, awaited, return_exceptions=True)

    def kill_now(self) -> None:
        """SIGKILL the serving process (synchronous: usable inside a server hook)."""
        child = self.current
        if child is None or not child.alive:
            raise RuntimeError("no bot process to kill")
        os.kill(child.pid, signal.SIGKILL)

    async def kill(self) -> None:
        """SIGKILL the serving process and wait until it is gone."""
        self.kill_now()
        await self.reap()

    async def reap(self) -> None:
        """Wait until the killed process is gone."""
        child = self.current
        if child is None:
            return
        code = await child.wait()
        if code != -signal.SIGKILL:
            raise AssertionError(f"the bot exited with {code}, not by SIGKILL")
        self.kills += 1
        self.current = None

    async def kill_at_call(
        self,
        method: str | None,
        *,
        before: bool,
        skip: int = 0,
        when: Callable[[HookedCall], bool] | None = None,
    ) -> asyncio.Future[HookedCall]:
        """Kill the process at its (skip+1)-th call of `method` (any method but the standby's
        getMe when None) that satisfies `when`: before the server acts on it, or after it took
        effect but before the bot hears the answer. The future gets the call."""
        await self.prepare_standby()
        fired: asyncio.Future[HookedCall] = asyncio.get_running_loop().create_future()
        seen = 0

        def hook(call: HookedCall) -> HookAction | None:
            nonlocal seen
            if fired.done() or call.method == "getMe" or (when is not None and not when(call)):
                return None
            if seen < skip:
                seen += 1
                return None
            remove()
            self.kill_now()
            fired.set_result(call)
            return HookAction.DROP

        remove = self.server.on_call(method, hook, before=before)
        fired.add_done_callback(lambda _: remove())
        return fired

    async def restart(self) -> None:
        await self.reap()
        await self.start()

    async def stop(self) -> int:
        """SIGTERM the serving process (a clean stop) and drop the standby; the exit code."""
        code = 0
        child, self.current = self.current, None
        if child is not None and child.alive:
            child.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(STOP_DEADLINE):
                code = await child.wait()
        await self._drop_standby()
        return code

    async def _drop_standby(self) -> None:
        standby, self._standby = self._standby, None
        if standby is not None:
            if standby.alive:
                standby.process.kill()
            await standby.wait()

    async def close(self) -> None:
        """Make sure no child outlives the test."""
        for child in (self.current, self._standby):
            if child is not None and child.alive:
                child.process.kill()
            if child is not None:
                await child.wait()
        self.current = self._standby = None
        self._remove_gate()

    def logs(self) -> BotLogs:
        """The logs of every process that served (a standby never released wrote nothing)."""
        found = BotLogs()
        for path in self._logs:
            if path.exists():
                found.read(path)
        return found

    def log_text(self) -> str:
        return "\n".join(
            f"== {path.name}\n{path.read_text(errors='replace')}"
            for path in self._logs
            if path.exists()
        )
