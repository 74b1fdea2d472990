"""Long polling that confirms an update to Telegram only after its handling finished.

aiogram's own polling confirms a batch (the next getUpdates offset) as soon as it was received,
so a crash loses whatever was being handled. Here the offset never moves past an update still in
hand: Telegram keeps redelivering it until then, and a redelivery of one handled before the crash
is recognised by its recorded id (`bot.updates.transaction`).

Updates are parsed one by one: one that aiogram cannot parse is logged and skipped instead of
failing the whole batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramConflictError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

log = logging.getLogger(__name__)

# Update types Telegram knows: aiogram-dialog adds an internal one that must not be requested.
TELEGRAM_UPDATE_TYPES = frozenset(Update.model_fields) - {"update_id"}


def carries_an_event(update: Update) -> bool:
    """False for an update with no event aiogram knows (``"message": null``, a type newer than
    aiogram): the dispatcher would raise on it, so it is logged and skipped like a malformed one."""
    try:
        update.event_type  # noqa: B018 - the lookup is the check
    except UpdateTypeLookupError:
        return False
    return True


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates, with each update left as JSON to be parsed on its own."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class TokenRejected(RuntimeError):
    """Telegram answered 401: the token was revoked or is wrong."""


class ExactlyOncePolling:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        allowed_updates: Iterable[str],
        timeout: int = 25,
        concurrency: int = 64,
        max_backoff: float = 30.0,
        on_update_done: Callable[[int], None] | None = None,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._allowed = sorted(set(allowed_updates) & TELEGRAM_UPDATE_TYPES)
        self._timeout = timeout
        # Fewer than getUpdates' limit of 100, so new updates still arrive beside those in hand.
        self._concurrency = min(concurrency, 90)
        self._max_backoff = max_backoff
        self._on_update_done = on_update_done
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._finished: deque[int] = deque(maxlen=2000)
        self._finished_set: set[int] = set()
        self._highest = -1
        self._stopping = asyncio.Event()
        self._progress = asyncio.Event()

    @property
    def in_hand(self) -> int:
        return len(self._in_hand)

    def stop(self) -> None:
        self._stopping.set()

    def _offset(self) -> int | None:
        """Confirms everything below the oldest update still in hand (or everything seen)."""
        if self._in_hand:
            return min(self._in_hand)
        return self._highest + 1 if self._highest >= 0 else None

    async def run(self) -> None:
        backoff = 1.0
        try:
            while not self._stopping.is_set():
                try:
                    batch = await self._fetch()
                except TelegramUnauthorizedError as exc:
                    raise TokenRejected(exc.message) from None
                except TelegramConflictError as exc:
                    log.error(
                        "another process polls this bot (%s): run only one instance per token",
                        exc.message,
                    )
                    await self._pause(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
                    log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
                    await self._pause(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                backoff = 1.0
                if batch is None:
                    continue
                new = self._start(batch)
                if not new and self._in_hand:
                    # Only updates already in hand came back: wait for one to finish rather
                    # than asking Telegram again at once.
                    await self._wait_for_progress()
                while len(self._in_hand) >= self._concurrency:
                    await self._wait_for_progress()
        finally:
            await self._finish()

    async def _fetch(self) -> list[dict[str, Any]] | None:
        request = asyncio.ensure_future(
            self._bot(
                GetRawUpdates(
                    offset=self._offset(),
                    timeout=self._timeout,
                    allowed_updates=self._allowed,
                ),
                request_timeout=self._timeout + 10,
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            done, _ = await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if request not in done:
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await request
            return None
        return request.result()

    def _start(self, batch: list[dict[str, Any]]) -> int:
        started = 0
        for raw in batch:
            update_id = raw.get("update_id")
            if not isinstance(update_id, int):
                log.warning("an update without an id was skipped")
                continue
            if update_id in self._in_hand or update_id in self._finished_set:
                continue
            self._highest = max(self._highest, update_id)
            try:
                update = Update.model_validate(raw, context={"bot": self._bot})
            except ValidationError as exc:
                log.warning(
                    "update %s could not be parsed and was skipped: %s",
                    update_id,
                    exc.errors(include_url=False, include_input=False)[:3],
                )
                self._remember(update_id)
                continue
            if not carries_an_event(update):
                log.warning("update %s has no event this bot knows and was skipped", update_id)
                self._remember(update_id)
                continue
            task = asyncio.create_task(self._handle(update), name=f"update-{update_id}")
            self._in_hand[update_id] = task
            started += 1
        return started

    async def _handle(self, update: Update) -> None:
        try:
            await self._dispatcher.feed_update(self._bot, update)
        except Exception:
            # The dispatcher's error handlers have run; this is their own failure.
            log.exception("update %s failed", update.update_id)
        finally:
            self._in_hand.pop(update.update_id, None)
            self._remember(update.update_id)
            if self._on_update_done is not None:
                self._on_update_done(update.update_id)
            self._progress.set()

    def _remember(self, update_id: int) -> None:
        if len(self._finished) == self._finished.maxlen:
            self._finished_set.discard(self._finished[0])
        self._finished.append(update_id)
        self._finished_set.add(update_id)

    async def _wait_for_progress(self) -> None:
        self._progress.clear()
        waiters = {
            asyncio.ensure_future(self._progress.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        }
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _finish(self) -> None:
        """Let the updates in hand finish, then confirm them to Telegram."""
        if self._in_hand:
            await asyncio.gather(*self._in_hand.values(), return_exceptions=True)
        offset = self._offset()
        if offset is None:
            return
        try:
            await self._bot(GetRawUpdates(offset=offset, timeout=0, limit=1))
        except Exception as exc:
            # Unconfirmed updates come back after a restart and are recognised as handled. An
            # expected failure (a token just revoked, the network gone): one line, no traceback.
            log.info("could not confirm the last updates to Telegram: %s", exc)
            log.debug("confirming the last updates failed", exc_info=True)
