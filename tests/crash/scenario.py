"""What the crash and fault tests do as people, and what they read back from the bot's database.

The bot runs in another process: the test reads the database through an engine of its own
(deferred transactions, so a read never takes SQLite's write lock from the bot).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.sandbox.client import SimUser
from bot.sandbox.models import BotMessage
from bot.sandbox.updates import UpdateQueue
from db.base import Base
from db.models.events import Event, EventSubscription
from db.models.faq import FaqSearchRecord
from db.models.updates import ProcessedUpdate
from db.models.users import User

DONE = "✅"  # how every "saved" / "deleted" confirmation of the bot begins

FAR_AHEAD = "15.06.2027 14:00"  # a start no reminder is due for during a test


def wizard_answers(title: str, start: str = FAR_AHEAD) -> list[tuple[str, str]]:
    """The admin's answers to the event wizard after the category, each with the prompt that
    follows it (the last one asks for the region)."""
    return [
        (f"{title} (kk)", "на русском"),
        (title, "описание на казахском"),
        ("Сипаттама", "описание на русском"),
        ("Описание", "Когда начало"),
        (start, "Когда окончание"),
        ("2ч", "Где?"),
        ("Алматы, Абая 1", "Для какого региона"),
    ]


# ---------------------------------------------------------------------------- updates pushed


class PushedUpdates(UpdateQueue):
    """The fake server's update queue, remembering every update pushed: its id, and which
    message or button press it carried."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []
        self.by_message: dict[tuple[int, int], int] = {}
        self.by_query: dict[str, int] = {}

    def push_raw(self, fields: dict[str, Any]) -> int:
        update_id = super().push_raw(fields)
        self.ids.append(update_id)
        message = fields.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            self.by_message[(message["chat"]["id"], message["message_id"])] = update_id
        query = fields.get("callback_query")
        if isinstance(query, dict):
            self.by_query[str(query["id"])] = update_id
        return update_id

    def of_message(self, user: SimUser, message_id: int) -> int:
        return self.by_message[(user.chat_id, message_id)]


def record_pushes(server: Any) -> PushedUpdates:
    """Swap the (still empty) update queue of `server` for one that remembers its pushes."""
    queue = PushedUpdates()
    queue.on_park = server.notify_activity
    server.updates = queue
    return queue


# ---------------------------------------------------------------------------- people


async def onboard(user: SimUser, region: str = "Алматы", *, within: float = 20) -> None:
    """/start, Russian, a region (or "Пропустить"): the menu."""
    user.mark_read()
    await user.send("/start")
    await user.wait_for(lambda m: "Русский" in " ".join(m.button_texts()), timeout=within)
    await user.press("Русский")
    await user.wait_text("В каком регионе", timeout=within)
    await user.press(region)
    await user.wait_text("меню", timeout=within)


async def open_event_wizard(admin: SimUser, *, within: float = 20) -> BotMessage:
    """/admin → Events → New event → Seminars: the wizard asks for the Kazakh title."""
    admin.mark_read()
    await admin.send("/admin")
    await admin.wait_text("Администрирование", timeout=within)
    await admin.press("События и сроки")
    await admin.wait_text("(управление)", timeout=within)
    await admin.press("Новое событие")
    await admin.wait_text("шаг 1 из 9", timeout=within)
    await admin.press("Семинары")
    return await admin.wait_text("название на казахском", timeout=within)


def done_texts(user: SimUser) -> list[str]:
    """Every confirmation the person was shown (message texts and button toasts), in order."""
    shown = [e.message.text for e in user.state.events if e.kind != "delete"]
    shown += user.alerts
    return [text for text in shown if text.lstrip().startswith(DONE)]


# ---------------------------------------------------------------------------- the database


class BotDatabase:
    """The test's read-only view of the database the bot process writes."""

    def __init__(self, url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def close(self) -> None:
        await self.engine.dispose()

    async def scalar(self, statement: Any) -> Any:
        async with self._sessions() as session:
            return await session.scalar(statement)

    async def scalars(self, statement: Any) -> list[Any]:
        async with self._sessions() as session:
            return list(await session.scalars(statement))

    async def processed(self) -> set[int]:
        return set(await self.scalars(select(ProcessedUpdate.update_id)))

    async def times_processed(self, update_id: int) -> int:
        return int(
            await self.scalar(select(func.count()).where(ProcessedUpdate.update_id == update_id))
        )

    async def user(self, user_id: int) -> User | None:
        return await self.scalar(select(User).where(User.id == user_id))  # type: ignore[no-any-return]

    async def subscriptions(self, user_id: int) -> set[str]:
        return set(
            await self.scalars(
                select(EventSubscription.category).where(EventSubscription.user_id == user_id)
            )
        )

    async def searches(self, query: str) -> int:
        return int(await self.scalar(select(func.count()).where(FaqSearchRecord.query == query)))

    async def search_counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(FaqSearchRecord.query, func.count()).group_by(FaqSearchRecord.query)
            )
            return {query: int(count) for query, count in rows}

    async def events_titled(self, title: str) -> int:
        return int(await self.scalar(select(func.count()).where(Event.title_ru == title)))

    async def event_title_counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(Event.title_ru, func.count())
                .where(Event.builtin_key.is_(None))
                .group_by(Event.title_ru)
            )
            return {title: int(count) for title, count in rows}

    async def rows_holding(self, value: int) -> list[str]:
        """Every row of every table with a column equal to `value` (a person's id)."""
        found = []
        async with self._sessions() as session:
            for table in Base.metadata.sorted_tables:
                if table.name == ProcessedUpdate.__tablename__:
                    continue  # update ids, not people
                for row in (await session.execute(select(table))).all():
                    if any(cell == value for cell in row):
                        found.append(f"{table.name}: {tuple(row)}")
        return found
