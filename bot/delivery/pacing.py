"""Send pacing on the real monotonic clock: an overall token bucket and a per-chat spacing.

Telegram allows about 30 messages a second overall, about one a second per private chat and
about 20 a minute per group. A token
bucket refilled at the configured rate with a small burst keeps every window, however it is cut,
under ``burst + rate × window``; at 25/s with a burst of 5 that stays below 30/s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Monotonic = Callable[[], float]
_EPSILON = 1e-9


class TokenBucket:
    def __init__(self, rate: float, burst: float, clock: Monotonic = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def delay(self) -> float:
        """Seconds until a token is available; 0 means take one now."""
        self._refill()
        if self._tokens >= 1.0 - _EPSILON:  # float refills land a hair below whole tokens
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self._tokens -= 1.0

    def empty(self) -> None:
        """After a pause, start again at the steady rate rather than with a burst."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)


class ChatSpacing:
    """When each chat may receive its next message; forgets chats once they are free again.

    Groups (negative chat ids) get their own, longer interval: Telegram allows about 20
    messages a minute in one group, against about one a second in a private chat.
    """

    _PRUNE_ABOVE = 5000

    def __init__(
        self,
        interval: float,
        clock: Monotonic = time.monotonic,
        *,
        group_interval: float | None = None,
    ) -> None:
        self.interval = interval
        self.group_interval = interval if group_interval is None else group_interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def interval_for(self, chat_id: int) -> float:
        return self.group_interval if chat_id < 0 else self.interval

    def ready_at(self, chat_id: int) -> float:
        return self._next.get(chat_id, 0.0)

    def record(self, chat_id: int) -> None:
        now = self._clock()
        if len(self._next) > self._PRUNE_ABOVE:
            self._next = {chat: at for chat, at in self._next.items() if at > now}
        self._next[chat_id] = now + self.interval_for(chat_id)
