"""The desk's ThreadResolver: turns a question's thread_key into its forum topic in the
consultants' group, creating the topic (and, when someone deleted it, posting the card again
first) with aiogram. What to create and what to record is decided by
bot.services.desk.workspace; each step is its own short transaction, never open across a call to
Telegram. The sender calls this for one chat at a time, so a topic is never created twice at once.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Keyboard
from bot.services.desk.relay import ticket_of_thread_key
from bot.services.desk.tickets import DeskContext
from bot.services.desk.workspace import WorkspaceTopics


def inline_markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton.model_validate(button.as_dict()) for button in row]
            for row in keyboard
        ]
    )


class DeskTopicResolver:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], context: DeskContext):
        self._sessionmaker = sessionmaker
        self._context = context

    def _ticket(self, thread_key: str) -> int:
        ticket_id = ticket_of_thread_key(thread_key)
        if ticket_id is None:
            raise ValueError(f"thread_key {thread_key!r} is not a desk question's")
        return ticket_id

    async def thread_id(self, bot: Bot, chat_id: int, thread_key: str) -> int:
        ticket_id = self._ticket(thread_key)
        async with self._sessionmaker() as session:
            plan = await WorkspaceTopics(session, self._context).plan(ticket_id)
        if plan.thread_id is not None:
            return plan.thread_id
        topic = await bot.create_forum_topic(chat_id, plan.name)
        card_message_id = None
        if plan.card is not None:
            card = await bot.send_message(
                chat_id,
                plan.card.text,
                message_thread_id=topic.message_thread_id,
                reply_markup=inline_markup(plan.card.keyboard),
            )
            card_message_id = card.message_id
        async with self._sessionmaker() as session, session.begin():
            await WorkspaceTopics(session, self._context).created(
                ticket_id, topic.message_thread_id, card_message_id
            )
        return topic.message_thread_id

    async def thread_lost(self, chat_id: int, thread_key: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await WorkspaceTopics(session, self._context).lost(self._ticket(thread_key))
