"""The content team's loop through the fake Bot API: what the FAQ failed on (masked), a draft
started from it, written in both languages and published from Telegram, found by the next search
here and by a second process's catalogue; an entry's edit; two-part questions; non-admins kept
out even with forged buttons."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer
from bot.services.faq.catalog import FaqCatalog, ReplyKind
from bot.services.faq.service import FaqService
from bot.services.privacy import Pseudonyms
from bot.testing import FakeClock
from db.models.desk import FaqDraft
from db.models.faq import FaqDraftContent, FaqEntryRecord
from tests.conftest import ADMIN_ID
from tests.faq_bot.helpers import wait_search_log, wait_vote

FAILED = "где взять грант на ремонт школы? пишите ivan@mail.kz или +7 701 123 45 67"
MASKED = "где взять грант на ремонт школы? пишите [email] или [number]"


def callback_of(message: BotMessage, label: str) -> str:
    for row in message.buttons:
        for b in row:
            if label in b.text and b.callback_data is not None:
                return b.callback_data
    raise AssertionError(f"no button {label!r} in {[[b.text for b in r] for r in message.buttons]}")


async def second_catalog(running: RunningBot, kb_dir: Path, settings: Settings) -> FaqCatalog:
    """Another process's catalogue over the same database, built now."""
    catalog = FaqCatalog(kb_dir, clock=FakeClock(), tz=settings.tz)
    async with running.app.sessionmaker() as session:
        await catalog.reload(session)
    return catalog


