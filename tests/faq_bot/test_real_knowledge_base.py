"""The shipped knowledge base (locales/faq) fits the bot: it syncs, and every button fits."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import create_i18n
from bot.services.faq.catalog import KNOWLEDGE_BASE_DIR, MAX_ENTRY_ID_BYTES, FaqCatalog
from bot.services.faq.markup import rendered_length
from bot.testing import FakeClock
from handlers.faq.callbacks import (
    AskConsultantCb,
    FaqAnswerCb,
    FaqCategoryCb,
    FaqEntryCb,
    FaqVoteCb,
)
from handlers.faq.views import button_labels


async def test_shipped_knowledge_base_syncs_and_fits_callback_data(
    sessionmaker: async_sessionmaker[AsyncSession], fake_clock: FakeClock
) -> None:
    service = FaqCatalog(KNOWLEDGE_BASE_DIR, clock=fake_clock, tz=ZoneInfo("Asia/Almaty"))
    async with sessionmaker() as session:
        report = await service.sync_from_files(session)
        await session.commit()
    assert report is not None, "locales/faq does not validate (see the log)"
    kb = service.knowledge_base
    assert len(kb) == report.added > 0

    i18n = create_i18n()
    labels = {}
    for lang in ("kk", "ru"):
        with i18n.context(), i18n.use_locale(lang):
            labels[lang] = button_labels()
    for category in kb.categories:
        assert len(FaqCategoryCb(cat=category.id, page=99).pack().encode()) <= 64
        assert kb.entries_in(category.id), f"category {category.id} is empty"
    for entry in kb.entries:
        assert len(entry.id.encode()) <= MAX_ENTRY_ID_BYTES
        for data in (
            FaqEntryCb(id=entry.id),
            FaqAnswerCb(id=entry.id, lang="ru", via="s"),
            FaqVoteCb(id=entry.id, up=False),
            AskConsultantCb(id=entry.id),
        ):
            assert len(data.pack().encode()) <= 64
        for lang in ("kk", "ru"):
            text = service.render(entry, lang, buttons=labels[lang])
            assert rendered_length(text) <= 4096

    async with sessionmaker() as session:
        again = await service.sync_from_files(session)
        await session.commit()
    assert again is not None and not again.changed
