"""The content loop's service on SQLite and PostgreSQL: what failed (grouped, masked, last 30
days), admins only, drafts from the desk, publishing, and the content version that makes every
catalogue over the database rebuild its index."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.faq.catalog import FaqCatalog, ReplyKind
from bot.services.faq.editor import EditorError, FaqEditor, Field, parse_sources
from bot.testing import FakeClock
from db.models.desk import FaqDraft
from db.repositories.faq import FaqRepository
from db.repositories.faq_content import FaqContentRepository
from db.repositories.users import UserRepository
from tests.conftest import ADMIN_ID

Sessions = async_sessionmaker[AsyncSession]


async def synced(catalog: FaqCatalog, sessions: Sessions) -> FaqCatalog:
    async with sessions() as session, session.begin():
        await catalog.sync_from_files(session)
    return catalog


def editor(
    session: AsyncSession, catalog: FaqCatalog, clock: FakeClock, settings: Settings
) -> FaqEditor:
    return FaqEditor(session, catalog, clock, settings)


async def test_gaps_group_failed_searches_mask_them_and_forget_old_ones(
    any_sessionmaker: Sessions, catalog: FaqCatalog, fake_clock: FakeClock, settings: Settings
) -> None:
    await synced(catalog, any_sessionmaker)
    now = fake_clock.now()
    async with any_sessionmaker() as session, session.begin():
        repo = FaqRepository(session)
        await UserRepository(session).touch(5, now)
        for query, confident, age in [
            ("грант на школу +7 701 123 45 67", False, 1),
            ("грант на школу +7 701 123 45 67", False, 2),
            ("мектепке грант", False, 3),
            ("сколько стоит регистрация", True, 1),
            ("старый вопрос", False, 31),
        ]:
            await repo.log_search(
                query=query,
                language="kk" if query.startswith("мектеп") else "ru",
                best_entry_id=None,
                score=None,
                confident=confident,
                result_count=0,
                now=now - timedelta(days=age),
            )
        await repo.record_vote(
            entry_id="registration-fee", user_id=5, language="ru", helpful=False, now=now
        )
        await repo.set_vote_reason(
            entry_id="registration-fee", user_id=5, reason="нет про a@b.kz", query=None, now=now
        )
    async with any_sessionmaker() as session, session.begin():
        gaps = await editor(session, catalog, fake_clock, settings).gaps(ADMIN_ID)
    assert [(s.query, s.language, s.count) for s in gaps.searches] == [
        ("грант на школу [number]", "ru", 2),
        ("мектепке грант", "kk", 1),
    ]
    assert [(d.entry_id, d.reason) for d in gaps.dislikes] == [
        ("registration-fee", "нет про [email]")
    ]
    async with any_sessionmaker() as session, session.begin():
        service = editor(session, catalog, fake_clock, settings)
        draft_id = await service.draft_from_search(ADMIN_ID, gaps.searches[0].last_id)
        draft = await service.draft(ADMIN_ID, draft_id)
    assert draft.question == {"ru": "грант на школу [number]"}
    assert draft.phrasings == {"ru": ["грант на школу"]}


async def test_only_admins(
    any_sessionmaker: Sessions, catalog: FaqCatalog, fake_clock: FakeClock, settings: Settings
) -> None:
    await synced(catalog, any_sessionmaker)
    async with any_sessionmaker() as session, session.begin():
        service = editor(session, catalog, fake_clock, settings)
        for call in (
            service.gaps(42),
            service.drafts(42),
            service.new_draft(42),
            service.draft_from_entry(42, "registration-fee"),
            service.publish(42, 1),
            service.delete(42, 1),
        ):
            with pytest.raises(EditorError) as refused:
                await call
            assert refused.value.reason == "not_admin"


async def test_a_desk_draft_is_completed_and_published_and_every_catalogue_rebuilds(
    any_sessionmaker: Sessions,
    catalog: FaqCatalog,
    fake_clock: FakeClock,
    settings: Settings,
    faq_kb_dir: Path,
) -> None:
    await synced(catalog, any_sessionmaker)
    other = FaqCatalog(faq_kb_dir, clock=fake_clock, tz=settings.tz)
    async with any_sessionmaker() as session:
        await other.reload(session)
    assert other.content_version == catalog.content_version
    async with any_sessionmaker() as session, session.begin():
        # As the desk's "save as FAQ draft" writes it: one language, no editor texts yet.
        session.add(
            FaqDraft(
                language="ru",
                question="Можно ли открыть счёт в любом банке?",
                answer="Да, в любом.",
                created_by=ADMIN_ID,
                created_at=fake_clock.now(),
            )
        )
    async with any_sessionmaker() as session, session.begin():
        service = editor(session, catalog, fake_clock, settings)
        [draft] = await service.drafts(ADMIN_ID)
        assert draft.question == {"ru": "Можно ли открыть счёт в любом банке?"}
        assert draft.missing() == ("category", "question.kk", "answer.kk", "sources")
        with pytest.raises(EditorError) as incomplete:
            await service.publish(ADMIN_ID, draft.id)
        assert incomplete.value.reason == "incomplete"
        await service.set_text(
            ADMIN_ID, draft.id, Field.QUESTION, "kk", "Шотты кез келген банкте ашуға бола ма?"
        )
        await service.set_text(ADMIN_ID, draft.id, Field.ANSWER, "kk", "Иә, кез келгенінде.")
        with pytest.raises(EditorError) as bad:
            await service.set_text(ADMIN_ID, draft.id, Field.ANSWER, "kk", "<b>жабылмаған")
        assert bad.value.reason == "bad_html"
        await service.set_text(ADMIN_ID, draft.id, Field.SOURCES, "kk", "https://egov.kz/x")
        await service.set_category(ADMIN_ID, draft.id, "registration")
        entry = await service.publish(ADMIN_ID, draft.id)
    assert entry.id == f"draft-{draft.id}"
    assert entry.phrasings["kk"] == ("Шотты кез келген банкте ашуға бола ма?",)
    assert [s.title for s in entry.sources] == ["egov.kz"]

    # Both catalogues (this process and "another") rebuild at their next search.
    for served in (catalog, other):
        assert served.search("открыть счёт в любом банке", "ru").reply.kind is not ReplyKind.ANSWER
        async with any_sessionmaker() as session:
            assert await served.refresh(session) is True
            assert await served.refresh(session) is False
        reply = served.search("можно ли открыть счёт в любом банке", "ru").reply
        assert reply.entry is not None and reply.entry.id == entry.id
    async with any_sessionmaker() as session, session.begin():
        assert await FaqContentRepository(session).version() == catalog.content_version
        assert await editor(session, catalog, fake_clock, settings).drafts(ADMIN_ID) == []
    # The YAML sync at the next start leaves the admin's entry alone.
    await synced(catalog, any_sessionmaker)
    assert catalog.entry(entry.id) is not None


def test_sources_are_a_title_and_a_link_a_line() -> None:
    assert parse_sources("Закон о НКО https://adilet.zan.kz/a\n\n- https://egov.kz/b.") == [
        {"title": "Закон о НКО", "url": "https://adilet.zan.kz/a"},
        {"title": "egov.kz", "url": "https://egov.kz/b"},
    ]
    for bad in ("", "без ссылки", "\n".join(f"https://x.kz/{i}" for i in range(11))):
        with pytest.raises(EditorError):
            parse_sources(bad)


async def test_editing_an_entrys_sources_keeps_the_kazakh_titles_of_links_that_stay(
    any_sessionmaker: Sessions, catalog: FaqCatalog, fake_clock: FakeClock, settings: Settings
) -> None:
    """The editor shows and takes Russian titles only: a kept link keeps its Kazakh title."""
    await synced(catalog, any_sessionmaker)
    async with any_sessionmaker() as session, session.begin():
        service = editor(session, catalog, fake_clock, settings)
        draft_id = await service.draft_from_entry(ADMIN_ID, "registration-fee")
        await service.set_text(
            ADMIN_ID,
            draft_id,
            Field.SOURCES,
            "ru",
            "Налоговый кодекс https://adilet.zan.kz/rus/docs/K1700000120\nhttps://egov.kz/fee",
        )
        entry = await service.publish(ADMIN_ID, draft_id)
    code, egov = entry.sources
    assert (code.title_in("kk"), code.title_in("ru")) == ("ҚР Салық кодексі", "Налоговый кодекс")
    assert (egov.title_in("kk"), egov.title_in("ru")) == ("egov.kz", "egov.kz")