async def test_a_failed_search_becomes_a_published_entry_found_everywhere(
    faq_bot: RunningBot, telegram: FakeTelegramServer, faq_kb_dir: Path, settings: Settings
) -> None:
    user = await faq_bot.known_user(7101, "Dana", "ru")
    other = await faq_bot.known_user(7102, "Aigerim", "ru")
    for person in (user, other):
        await person.send(FAILED)
        assert "не нашёл ответа" in (await person.next_message()).text
    # A 👎 with a reason (an e-mail in it, masked when kept).
    await user.send("Сколько платить за регистрацию?")
    await user.wait_text("Регистрационный сбор")
    await user.press("👎")
    await user.wait_text("не хватило")
    await user.send("Нет про рассрочку, ответьте на dana@example.org")
    await wait_vote(faq_bot, 7101, "registration-fee", helpful=False, with_reason=True)
    await wait_search_log(faq_bot, 3)
    elsewhere = await second_catalog(faq_bot, faq_kb_dir, settings)
    assert elsewhere.search("грант на ремонт школы", "ru").reply.kind is not ReplyKind.ANSWER

    admin = await faq_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("Вопросы без хорошего ответа")
    gaps = await admin.wait_text("последние 30 дней")
    assert f"1. 🇷🇺 «{MASKED}» — 2 раза" in gaps.text
    assert "«Нет про рассрочку, ответьте на [email]»" in gaps.text
    assert "к ответу «Сколько стоит регистрация НПО?»" in gaps.text
    for secret in ("ivan@mail.kz", "701 123", "dana@example.org"):
        assert secret not in gaps.text

    # One tap starts a draft from the failed search.
    await admin.press("✍️ 1")
    draft = await admin.wait_text("Черновик новой записи")
    assert MASKED in draft.text
    assert "Ещё нужно заполнить" in draft.text
    writes = {
        "❓ Вопрос 🇷🇺": "Как получить грант на ремонт школы?",
        "❓ Вопрос 🇰🇿": "Мектепті жөндеуге грантты қалай алуға болады?",
        "💬 Ответ 🇷🇺": "Подайте заявку в фонд, который финансирует образование.",
        "💬 Ответ 🇰🇿": "Білім беруді қаржыландыратын қорға өтінім беріңіз.",
        "🔎 Формулировки 🇷🇺": "грант на ремонт школы\nденьги на ремонт школы",
        "🔎 Формулировки 🇰🇿": "мектеп жөндеуге грант",
        "🔗 Источники": "Закон о грантах https://adilet.zan.kz/rus/docs/Z1600000001",
    }
    for label, text in writes.items():
        await admin.press(label)
        await admin.wait_text("Пришлите")
        await admin.send(text)
        await admin.wait_text("Сохранено в черновике")
    # A source without a link is refused, the draft keeps the good one.
    await admin.press("🔗 Источники")
    await admin.wait_text("Пришлите источники")
    await admin.send("просто текст")
    await admin.wait_text("с https://")
    await admin.press("⬅️ Назад")
    await admin.wait_text("Закон о грантах")
    await admin.press("📂 Тема")
    await admin.wait_text("Выберите тему")
    await admin.press("Регистрация")
    ready = await admin.wait_text("Готово к публикации")
    assert "Как получить грант на ремонт школы?" in ready.text

    # Publishing asks first; Back returns to the draft unchanged.
    await admin.press("✅ Опубликовать…")
    await admin.wait_text("Опубликовать запись?")
    await admin.press("⬅️ Назад")
    await admin.wait_text("Готово к публикации")
    async with faq_bot.app.sessionmaker() as session:
        assert await session.get(FaqEntryRecord, "draft-1") is None
    await admin.press("✅ Опубликовать…")
    await admin.wait_text("Опубликовать запись?")
    await admin.press("✅ Да, опубликовать")
    await admin.wait_text("Опубликовано: «Как получить грант на ремонт школы?»")

    # A 👎 starts a draft too: the search that led to the answer is its question, the reason
    # is shown beside it.
    # The search that now finds the new entry is no longer listed.
    await admin.press("❓ Вопросы без хорошего ответа")
    closed = await admin.wait_text("последние 30 дней")
    assert MASKED not in closed.text
    await admin.press("✍️ 1")
    disliked = await admin.wait_text("Чего не хватило, по словам людей")
    assert "«Нет про рассрочку, ответьте на [email]»" in disliked.text
    assert "❓ Вопрос: Сколько платить за регистрацию?" in disliked.text
    await admin.press("⬅️ Назад")
    listing = await admin.wait_text("Черновики FAQ")
    assert listing.button_texts()[0] == "📝 Сколько платить за регистрацию?"

    async with faq_bot.app.sessionmaker() as session:
        row = await session.get(FaqEntryRecord, "draft-1")
        assert row is not None and (row.source, row.category) == ("admin", "registration")
        drafted = await session.get(FaqDraft, 1)
        assert drafted is not None
        assert (drafted.status, drafted.entry_id) == ("published", "draft-1")

    # The next search finds it, in both languages, without a restart.
    await user.send("деньги на ремонт школы")
    answer = await user.wait_text("❓ Как получить грант на ремонт школы?")
    assert "Подайте заявку в фонд" in answer.text
    kk_user = await faq_bot.known_user(7103, "Айгерім", "kk")
    await kk_user.send("мектеп жөндеуге грант")
    await kk_user.wait_text("Білім беруді қаржыландыратын қорға")

    # Another process reading the same database picks it up at its next search.
    async with faq_bot.app.sessionmaker() as session, session.begin():
        service = FaqService(session, elsewhere, FakeClock(), Pseudonyms(b"k"))
        reply = await service.ask("деньги на ремонт школы", "ru")
    assert reply.kind is ReplyKind.ANSWER and reply.entry is not None
    assert reply.entry.id == "draft-1"


async def edit_registration_fee(faq_bot: RunningBot) -> tuple[SimUser, BotMessage]:
    """An admin opens a draft of the published "registration fee" entry from /admin."""
    admin = await faq_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("Черновики FAQ")
    await admin.wait_text("Черновиков нет")
    await admin.press("Изменить опубликованную запись")
    await admin.wait_text("Выберите тему")
    await admin.press("Регистрация")
    await admin.wait_text("Выберите запись")
    await admin.press("Сколько стоит регистрация НПО?")
    return admin, await admin.wait_text("Изменение опубликованной записи")


