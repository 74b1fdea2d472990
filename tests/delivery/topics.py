"""A ThreadResolver as the desk might write one: one topic per key, created on first use."""

from __future__ import annotations

from aiogram import Bot


class TopicsByKey:
    def __init__(self) -> None:
        self.threads: dict[tuple[int, str], int] = {}
        self.created: list[str] = []  # keys, once per topic created
        self.lost: list[str] = []

    async def thread_id(self, bot: Bot, chat_id: int, thread_key: str) -> int:
        known = self.threads.get((chat_id, thread_key))
        if known is None:
            topic = await bot.create_forum_topic(chat_id, name=thread_key)
            known = self.threads[(chat_id, thread_key)] = topic.message_thread_id
            self.created.append(thread_key)
        return known

    async def thread_lost(self, chat_id: int, thread_key: str) -> None:
        self.lost.append(thread_key)
        self.threads.pop((chat_id, thread_key), None)
