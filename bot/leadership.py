"""One replica at a time sends the outbox and runs the scheduler: whoever holds the lease.

Every replica tries to take or renew the lease every third of its length; the holder runs the
jobs, the others stand by and take over within a lease length when the holder dies (at once when
it was a process on this machine that is gone). The new holder is told the old one's name when
that one is known to be dead, so it can take back the old one's unfinished work at once (the
outbox rows its sender had claimed) instead of waiting for those to expire. Leases run on
wall-clock time (not the application's clock, which tests move), and live in the database every
replica shares: PostgreSQL for several replicas, and on SQLite the lease is how a second process
on the same file is noticed at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.repositories.leases import LeaseRepository

log = logging.getLogger(__name__)

JOBS_LEASE = "sender-and-scheduler"


def process_name() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def is_dead_here(holder: str) -> bool:
    """A holder on this machine whose process is gone (killed, crashed), or an earlier run of
    this very process id (a container's pid 1 after a restart): its lease need not be waited out."""
    host, _, rest = holder.rpartition("-")[0].rpartition("-")
    if host != socket.gethostname()[:40] or not rest.isdigit():
        return False
    pid = int(rest)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _now() -> datetime:
    return datetime.now(UTC)


class Leadership:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        lease_seconds: float,
        on_acquired: Callable[[str | None], Awaitable[None]],
        on_lost: Callable[[], Awaitable[None]],
        name: str = JOBS_LEASE,
        holder: str | None = None,
    ) -> None:
        self.holder = holder or process_name()
        self.leader = False
        self._sessionmaker = sessionmaker
        self._lease = timedelta(seconds=lease_seconds)
        self._on_acquired = on_acquired
        self._on_lost = on_lost
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def other_holder(self) -> str | None:
        """Who else, alive, holds the lease right now, if anyone."""
        async with self._sessionmaker() as session:
            holder = await LeaseRepository(session).holder(self._name, _now())
        if holder is None or holder == self.holder or is_dead_here(holder):
            return None
        return holder

    async def start(self) -> None:
        await self._try()
        self._task = asyncio.create_task(self._run(), name=f"lease {self._name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self.leader:
            await self._step_down()
            with contextlib.suppress(Exception):
                async with self._sessionmaker() as session, session.begin():
                    await LeaseRepository(session).release(self._name, self.holder, _now())

    async def _run(self) -> None:
        period = self._lease.total_seconds() / 3
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), period)
            if not self._stopping.is_set():
                await self._try()

    async def _try(self) -> None:
        now = _now()
        dead: str | None = None
        try:
            async with self._sessionmaker() as session, session.begin():
                leases = LeaseRepository(session)
                previous = await leases.last_holder(self._name)
                if previous is not None and previous != self.holder and is_dead_here(previous):
                    dead = previous
                held = await leases.acquire(self._name, self.holder, now, now + self._lease)
                if not held and dead is not None:
                    log.info("the previous holder of the %s lease is gone", self._name)
                    held = await leases.take_over(self._name, dead, self.holder, now + self._lease)
        except Exception:
            # The database is out of reach: sending without knowing we hold the lease could
            # double every message, so a leader steps down until it can renew.
            log.warning("could not renew the %s lease", self._name, exc_info=True)
            held = False
        if held and not self.leader:
            log.info("this process now sends the outbox and runs the scheduler")
            self.leader = True
            try:
                await self._on_acquired(dead)
            except Exception:
                # A task that died here would leave a "leader" that never sends: start again at
                # the next renewal instead.
                log.exception("starting the jobs failed; trying again at the next renewal")
                await self._step_down()
        elif not held and self.leader:
            log.warning("lost the %s lease; another process took over", self._name)
            await self._step_down()

    async def _step_down(self) -> None:
        self.leader = False
        try:
            await self._on_lost()
        except Exception:
            log.exception("stopping the jobs after losing the lease failed")
