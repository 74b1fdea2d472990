"""Telegram-like flood control for message-sending methods.

Telegram publishes only approximate limits; these token buckets reproduce their shape so the bot's
own throttling and 429 handling can be tested. A refused call costs nothing, like on Telegram.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Limits per the README; ``None`` disables one limit."""

    global_per_second: float | None = 30.0
    per_chat_per_second: float | None = 1.0
    # Private chats tolerate short bursts (a reply plus a keyboard, say).
    per_chat_burst: int = 3
    group_per_minute: float | None = 20.0


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_time(self, count: int = 1) -> float:
        """Seconds until ``count`` tokens are available (after refill)."""
        needed = min(float(count), self.capacity)
        if self.tokens >= needed:
            return 0.0
        return (needed - self.tokens) / self.rate


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        now = clock()
        self._global = (
            _Bucket(limits.global_per_second, limits.global_per_second, now)
            if limits.global_per_second
            else None
        )
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}

    def acquire(self, chat_id: int, count: int = 1) -> int | None:
        """Take ``count`` send slots for ``chat_id`` (an album takes one per message); return
        retry_after seconds when refused, in which case nothing is taken."""
        now = self.clock()
        buckets: list[_Bucket] = []
        if self._global is not None:
            buckets.append(self._global)
        lim = self.limits
        if lim.per_chat_per_second:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = _Bucket(lim.per_chat_per_second, max(lim.per_chat_burst, 1), now)
                self._chats[chat_id] = bucket
            buckets.append(bucket)
        if chat_id < 0 and lim.group_per_minute:
            bucket = self._groups.get(chat_id)
            if bucket is None:
                bucket = _Bucket(lim.group_per_minute / 60.0, lim.group_per_minute, now)
                self._groups[chat_id] = bucket
            buckets.append(bucket)
        wait = 0.0
        for bucket in buckets:
            bucket.refill(now)
            wait = max(wait, bucket.wait_time(count))
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= count
        return None