async def test_an_admin_edits_a_published_entry(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin, draft = await edit_registration_fee(faq_bot)
    assert "Регистрационный сбор" in draft.text and "Готово к публикации" in draft.text
    await admin.press("💬 Ответ 🇷🇺")
    await admin.wait_text("Пришлите ответ на русском")
    await admin.send("Регистрационный сбор — {mrp:6.5}. Оплатить можно в Kaspi.")
    await admin.wait_text("Сохранено в черновике")
    # Long texts: every window still fits one Telegram message (the fake server checks).
    long_lines = "\n".join(f"сколько стоит регистрация вариант {i} " + "х" * 160 for i in range(30))
    await admin.press("🔎 Формулировки 🇷🇺")
    await admin.wait_text("Пришлите, как ещё люди спрашивают")
    await admin.send(long_lines)
    await admin.wait_text("Сохранено в черновике")
    await admin.press("🔎 Формулировки 🇷🇺")
    await admin.wait_text("вариант 0")
    await admin.press("⬅️ Назад")
    await admin.wait_text("Изменение опубликованной записи")
    await admin.press("✅ Опубликовать…")
    await admin.wait_text("Опубликовать изменения?")
    await admin.press("✅ Да, опубликовать")
    await admin.wait_text("Опубликовано")

    user = await faq_bot.known_user(7111, "Dana", "ru")
    await user.send("сколько стоит регистрация")
    answer = await user.wait_text("❓ Сколько стоит регистрация НПО?")
    assert "Оплатить можно в Kaspi" in answer.text
    assert "6,5\u00a0МРП" in answer.text
    # The Kazakh text is as it was.
    kk_user = await faq_bot.known_user(7112, "Айгерім", "kk")
    await kk_user.send("тіркеу алымы қанша")
    assert "банк арқылы төленеді" in (await kk_user.wait_text("Тіркеу алымы")).text


async def test_a_two_part_question_gets_both_answers(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(7121, "Dana", "ru")
    await user.send("сколько стоит регистрация и какие документы нужны")
    first = await user.next_message()
    second = await user.next_message()
    assert first.text.startswith("❓ Сколько стоит регистрация НПО?")
    assert "Вы задали и второй вопрос" in first.text
    assert second.text.startswith("❓ Какие документы нужны для регистрации?")
    assert "Заявление, устав" in second.text
    # Each answer can be rated on its own.
    assert second.button_texts()[:2] == ["👍 Полезно", "👎 Не помогло"]


async def test_non_admins_cannot_reach_the_editor_even_with_forged_buttons(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await faq_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("Черновики FAQ")
    drafts = await admin.wait_text("Черновиков нет")
    forged = [
        callback_of(drafts, "Новая запись"),
        callback_of(drafts, "Изменить опубликованную запись"),
        callback_of(drafts, "Вопросы без хорошего ответа"),
        "ad:faq_drafts",
        "ad:faq_gaps",
    ]
    user = await faq_bot.known_user(7131, "Dana", "ru")
    await user.send("/admin")
    refused = await user.next_message()
    assert "Такой команды я не знаю" in refused.text
    await user.send("сроки и документы")
    own = await user.next_message()
    for data in forged:
        query = await user.press_data(data, own.message_id)
        await user.wait_answer(query)
    # Nothing was opened for them and nothing was created.
    await user.send("/help")
    await user.next_message()
    assert not any("Черновик" in m.text or "хорошего ответа" in m.text for m in user.messages)
    async with faq_bot.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqDraft)) == 0


async def test_an_unknown_placeholder_is_explained_when_saved_and_when_published(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin, _draft = await edit_registration_fee(faq_bot)
    await admin.press("💬 Ответ 🇰🇿")
    await admin.wait_text("Пришлите ответ на казахском")
    await admin.send("Алым {foo} теңге.")
    refused = await admin.wait_text("«💬 Ответ 🇰🇿» содержит {foo} — бот не знает")
    assert "{mrp:6.5}" in refused.text and "ask_consultant" in refused.text
    assert "stored entry" not in refused.text and "unknown placeholder" not in refused.text
    await admin.send("Алым {button:nope} теңге.")
    await admin.wait_text("кнопка {button:nope}, которой у бота нет")
    async with faq_bot.app.sessionmaker() as session:
        [row] = (await session.execute(select(FaqDraftContent))).scalars().all()
        assert "{foo}" not in str(row.data) and "nope" not in str(row.data)

    # A draft that already holds one (saved before the check) is explained at publishing too.
    async with faq_bot.app.sessionmaker() as session, session.begin():
        row = (await session.execute(select(FaqDraftContent))).scalars().one()
        data = dict(row.data or {})
        data["answer"] = {**data["answer"], "ru": "Сбор — {foo}."}
        row.data = data
    await admin.press("⬅️ Назад")
    await admin.wait_text("Изменение опубликованной записи")
    await admin.press("✅ Опубликовать…")
    shown = await admin.wait_text("«💬 Ответ 🇷🇺» содержит {foo}")
    assert "stored entry" not in shown.text
