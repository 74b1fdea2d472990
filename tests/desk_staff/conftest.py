"""The consultants' side end to end: the real bot against the fake Telegram, with questions
created through the person's service (its own UI is tested elsewhere) and the staff driving
the desk by pressing buttons and writing in the forum topic or their private chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.sandbox.client import SimGroup, SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.sandbox.views import TopicView
from bot.services.desk.model import Incoming
from bot.testing import FakeClock, eventually
from db.models.desk import DeskBan
from db.repositories.desk import MessageDTO, MessageRepository, TicketDTO, TicketRepository

ALMATY = ZoneInfo("Asia/Almaty")
FORUM = -1001000000777
AIGERIM, BOLAT = 700001, 700002
PERSON = 700101
ORDINARY = 700201


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


# Monday 2 March 2026, 10:00 in Almaty: the desk is open.
MONDAY_10 = local(2026, 3, 2, 10, 0)


@dataclass
class Desk:
    running: RunningBot
    server: FakeTelegramServer
    clock: FakeClock

    @property
    def forum(self) -> SimGroup:
        return self.server.forum(FORUM)

    async def consultant(self, user_id: int, name: str) -> SimUser:
        user = await self.running.known_user(user_id, name, "ru")
        async with self.running.app.sessionmaker() as session, session.begin():
            await self.running.app.services.for_session(session).consultants.add(
                user_id, name, by=None
            )
        return user

    async def person(self, user_id: int = PERSON, name: str = "Асель", lang: str = "kk") -> SimUser:
        return await self.running.known_user(user_id, name, lang)

    async def ask(
        self, person: SimUser, text: str = "Қоғамдық қорды қалай тіркеймін?", *, photo: bool = True
    ) -> TicketDTO:
        """The person's question, as their ask dialog would store it: their message stays in
        their chat (the bot does not see it as an update) and the desk copies it from there."""
        with patch.object(self.server, "push_update", lambda *a, **k: None):
            if photo:
                message_id = await person.send_photo(text)
            else:
                message_id = await person.send(text)
        app = self.running.app
        async with app.sessionmaker() as session, session.begin():
            desk = app.services.for_session(session).desk
            await desk.start(person.id, language="kk", person_name=person.info["first_name"])
            await desk.add_to_draft(
                person.id,
                Incoming(
                    chat_id=person.id,
                    message_id=message_id,
                    author_id=person.id,
                    kind="photo" if photo else "text",
                    text=text,
                    media_group_id=None,
                    sent_at=self.clock.now(),
                ),
            )
            submitted = await desk.submit(person.id, "registration")
        app.outbox.wake()
        return submitted.ticket

    async def take(self, consultant: SimUser, ticket: TicketDTO) -> TopicView:
        """The consultant takes the question from its card in its forum topic; the topic."""
        topic = await self.forum.wait_topic(f"#{ticket.id}", timeout=15)
        card = await topic.wait_for(lambda m: m.has_buttons and f"#{ticket.id}" in m.text)
        await consultant.wait_answer(await consultant.press("✋", message=card, chat=topic))
        await self.until(ticket.id, lambda t: t.owner_id == consultant.id, "taken")
        return topic

    async def ticket(self, ticket_id: int) -> TicketDTO:
        async with self.running.app.sessionmaker() as session:
            ticket = await TicketRepository(session).get(ticket_id)
        assert ticket is not None
        return ticket

    async def messages(self, ticket_id: int) -> list[MessageDTO]:
        async with self.running.app.sessionmaker() as session:
            return await MessageRepository(session).of_ticket(ticket_id)

    async def bans(self) -> list[int]:
        async with self.running.app.sessionmaker() as session:
            return list((await session.scalars(select(DeskBan.user_id))).all())

    async def until(self, ticket_id: int, check: object, what: str) -> TicketDTO:
        async def probe() -> TicketDTO | None:
            ticket = await self.ticket(ticket_id)
            return ticket if check(ticket) else None  # type: ignore[operator]

        return await eventually(probe, what=what)


@pytest.fixture
def desk_clock() -> FakeClock:
    return FakeClock(MONDAY_10)


async def _desk(
    settings: Settings, telegram: FakeTelegramServer, clock: FakeClock, group: int | None
) -> AsyncIterator[Desk]:
    settings = settings.model_copy(
        update={
            "consultants_chat_id": group,
            "desk_auto_assign": False,
            # The fake server has no flood limits here: no need to space messages out.
            "group_interval": 0.0,
            "per_chat_interval": 0.0,
        }
    )
    if group is not None:
        telegram.forum(group, "Kenes consultants")
    running = await RunningBot.start(settings, telegram, clock=clock)
    try:
        yield Desk(running, telegram, clock)
    finally:
        await running.stop()


@pytest.fixture
async def desk(
    settings: Settings, telegram: FakeTelegramServer, desk_clock: FakeClock
) -> AsyncIterator[Desk]:
    """The desk with its consultants' forum group."""
    async for value in _desk(settings, telegram, desk_clock, FORUM):
        yield value


@pytest.fixture
async def private_desk(
    settings: Settings, telegram: FakeTelegramServer, desk_clock: FakeClock
) -> AsyncIterator[Desk]:
    """The desk without a group: consultants work in their private chats."""
    async for value in _desk(settings, telegram, desk_clock, None):
        yield value
