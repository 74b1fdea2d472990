"""Webhook delivery: POST pending updates to the bot like Telegram does.

Up to ``max_connections`` updates are in flight at once (setWebhook's parameter, or
``concurrency``). By default nothing else orders them, so two updates of one user may be handled
at the same time, in any order: harsher than Telegram, which tests the bot's own serialisation.
With a concurrency of 1 they go strictly in order, a failed one blocking the rest.

``per_chat_order`` models what Telegram does (not in the Bot API documentation, but observed and
described e.g. in grammY's deployment guide): the next update of a chat is posted only once the
bot confirmed the previous one of that chat; updates of different chats go concurrently. A
failed update holds back its chat's later ones, not the other chats'. The two-replica test
(tests/replicas/) assumes this delivery: it is what keeps one person's replies in order when
their updates go to different replicas.

An update is confirmed only by a 2xx answer; anything else (an error status, a refused
connection, a timeout) keeps it queued and it is posted again after ``retry_delay``.

In tests the updates can go to several URLs in turn instead of the registered one
(``targets``): the replicas behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST of an update: where it went and how the bot answered (0: no answer)."""

    update_id: int
    url: str
    status: int
    error: str | None = None


class WebhookDelivery:
    def __init__(self, server: FakeTelegramServer, retry_delay: float = 0.2) -> None:
        self.server = server
        self.retry_delay = retry_delay
        self.timeout = 60.0  # seconds Telegram waits for the bot's answer
        self.targets: list[str] | None = None
        self.concurrency: int | None = None
        self.per_chat_order = False
        self.delivered = 0
        self.failed_attempts = 0
        self.delivered_by_target: Counter[str] = Counter()
        self.attempts: list[Attempt] = []
        self._next_target = itertools.count()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._retry_at: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._kick = asyncio.Event()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _limit(self, hook: dict[str, Any]) -> int:
        return max(1, self.concurrency or int(hook.get("max_connections") or 40))

    def _pick_url(self, hook: dict[str, Any]) -> str:
        targets = self.targets
        if not targets:
            return str(hook["url"])
        return targets[next(self._next_target) % len(targets)]

    async def _run(self) -> None:
        server = self.server
        queue = server.updates
        loop = asyncio.get_running_loop()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                while server.webhook is not None and not queue.closed:
                    hook = server.webhook
                    changed = queue.changed()
                    self._kick.clear()
                    now = loop.time()
                    limit = self._limit(hook)
                    # Chats whose oldest pending update was met: their later ones wait.
                    held_chats: set[tuple[str, int]] = set()
                    for update in queue.pending:
                        if len(self._in_flight) >= limit:
                            break
                        update_id = int(update["update_id"])
                        if self.per_chat_order:
                            chat = update_chat(update)
                            if chat in held_chats:
                                continue
                            if chat is not None:
                                held_chats.add(chat)
                        if update_id in self._in_flight or self._retry_at.get(update_id, 0) > now:
                            if limit == 1:
                                break  # one at a time means in order: nothing overtakes
                            continue
                        self._retry_at.pop(update_id, None)
                        self._in_flight[update_id] = loop.create_task(
                            self._post(session, hook, update)
                        )
                    await self._wait(changed, loop)
        finally:
            for task in self._in_flight.values():
                task.cancel()
            self._in_flight.clear()

    async def _wait(self, changed: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
        """Until an update arrives, a delivery ends, or the next retry is due."""
        waits = [loop.create_task(changed.wait()), loop.create_task(self._kick.wait())]
        due = list(self._retry_at.values())
        delay = max(0.0, min(due) - loop.time()) if due else None
        try:
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()

    async def _post(
        self, session: aiohttp.ClientSession, hook: dict[str, Any], update: dict[str, Any]
    ) -> None:
        server = self.server
        update_id = int(update["update_id"])
        url = self._pick_url(hook)
        headers = {}
        if hook.get("secret_token"):
            headers[SECRET_HEADER] = hook["secret_token"]
        status, error = 0, None
        try:
            async with session.post(url, json=update, headers=headers) as response:
                status = response.status
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as e:
            error = f"Connection failed: {type(e).__name__}"
        finally:
            self._in_flight.pop(update_id, None)
            self._kick.set()
        self.attempts.append(Attempt(update_id, url, status, error))
        server.notify_activity()
        if error is None:
            server.updates.remove(update_id)
            self.delivered += 1
            self.delivered_by_target[url] += 1
        else:
            self.failed_attempts += 1
            server.webhook_last_error = (server.now(), error)
            self._retry_at[update_id] = asyncio.get_running_loop().time() + self.retry_delay


def update_chat(update: dict[str, Any]) -> tuple[str, int] | None:
    """The chat an update belongs to, for per-chat ordering (the user's id when the update has
    no chat, e.g. an inline query; None when it has neither)."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        for holder in (payload, payload.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return ("chat", int(holder["chat"]["id"]))
        sender = payload.get("from") or payload.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return ("user", int(sender["id"]))
    return None
