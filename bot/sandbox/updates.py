"""The pending-updates queue behind getUpdates (and webhook delivery).

Semantics follow Telegram: an update stays queued until a getUpdates call passes an ``offset``
above its id, so a bot that crashes between receiving and confirming sees it again. A long poll
waits on an event rather than sleeping, so it answers as soon as something is pushed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.sandbox.errors import ApiError

# Telegram's default when allowed_updates is empty or never given.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_POLL_TIMEOUT = 50.0


class UpdateQueue:
    _REMEMBER_CONFIRMED = 1000

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._confirmed: dict[int, dict[str, Any]] = {}
        self._next_id = first_update_id
        self._first_id = first_update_id
        self._wake = asyncio.Event()
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self._closed = False
        self.dropped = 0  # updates filtered out by allowed_updates
        self.waiting = 0  # long polls parked right now
        self.on_park: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def pushed(self) -> int:
        """How many updates were queued so far (filtered ones not counted)."""
        return self._next_id - self._first_id

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    @property
    def closed(self) -> bool:
        return self._closed

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update; return its id, or None when allowed_updates filters it out."""
        if self._allowed is None:
            if kind in DEFAULT_EXCLUDED:
                self.dropped += 1
                return None
        elif kind not in self._allowed:
            self.dropped += 1
            return None
        return self.push_raw({kind: payload})

    def push_raw(self, fields: dict[str, Any]) -> int:
        """Queue an update made of ``fields`` as given (no filtering, no checks)."""
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, **fields})
        self._notify()
        return update_id

    def remove(self, update_id: int) -> None:
        """Confirm one update (webhook deliveries finish in any order)."""
        for index, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[index]
                return

    def changed(self) -> asyncio.Event:
        """An event set at the next push (or close)."""
        return self._wake

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return  # "If not specified, the previous setting will be used."
        self._allowed = frozenset(allowed) if allowed else None

    def confirm(self, offset: int) -> None:
        pending = self._pending
        if offset < 0:
            keep = -offset
            while len(pending) > keep:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            update = pending.popleft()
            self._confirmed[update["update_id"]] = update
            if len(self._confirmed) > self._REMEMBER_CONFIRMED:
                self._confirmed.pop(next(iter(self._confirmed)))

    def redeliver(self, update_id: int) -> None:
        """Deliver a confirmed update again, as Telegram does when it did not see the confirmation
        (the bot crashed before its next getUpdates)."""
        update = self._confirmed.pop(update_id)
        self._pending.appendleft(update)
        self._pending = deque(sorted(self._pending, key=lambda u: u["update_id"]))
        self._notify()

    def clear(self) -> None:
        self._pending.clear()

    def take(self, limit: int) -> list[dict[str, Any]]:
        if not self._pending:
            return []
        if limit >= len(self._pending):
            return list(self._pending)
        return [self._pending[i] for i in range(limit)]

    async def poll(self, offset: int | None, limit: int, wait: float) -> list[dict[str, Any]]:
        """One getUpdates call; a newer poll makes this one fail with 409 like on Telegram."""
        if offset is not None:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # A previous long poll still waiting belongs to a dead or duplicate poller.
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(wait, 0.0), MAX_POLL_TIMEOUT)
        while True:
            if self._closed:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request")
            batch = self.take(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            wake = self._wake
            self.waiting += 1
            if self.on_park is not None:
                self.on_park()
            try:
                async with asyncio.timeout(remaining):
                    await wake.wait()
            except TimeoutError:
                return []
            finally:
                self.waiting -= 1

    def close(self) -> None:
        """Release every waiting long poll (server shutdown)."""
        self._closed = True
        self._notify()

    def reopen(self) -> None:
        self._closed = False
