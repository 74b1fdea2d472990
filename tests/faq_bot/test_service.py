"""The FAQ catalogue and service on a real SQLite database: sync, search outcomes and their
log, votes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.faq.catalog import MAX_QUERY_CHARS, FaqCatalog, ReplyKind, SyncReport
from bot.services.faq.loader import entry_from_dict, entry_to_dict
from bot.services.faq.service import FaqService, VoteOutcome
from bot.services.privacy import Pseudonyms
from bot.testing import FakeClock
from db.models.faq import FaqEntryRecord, FaqFeedbackRecord, FaqSearchRecord
from db.repositories.faq import FaqRepository
from db.repositories.users import UserRepository

Sessions = async_sessionmaker[AsyncSession]
PSEUDONYMS = Pseudonyms(b"test-key")


async def sync(catalog: FaqCatalog, sessionmaker: Sessions) -> SyncReport | None:
    async with sessionmaker() as session:
        report = await catalog.sync_from_files(session)
        await session.commit()
    return report


async def test_sync_twice_changes_nothing(
    catalog: FaqCatalog, sessionmaker: Sessions, fake_clock: FakeClock
) -> None:
    first = await sync(catalog, sessionmaker)
    assert first is not None and first.added == 9 and first.changed
    async with sessionmaker() as session:
        before = await FaqRepository(session).entries(active_only=False)

    fake_clock.advance(timedelta(hours=1))
    second = await sync(catalog, sessionmaker)
    assert second is not None
    assert (second.added, second.updated, second.retired, second.unchanged) == (0, 0, 0, 9)
    assert not second.changed
    async with sessionmaker() as session:
        after = await FaqRepository(session).entries(active_only=False)
    assert after == before  # not even updated_at moved
    assert [c.id for c in catalog.categories()] == ["registration", "support"]
    assert [e.id for e in catalog.entries_in("registration")][:2] == [
        "registration-fee",
        "registration-documents",
    ]


async def test_reload_keeps_admin_edits_adds_and_retires(
    catalog: FaqCatalog, sessionmaker: Sessions, faq_kb_dir: Path
) -> None:
    await sync(catalog, sessionmaker)
    fee = catalog.entry("registration-fee")
    assert fee is not None
    data = entry_to_dict(fee)
    data["answer"]["ru"] = "Сбор отредактирован администратором."
    async with sessionmaker() as session:
        await catalog.save_admin_entry(session, entry_from_dict(data))
        await UserRepository(session).touch(42, service_now(catalog))
        await FaqService(session, catalog, catalog._clock, PSEUDONYMS).vote(
            user_id=42, entry_id="branches", language="ru", helpful=True
        )
        await session.commit()

    # The content writers change the same entry, drop "branches" and add a new one.
    path = faq_kb_dir / "registration.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Регистрационный сбор", "Сбор из YAML")
    start = text.index("  - id: branches")
    end = text.index("  - id: liquidation")
    branches = text[start:end]
    new_entry = branches.replace("id: branches", "id: branch-closing")
    text = (
        text[:start] + new_entry.replace("Как открыть филиал?", "Как закрыть филиал?") + text[end:]
    )
    path.write_text(text, encoding="utf-8")

    report = await sync(catalog, sessionmaker)
    assert report is not None
    assert (report.added, report.retired, report.admin_kept) == (1, 1, 1)
    fee = catalog.entry("registration-fee")
    assert fee is not None and fee.answer["ru"] == "Сбор отредактирован администратором."
    assert catalog.entry("branches") is None
    assert catalog.entry("branch-closing") is not None
    async with sessionmaker() as session:
        rows = {r.id: r for r in await FaqRepository(session).entries(active_only=False)}
        votes = await FaqRepository(session).votes_of(42)
    assert rows["registration-fee"].source == "admin"
    assert rows["branches"].is_active is False  # retired, not deleted: its feedback stays
    assert [v.entry_id for v in votes] == ["branches"]

    # Bringing an entry back in the YAML revives the retired row.
    path.write_text(path.read_text(encoding="utf-8") + branches, encoding="utf-8")
    report = await sync(catalog, sessionmaker)
    assert report is not None and report.updated == 1
    assert catalog.entry("branches") is not None


async def search_rows(sessionmaker: Sessions) -> list[FaqSearchRecord]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(FaqSearchRecord)))


def service_now(catalog: FaqCatalog) -> datetime:
    return catalog._clock.now()


async def test_invalid_yaml_keeps_serving_the_stored_copy(
    catalog: FaqCatalog, sessionmaker: Sessions, faq_kb_dir: Path, tmp_path: Path
) -> None:
    await sync(catalog, sessionmaker)
    (faq_kb_dir / "support.yaml").write_text("category: support\nentries: [oops", encoding="utf-8")
    fresh = FaqCatalog(faq_kb_dir, clock=FakeClock(), tz=catalog._tz)
    assert await sync(fresh, sessionmaker) is None
    assert len(fresh.knowledge_base) == 9
    assert fresh.entry("free-consultations") is not None


async def test_search_outcomes_are_logged_without_the_user(
    catalog: FaqCatalog, sessionmaker: Sessions
) -> None:
    await sync(catalog, sessionmaker)
    async with sessionmaker() as session:
        service = FaqService(session, catalog, catalog._clock, PSEUDONYMS)
        answer = await service.ask("  сколько платить   за регистрацию  ", "kk")
        suggest = await service.ask("сроки и документы", "ru")
        nothing = await service.ask("погода в алматы", "ru")
        long = await service.ask("как зарегистрировать НПО? " + "подробности " * 400, "ru")
        masked = await service.ask("позвоните +7 701 123 45 67 или a.b@mail.kz", "ru")
        await session.commit()

    assert answer.kind is ReplyKind.ANSWER and answer.entry is not None
    assert answer.entry.id == "registration-fee"
    assert len(answer.others) <= 3 and answer.entry not in answer.others
    assert suggest.kind is ReplyKind.SUGGEST
    assert {e.id for e in suggest.others} == {"registration-time", "registration-documents"}
    assert nothing.kind is ReplyKind.NOT_FOUND and nothing.others == ()
    # A long letter is searched on its beginning, where the question is (Telegram allows 4096).
    assert long.kind is not ReplyKind.NOT_FOUND
    assert masked.kind is ReplyKind.NOT_FOUND

    async with sessionmaker() as session:
        log = list(reversed(await FaqRepository(session).recent_searches()))
    assert [row.query for row in log[:3]] == [
        "сколько платить за регистрацию",
        "сроки и документы",
        "погода в алматы",
    ]
    assert log[3].query.startswith("как зарегистрировать НПО? подробности")
    assert len(log[3].query) <= 200 < MAX_QUERY_CHARS
    assert log[4].query == "позвоните [number] или [email]"
    first = log[0]
    assert (first.language, first.best_entry_id, first.confident) == (
        "kk",
        "registration-fee",
        True,
    )
    assert first.score is not None and first.score > 0.35 and first.result_count >= 2
    assert (log[1].confident, log[1].result_count) == (False, 2)
    assert (log[2].best_entry_id, log[2].confident, log[2].result_count) == (None, False, 0)
    assert first.created_at == service_now(catalog)
    # Never the id: a keyed pseudonym at most (none here: no one asked through the bot).
    columns = set(FaqSearchRecord.__table__.columns.keys())
    assert {name for name in columns if "user" in name or "chat" in name} == {"user_key"}
    assert {row.user_key for row in await search_rows(sessionmaker)} == {None}


async def test_votes_one_per_user_and_entry(catalog: FaqCatalog, sessionmaker: Sessions) -> None:
    await sync(catalog, sessionmaker)
    async with sessionmaker() as session:
        await UserRepository(session).touch(7, service_now(catalog))
        await UserRepository(session).touch(8, service_now(catalog))
        vote = FaqService(session, catalog, catalog._clock, PSEUDONYMS).vote
        assert (
            await vote(user_id=7, entry_id="liquidation", language="kk", helpful=True)
            is VoteOutcome.RECORDED
        )
        assert (
            await vote(user_id=7, entry_id="liquidation", language="kk", helpful=True)
            is VoteOutcome.UNCHANGED
        )
        assert (
            await vote(user_id=7, entry_id="liquidation", language="ru", helpful=False)
            is VoteOutcome.CHANGED
        )
        assert (
            await vote(user_id=8, entry_id="liquidation", language="ru", helpful=True)
            is VoteOutcome.RECORDED
        )
        assert await vote(user_id=7, entry_id="no-such-entry", language="ru", helpful=True) is None
        await session.commit()
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqFeedbackRecord)) == 2
        mine = await FaqRepository(session).votes_of(7)
        counts = await FaqRepository(session).vote_counts(["liquidation"])
    assert [(v.entry_id, v.language, v.helpful) for v in mine] == [("liquidation", "ru", False)]
    assert (counts["liquidation"].helpful, counts["liquidation"].unhelpful) == (1, 1)


async def test_answers_render_in_the_asked_language_with_mrp(
    catalog: FaqCatalog, sessionmaker: Sessions
) -> None:
    await sync(catalog, sessionmaker)
    fee = catalog.entry("registration-fee")
    assert fee is not None
    kk = catalog.render(fee, "kk", buttons={})
    ru = catalog.render(fee, "ru", buttons={})
    assert "Тіркеу алымы" in kk and "АЕК" in kk and "2026" in kk
    assert "Регистрационный сбор" in ru and "МРП" in ru
    assert "28\u00a0112,5" in ru  # 6.5 × 4325 tenge, the fake clock being in 2026


async def test_stored_rows_are_plain_json(catalog: FaqCatalog, sessionmaker: Sessions) -> None:
    await sync(catalog, sessionmaker)
    async with sessionmaker() as session:
        row = await session.get(FaqEntryRecord, "registration-fee")
    assert row is not None and row.source == "builtin" and row.category == "registration"
    assert entry_from_dict(row.data) == catalog.entry("registration-fee")
