"""The one task per process that drains the outbox into Telegram.

Loop: claim a small batch of due rows (at most one per chat, see ``OutboxRepository.claim``),
hold them in a heap keyed by when each may go (per-chat spacing, a 429 pause), and start a send
whenever the token bucket and the in-flight bound allow. Each send records its own verdict at
once, so a crash re-sends at most what was in flight, then tells the observers
(``bot.delivery.outcomes``). Pacing runs on the monotonic clock; due times and leases on the
application Clock, so tests can move them.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import TracebackType
from typing import Self, TypeVar, assert_never

from aiogram import Bot
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outcomes import SendObserver, SendOutcome, SendResult
from bot.delivery.pacing import ChatSpacing, Monotonic, TokenBucket
from bot.delivery.targets import Deferred, target_message
from bot.delivery.threads import ThreadResolver
from bot.delivery.transport import (
    BotBroken,
    Delivered,
    Outcome,
    Rejected,
    RetryAfter,
    ThreadLost,
    Transient,
    Unreachable,
    deliver,
)
from db.repositories.outbox import ClaimedRow, OutboxRepository, RowSummary
from db.repositories.users import UserRepository

__all__ = ["DeliverySender", "SendObserver", "SendResult", "SenderConfig", "SenderStats"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_RACE_RETRY = 0.05  # seconds before claiming again after another worker won every row
Report = tuple[RowSummary, SendOutcome]


@dataclass(frozen=True, slots=True)
class SenderConfig:
    rate: float = 25.0  # messages per second, overall
    per_chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_interval: float = 3.0  # the same in a group (negative chat id): 20 a minute
    burst: float = 5.0  # sends allowed back to back after an idle spell
    concurrency: int = 8  # HTTP calls in flight
    batch_size: int = 0  # rows held at once; 0 = about two seconds' worth
    lease: timedelta = timedelta(seconds=60)
    housekeeping_interval: float = 15.0  # renew own leases, return dead workers' rows
    poll_interval: float = 1.0  # how often to look for rows queued by other processes
    max_attempts: int = 5
    backoff_base: float = 5.0  # seconds before the 2nd attempt; doubles after each failure
    backoff_cap: float = 600.0
    outage_after: int = 5  # consecutive 5xx/network errors before the whole sender slows down
    outage_pause_cap: float = 30.0
    broken_bot_pause: float = 60.0  # after 401/409
    request_timeout: float = 30.0
    # A row whose target_ref is not sent yet looks again after this many seconds.
    reference_wait: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> SenderConfig:
        config = cls(
            rate=settings.delivery_rate,
            per_chat_interval=settings.per_chat_interval,
            group_interval=settings.group_interval,
        )
        return replace(config, **overrides)  # type: ignore[arg-type]

    @property
    def claim_size(self) -> int:
        return self.batch_size or max(8, math.ceil(2 * self.rate))

    def backoff(self, attempts: int) -> timedelta:
        seconds = min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempts - 1))
        return timedelta(seconds=seconds)


@dataclass(slots=True)
class SenderStats:
    claimed: int = 0
    sent: int = 0
    retry_after: int = 0  # 429 answers received
    unreachable: int = 0
    retried: int = 0  # 5xx / network errors rescheduled
    failed: int = 0
    lost_leases: int = 0  # verdicts not recorded because another worker took the row
    started_at: float = field(default_factory=time.monotonic)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class DeliverySender:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: SenderConfig | None = None,
        *,
        worker_id: str | None = None,
        monotonic: Monotonic = time.monotonic,
        observers: Sequence[SendObserver] = (),
        threads: ThreadResolver | None = None,
    ) -> None:
        self.config = config or SenderConfig()
        self._observers = tuple(observers)
        self._threads = threads
        self.worker_id = worker_id or default_worker_id()
        self.stats = SenderStats()
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._mono = monotonic
        self._bucket = TokenBucket(self.config.rate, self.config.burst, monotonic)
        self._spacing = ChatSpacing(
            self.config.per_chat_interval, monotonic, group_interval=self.config.group_interval
        )
        self._heap: list[tuple[float, int, int, ClaimedRow]] = []
        self._order = itertools.count()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._paused_until = 0.0
        self._claim_at = 0.0
        self._drained = False  # the last claim found fewer due rows than it asked for
        self._housekeeping_at = 0.0
        self._consecutive_transient = 0
        self._claims = 0
        self._idle_waiters: list[tuple[int, asyncio.Future[None]]] = []
        # Rows whose verdict could not be written: still ours in the database, no longer held.
        self._orphans: set[int] = set()

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the sender is already running")
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"delivery-sender {self.worker_id}")

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the sends in flight, give every other claimed row back to pending."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._in_flight:
            _, unfinished = await asyncio.wait(set(self._in_flight), timeout=grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        self._heap.clear()
        released = await self._write(lambda repo: repo.release(self.worker_id))
        if released:
            log.info("delivery sender stopped; %s claimed messages returned to the queue", released)
        for _, waiter in self._idle_waiters:
            waiter.cancel()
        self._idle_waiters.clear()

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look at the queue now (new rows were committed)."""
        self._claim_at = 0.0
        self._wakeup.set()

    async def wait_idle(self, within: float) -> None:
        """Wait until a look at the queue that began after this call found nothing due and
        nothing is in flight or held (rows due later, e.g. in backoff, do not count)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle_waiters.append((self._claims, waiter))
        self.wake()
        try:
            await asyncio.wait_for(waiter, within)
        finally:
            self._idle_waiters = [(n, w) for n, w in self._idle_waiters if w is not waiter]

    # ----------------------------------------------------------------- the loop

    async def _run(self) -> None:
        log.info(
            "delivery sender %s started: %.1f msg/s, %.1fs per private chat, %.1fs per group",
            self.worker_id,
            self.config.rate,
            self.config.per_chat_interval,
            self.config.group_interval,
        )
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self._step()
            except Exception:
                # The database may be locked or gone for a moment; the queue survives it.
                log.exception("delivery sender step failed; retrying in a second")
                await self._sleep_until(self._mono() + 1.0)

    async def _step(self) -> None:
        now = self._mono()
        if now >= self._housekeeping_at:
            await self._housekeeping()
            self._housekeeping_at = now + min(
                self.config.housekeeping_interval, self.config.lease.total_seconds() / 4
            )
        if self._room() and now >= self._claim_at:
            await self._claim(self._room())
        # Only a claim that could take rows is worth waking up for (no spinning while full).
        next_claim = self._claim_at if self._room() else math.inf
        if not self._heap:
            await self._sleep_until(min(next_claim, self._housekeeping_at))
            return
        ready_at, _, _, row = self._heap[0]
        start_at = max(ready_at, self._paused_until)
        if start_at > now:
            await self._sleep_until(min(start_at, next_claim, self._housekeeping_at))
            return
        delay = self._bucket.delay()
        if delay > 0:
            await self._sleep_until(now + delay)
            return
        if len(self._in_flight) >= self.config.concurrency:
            await self._sleep_until(self._housekeeping_at)  # a finishing send wakes us
            return
        heapq.heappop(self._heap)
        self._bucket.take()
        self._spacing.record(row.chat_id)
        task = asyncio.create_task(self._send(row))
        self._in_flight.add(task)

    def _room(self) -> int:
        """Rows to claim now: none until half the batch is free, so claims stay few."""
        room = self.config.claim_size - len(self._heap) - len(self._in_flight)
        return room if room * 2 >= self.config.claim_size else 0

    async def _sleep_until(self, moment: float) -> None:
        timeout = moment - self._mono()
        if timeout <= 0 or self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def _housekeeping(self) -> None:
        now = self._clock.now()
        reclaimed = await self._write(
            lambda repo: repo.reclaim_expired(now, except_worker=self.worker_id)
        )
        if reclaimed:
            log.warning("returned %s messages of a stopped worker to the queue", reclaimed)
        if self._orphans:
            orphans = list(self._orphans)
            await self._write(lambda repo: repo.release(self.worker_id, orphans))
            self._orphans.difference_update(orphans)
        if self._heap or self._in_flight:
            lease_until = now + self.config.lease
            await self._write(lambda repo: repo.renew_leases(self.worker_id, lease_until))

    async def _claim(self, limit: int) -> None:
        self._claims += 1
        claim_no = self._claims
        now = self._clock.now()
        batch = await self._write(
            lambda repo: repo.claim(
                self.worker_id, now=now, lease_until=now + self.config.lease, limit=limit
            )
        )
        self.stats.claimed += len(batch.rows)
        for row in batch.rows:
            self._hold(row, self._spacing.ready_at(row.chat_id))
        self._drained = batch.candidates < limit
        if not batch.rows and batch.candidates:
            # Another worker took these very rows; there are more behind them.
            self._claim_at = self._mono() + _RACE_RETRY
        elif self._drained:
            # Look again at the next poll, a wake-up, or a finished send (whose chat's next
            # message could not be claimed while it was in flight).
            self._claim_at = self._mono() + self.config.poll_interval
        if not batch.candidates and not self._heap and not self._in_flight:
            self._notify_idle(claim_no)

    def _hold(self, row: ClaimedRow, ready_at: float) -> None:
        heapq.heappush(self._heap, (ready_at, row.priority, next(self._order), row))

    def _notify_idle(self, claim_no: int) -> None:
        for started, waiter in self._idle_waiters:
            if started < claim_no and not waiter.done():
                waiter.set_result(None)

    # ----------------------------------------------------------------- one message

    async def _send(self, row: ClaimedRow) -> None:
        try:
            outcome = await self._attempt(row)
            reports = await self._record(row, outcome)
            await self._report(reports)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Most likely the database is unreachable; housekeeping gives the row back later.
            log.exception("recording the delivery of outbox row %s failed", row.id)
            self._orphans.add(row.id)
        finally:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.discard(task)
            if self._drained:
                self._claim_at = 0.0
            self._wakeup.set()

    async def _attempt(self, row: ClaimedRow) -> Outcome | Deferred:
        target: int | None = None
        ref = row.target_ref
        if ref is not None:
            found = await self._write(lambda repo: repo.target_of(ref))
            wait = timedelta(seconds=self.config.reference_wait)
            resolved = target_message(row, found, now=self._clock.now(), wait=wait)
            if isinstance(resolved, Deferred | Rejected):
                return resolved
            target = resolved
        return await deliver(
            self._bot,
            row,
            request_timeout=self.config.request_timeout,
            target=target,
            threads=self._threads,
        )

    async def _record(self, row: ClaimedRow, outcome: Outcome | Deferred) -> list[Report]:
        """Write the verdict; returns what the observers are to be told."""
        worker = self.worker_id
        now = self._clock.now()
        summary = row.summary()
        if isinstance(outcome, Deferred):
            log.debug("outbox row %s waits: %s", row.id, outcome.reason)
            await self._write(lambda repo: repo.release(worker, [row.id], not_before=outcome.until))
            return []
        if isinstance(outcome, Delivered):
            self._consecutive_transient = 0
            self.stats.sent += 1
            owned = await self._write(
                lambda repo: repo.mark_sent(
                    row.id,
                    worker,
                    sent_at=now,
                    telegram_message_id=outcome.message_id,
                    document_file_id=outcome.file_id,
                )
            )
            self._check_lease(row, owned)
            return [(summary, SendOutcome(SendResult.OK, message_id=outcome.message_id))]
        if isinstance(outcome, RetryAfter):
            # Telegram's flood control covers the whole bot: everything waits, nothing is lost.
            self.stats.retry_after += 1
            self._pause(outcome.seconds)
            log.warning("429 from Telegram: pausing all sends for %.0fs", outcome.seconds)
            self._hold(row, self._paused_until)
            reason = f"retry after {outcome.seconds:.0f}s"
            return [(summary, SendOutcome(SendResult.RATE_LIMITED, reason=reason))]
        if isinstance(outcome, Unreachable):
            self.stats.unreachable += 1
            skipped = await self._mark_unreachable(row, outcome.reason)
            blocked = SendOutcome(SendResult.BLOCKED, reason=outcome.reason)
            also = replace(blocked, attempted=False)
            return [(summary, blocked), *((other, also) for other in skipped)]
        if isinstance(outcome, Transient):
            self._consecutive_transient += 1
            verdict = await self._retry_or_fail(
                row, outcome.reason, self.config.backoff(row.attempts + 1)
            )
            over = self._consecutive_transient - self.config.outage_after
            if over >= 0:
                # Telegram looks down: probe slowly instead of burning every row's attempts.
                self._pause(min(self.config.outage_pause_cap, 2.0**over))
            return [(summary, verdict)]
        if isinstance(outcome, ThreadLost):
            await self._forget_thread(row)
            # The resolver makes a new topic on the next attempt: no reason to wait.
            return [(summary, await self._retry_or_fail(row, outcome.reason, timedelta(0)))]
        if isinstance(outcome, Rejected):
            self.stats.failed += 1
            log.warning("outbox row %s rejected: %s", row.id, outcome.reason)
            owned = await self._write(
                lambda repo: repo.mark_failed(row.id, worker, error=outcome.reason)
            )
            self._check_lease(row, owned)
            return [(summary, SendOutcome(SendResult.FAILED, reason=outcome.reason))]
        if isinstance(outcome, BotBroken):
            log.error("Telegram refuses the bot (%s); pausing delivery", outcome.reason)
            self._pause(self.config.broken_bot_pause)
            self._hold(row, self._paused_until)
            return [(summary, SendOutcome(SendResult.REFUSED, reason=outcome.reason))]
        assert_never(outcome)

    async def _report(self, reports: list[Report]) -> None:
        for summary, outcome in reports:
            for observer in self._observers:
                try:
                    told = observer(summary, outcome)
                    if inspect.isawaitable(told):
                        await told
                except Exception:
                    log.exception("an outbox observer failed on row %s", summary.id)

    async def _mark_unreachable(self, row: ClaimedRow, reason: str) -> list[RowSummary]:
        """Skip the row and the chat's whole queue; returns the other rows skipped."""

        async def apply(session: AsyncSession) -> tuple[bool, list[RowSummary]]:
            repo = OutboxRepository(session)
            owned = await repo.mark_skipped(row.id, self.worker_id, reason=reason)
            await UserRepository(session).mark_unreachable(row.chat_id, reason)
            skipped = await repo.skip_pending_for_chat(row.chat_id, reason=reason)
            # No chat id at INFO: logs are not a place for personal data.
            log.info("a chat is unreachable (%s); %s queued messages skipped", reason, len(skipped))
            return owned, skipped

        owned, skipped = await self._transaction(apply)
        self._check_lease(row, owned)
        return skipped

    async def _forget_thread(self, row: ClaimedRow) -> None:
        if self._threads is None or row.thread_key is None:
            return
        log.warning("outbox row %s: its forum topic is gone; asking for a new one", row.id)
        try:
            await self._threads.thread_lost(row.chat_id, row.thread_key)
        except Exception:
            log.exception("the thread resolver failed to forget a lost topic")

    async def _retry_or_fail(self, row: ClaimedRow, reason: str, delay: timedelta) -> SendOutcome:
        attempts = row.attempts + 1
        if self._last_attempt(row):
            self.stats.failed += 1
            error = f"gave up after {attempts} attempts: {reason}"
            log.warning("outbox row %s failed: %s", row.id, error)
            owned = await self._write(
                lambda repo: repo.mark_failed(row.id, self.worker_id, error=error)
            )
            verdict = SendOutcome(SendResult.FAILED, reason=error)
        else:
            self.stats.retried += 1
            not_before = self._clock.now() + delay
            owned = await self._write(
                lambda repo: repo.retry_later(
                    row.id, self.worker_id, not_before=not_before, error=reason
                )
            )
            verdict = SendOutcome(SendResult.RETRY, reason=reason)
        self._check_lease(row, owned)
        return verdict

    def _last_attempt(self, row: ClaimedRow) -> bool:
        return row.attempts + 1 >= self.config.max_attempts

    def _pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._mono() + seconds)
        self._bucket.empty()

    def _check_lease(self, row: ClaimedRow, owned: bool) -> None:
        if not owned:
            self.stats.lost_leases += 1
            log.warning("outbox row %s was taken over by another worker (lease expired)", row.id)

    # ----------------------------------------------------------------- database

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in its own short transaction, retrying a locked/unavailable database."""
        for attempt in range(1, 4):
            try:
                async with self._sessionmaker() as session, session.begin():
                    return await work(session)
            except DBAPIError:
                if attempt == 3:
                    raise
                log.warning("outbox database write failed; retrying", exc_info=True)
                await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    async def _write(self, work: Callable[[OutboxRepository], Awaitable[T]]) -> T:
        return await self._transaction(lambda session: work(OutboxRepository(session)))
