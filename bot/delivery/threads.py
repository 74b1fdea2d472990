"""Forum topics by name: the sender asks a ThreadResolver which message_thread_id a row's
``thread_key`` stands for, at send time.

The resolver belongs to whoever owns the topics (the consultant desk): it may create the topic on
its first use (``bot.create_forum_topic``) and remember the id. When Telegram answers "message
thread not found" (the topic was deleted by hand), the sender calls ``thread_lost`` and tries the
row again soon; the resolver then creates a new topic on the next ``thread_id``.

The sender calls ``thread_id`` for one chat at a time (a chat never has two rows in flight,
across all sender processes), so a resolver need not guard against creating a topic twice for
the same chat. Telegram errors it raises (429, 403, 400) are the row's verdict like a send's;
any other exception retries the row later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aiogram import Bot


class ThreadResolver(Protocol):
    async def thread_id(self, bot: Bot, chat_id: int, thread_key: str) -> int:
        """The message_thread_id of topic ``thread_key`` in forum ``chat_id``."""
        ...

    async def thread_lost(self, chat_id: int, thread_key: str) -> None:
        """Telegram says the topic is gone: forget it, a new one is needed."""
        ...
