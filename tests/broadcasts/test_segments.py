"""Audiences against the database (SQLite and PostgreSQL): each filter's count is the set of
people it names, the copies queued set-based are exactly those people, each in their language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery import Outbox
from bot.i18n import create_i18n
from bot.services.broadcasts.content import BroadcastInputError, parse_buttons
from bot.services.broadcasts.service import (
    BroadcastContext,
    BroadcastNotAllowedError,
    BroadcastService,
    BroadcastStateError,
)
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.desk import Ticket
from db.models.outbox import OutboxMessage
from db.repositories.broadcasts import AudienceFilter, Version
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from handlers.broadcasts.notices import BroadcastNoticeTexts
from tests.conftest import ADMIN_ID, TEST_TOKEN

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
# id: (language, region, categories, consultant, reachable, asked days ago)
PEOPLE: dict[int, tuple[str | None, str | None, tuple[str, ...], bool, bool, int | None]] = {
    1: ("kk", "almaty", ("forum",), False, True, None),
    2: ("ru", "almaty", (), False, True, None),
    3: ("ru", "astana", ("seminar",), True, True, None),
    4: ("kk", "astana", ("forum", "seminar"), False, True, 3),
    5: ("ru", "shymkent", ("forum",), False, False, 1),
    6: (None, None, (), False, True, 40),
    ADMIN_ID: ("ru", None, (), False, True, None),
}


@pytest.fixture
async def env(
    any_database_url: str,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], BroadcastContext]]:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    sessionmaker = create_sessionmaker(engine)
    clock = FakeClock(NOW)
    settings = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=any_database_url,
        admin_ids=frozenset({ADMIN_ID}),
    )
    async with sessionmaker() as session, session.begin():
        users = UserRepository(session)
        for user_id, (lang, region, categories, consultant, reachable, asked) in PEOPLE.items():
            await users.touch(user_id, NOW)
            if lang:
                await users.set_language(user_id, lang)
            await users.set_region(user_id, region)
            if consultant:
                await users.set_role(user_id, "consultant")
            if not reachable:
                await users.mark_unreachable(user_id, "Forbidden: bot was blocked by the user")
            for category in categories:
                await SubscriptionRepository(session).subscribe(user_id, category, NOW)
            if asked is not None:
                session.add(
                    Ticket(
                        user_id=user_id,
                        language=lang or "ru",
                        person_name="x",
                        status="answered",
                        created_at=NOW - timedelta(days=asked),
                        submitted_at=NOW - timedelta(days=asked),
                    )
                )
    texts = BroadcastNoticeTexts(create_i18n(), settings.tz)
    try:
        yield sessionmaker, BroadcastContext(settings, clock, Outbox(clock), texts)
    finally:
        await engine.dispose()


def expected(audience: AudienceFilter) -> set[int]:
    chosen = set()
    for user_id, (lang, region, categories, consultant, reachable, asked) in PEOPLE.items():
        if not reachable:
            continue
        if audience.only_user is not None and user_id != audience.only_user:
            continue
        if audience.languages and lang not in audience.languages:
            continue
        if audience.regions and region not in audience.regions:
            continue
        if audience.categories and not set(categories) & set(audience.categories):
            continue
        if audience.asked_days is not None and (asked is None or asked > audience.asked_days):
            continue
        if audience.consultants and not consultant:
            continue
        chosen.add(user_id)
    return chosen


AUDIENCES = [
    AudienceFilter(),
    AudienceFilter(languages=("kk",)),
    AudienceFilter(languages=("ru",)),
    AudienceFilter(regions=("almaty", "astana")),
    AudienceFilter(categories=("forum",)),
    AudienceFilter(categories=("seminar", "forum"), languages=("kk",)),
    AudienceFilter(asked_days=7),
    AudienceFilter(asked_days=90),
    AudienceFilter(consultants=True),
    AudienceFilter(only_user=ADMIN_ID),
    AudienceFilter(regions=("shymkent",)),
]


async def test_segment_counts_match_the_database_and_copies_follow_languages(
    env: tuple[async_sessionmaker[AsyncSession], BroadcastContext],
) -> None:
    sessionmaker, ctx = env
    for number, audience in enumerate(AUDIENCES):
        async with sessionmaker() as session, session.begin():
            service = BroadcastService(session, ctx)
            assert await service.count(audience, ADMIN_ID) == len(expected(audience)), audience
            draft = await service.create_draft(
                ADMIN_ID,
                {
                    "ru": Version("text", f"Привет {number}"),
                    "kk": Version("photo", "Сәлем", "PHOTO"),
                },
                default_language="ru",
                buttons=parse_buttons("Сайт - https://example.kz"),
                audience=audience,
            )
            result = await service.start(draft.id, ADMIN_ID)
            assert result.queued == len(expected(audience))
        async with sessionmaker() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.group_key == f"broadcast:{draft.id}")
                )
            ).all()
        assert {r.chat_id for r in rows} == expected(audience)
        for r in rows:
            speaks_kk = PEOPLE[r.chat_id][0] == "kk"
            assert (r.kind, r.text, r.document_file_id) == (
                ("photo", "Сәлем", "PHOTO") if speaks_kk else ("text", f"Привет {number}", None)
            )
            assert r.priority > 2  # behind replies, notices and reminders
            assert r.reply_markup == {
                "inline_keyboard": [[{"text": "Сайт", "url": "https://example.kz"}]]
            }
            assert r.dedupe_key == f"broadcast:{draft.id}:{r.chat_id}"


async def test_validation_idempotence_and_authorisation(
    env: tuple[async_sessionmaker[AsyncSession], BroadcastContext],
) -> None:
    sessionmaker, ctx = env
    async with sessionmaker() as session, session.begin():
        service = BroadcastService(session, ctx)
        with pytest.raises(BroadcastInputError) as too_long:
            await service.create_draft(
                ADMIN_ID, {"ru": Version("text", "я" * 4097)}, default_language="ru"
            )
        assert too_long.value.code == "text_too_long"
        with pytest.raises(BroadcastInputError) as caption:
            await service.create_draft(
                ADMIN_ID, {"ru": Version("video", "я" * 1025, "V")}, default_language="ru"
            )
        assert caption.value.code == "caption_too_long"
        with pytest.raises(BroadcastInputError):
            await service.create_draft(
                ADMIN_ID, {"ru": Version("sticker", None, "S")}, default_language="ru"
            )
        for bad in ("Сайт - example", "Сайт - javascript:alert(1)", "без ссылки", "x - http://"):
            with pytest.raises(BroadcastInputError):
                parse_buttons(bad)
        with pytest.raises(BroadcastInputError) as many:
            parse_buttons("\n".join(f"{i} - https://e.kz/{i}" for i in range(9)))
        assert many.value.code == "too_many_buttons"
        with pytest.raises(BroadcastNotAllowedError):
            await service.count(AudienceFilter(), 2)
        draft = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", "Привет")}, default_language="ru"
        )
        with pytest.raises(BroadcastNotAllowedError):
            await service.start(draft.id, 2)
        with pytest.raises(BroadcastInputError) as past:
            await service.schedule(draft.id, ADMIN_ID, NOW - timedelta(minutes=1))
        assert past.value.code == "past"
        first = await service.start(draft.id, ADMIN_ID)
        second = await service.start(draft.id, ADMIN_ID)
        assert first.started and not second.started and second.queued == 0
        with pytest.raises(BroadcastStateError):
            await service.update_draft(draft.id, ADMIN_ID, audience=AudienceFilter())
        with pytest.raises(BroadcastStateError):
            await service.cancel(draft.id, ADMIN_ID)


async def test_job_and_followups_on_each_database(
    env: tuple[async_sessionmaker[AsyncSession], BroadcastContext],
) -> None:
    """The job's queries and the set-based edit/delete on SQLite and PostgreSQL (the delivery
    itself is covered end to end on SQLite)."""
    from sqlalchemy import update

    from bot.services.broadcasts.service import BroadcastJobs
    from db.models.broadcasts import Broadcast

    sessionmaker, ctx = env
    async with sessionmaker() as session, session.begin():
        service = BroadcastService(session, ctx)
        draft = await service.create_draft(
            ADMIN_ID,
            {"ru": Version("text", "Привет"), "kk": Version("photo", "Сәлем", "PHOTO")},
            default_language="ru",
        )
        await service.start(draft.id, ADMIN_ID)
        later = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", "Позже")}, default_language="ru"
        )
        await service.schedule(later.id, ADMIN_ID, NOW + timedelta(hours=1))
    jobs = BroadcastJobs(sessionmaker, ctx)
    assert await jobs.tick() == 0  # still sending; the scheduled one is not due
    # As if the sender had delivered every copy.
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.group_key == f"broadcast:{draft.id}")
            .values(state="sent", sent_at=NOW, telegram_message_id=OutboxMessage.chat_id + 1000)
        )
    assert await jobs.tick() == 1  # finished: done, report queued
    ctx.clock.set(NOW + timedelta(hours=1, minutes=1))  # type: ignore[attr-defined]
    assert await jobs.tick() == 1  # the scheduled one started
    async with sessionmaker() as session, session.begin():
        service = BroadcastService(session, ctx)
        edited = await service.edit_everywhere(
            draft.id, ADMIN_ID, {"ru": "Привет!", "kk": "Сәлем!"}
        )
        assert edited == len(expected(AudienceFilter()))
        with pytest.raises(BroadcastStateError):
            await service.delete_everywhere(draft.id, ADMIN_ID)  # the edit is still going on
    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.group_key == f"broadcast:{draft.id}:edit1"
                )
            )
        ).all()
        statuses = {b.id: b.status for b in (await session.scalars(select(Broadcast))).all()}
    assert statuses == {draft.id: "done", later.id: "sending"}
    for row in rows:
        kk = PEOPLE[row.chat_id][0] == "kk"
        assert (row.kind, row.text) == (
            ("edit_caption", "Сәлем!") if kk else ("edit_text", "Привет!")
        )
        assert row.target_ref == f"broadcast:{draft.id}:{row.chat_id}"
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.group_key == f"broadcast:{draft.id}:edit1")
            .values(state="sent", sent_at=NOW)
        )
    await jobs.tick()
    async with sessionmaker() as session, session.begin():
        deleted = await BroadcastService(session, ctx).delete_everywhere(draft.id, ADMIN_ID)
    assert deleted == len(expected(AudienceFilter()))
