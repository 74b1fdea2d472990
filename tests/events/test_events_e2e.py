"""Events end to end: real bot, fake Telegram over HTTP, fake clock; no test waits on time."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.models.events import Event, EventWatch
from db.models.outbox import OutboxMessage
from db.repositories.events import EventDTO
from tests.conftest import ADMIN_ID
from tests.events.conftest import draft, local, plain, press_listed, run_job

USER_ID = 7001


async def onboard(user: SimUser, language: str, region: str) -> None:
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    await user.press(language)
    await user.wait_text("📍")
    await user.press(region)
    await user.wait_for(lambda m: "🏠" in m.text or "мәзір" in m.text or "меню" in m.text)


async def reminders_of(user: SimUser, marker: str) -> list[BotMessage]:
    return [m for m in user.messages if marker in m.text]


async def add_event(running: RunningBot, **changes: object) -> EventDTO:
    app = running.app
    start = changes.pop("start", local(2026, 3, 15, 14, 0))
    async with app.sessionmaker() as session, session.begin():
        service = app.services.for_session(session).events
        return await service.create(draft(start, **changes), actor_id=ADMIN_ID)  # type: ignore[arg-type]


async def idle(running: RunningBot) -> None:
    """Everything queued so far has been delivered."""
    sender = running.app.delivery.sender
    assert sender is not None
    await sender.wait_idle(10)


async def watching(running: RunningBot, event_id: int, user_id: int) -> bool:
    async with running.app.sessionmaker() as session:
        return await session.get(EventWatch, (event_id, user_id)) is not None


async def own_events(running: RunningBot) -> list[Event]:
    async with running.app.sessionmaker() as session:
        rows = await session.scalars(select(Event).where(Event.builtin_key.is_(None)))
        return list(rows.all())


async def test_subscribe_create_by_dialog_then_reminders_at_7d_1d_1h(
    events_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = telegram.user(USER_ID, "Aigerim", language_code="kk")
    await onboard(user, "Қазақша", "Алматы")
    await user.send("/subscriptions")
    await user.wait_text("Еске салулар")
    await user.press("Семинарлар")
    await user.wait_for(lambda m: "✅ Семинарлар" in m.button_texts())

    admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")
    await onboard(admin, "Русский", "Пропустить")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await admin.press("Новое событие")
    await admin.wait_text("шаг 1 из 9")
    await admin.press("Семинары")
    await admin.wait_text("название на казахском")
    for text, next_prompt in [
        ("Есеп беру семинары", "на русском"),
        ("Семинар по отчётности", "описание на казахском"),
        ("ҮЕҰ есептері туралы", "описание на русском"),
        ("Об отчётах НПО <b>и</b> сроках", "Когда начало"),
    ]:
        # The clock moves between messages as in production (each update then writes the
        # user's last_seen_at first: the dialog must still get its FSM writes through).
        fake_clock.advance(timedelta(seconds=20))
        await admin.send(text)
        await admin.wait_text(next_prompt)
    await admin.send("31.02.2026 14:00")
    await admin.wait_text("Такой даты нет в календаре")
    await admin.send("15.03.2026 14:00")
    await admin.wait_text("Когда окончание")
    await admin.send("2ч")
    await admin.wait_text("Где?")
    await admin.send("Алматы, Абая 1")
    await admin.wait_text("Для какого региона")
    await admin.press("Алматы")
    preview = await admin.wait_text("Предпросмотр")
    assert "15 марта 2026 г., 14:00–16:00" in plain(preview.text)
    assert "Об отчётах НПО <b>и</b> сроках" in preview.text  # escaped, shown as typed
    await admin.press("Сохранить")
    await admin.wait_text("Сохранено")
    [event] = await eventually(lambda: own_events(events_bot), what="the saved event")
    assert (event.category, event.region, event.created_by) == ("seminar", "almaty", ADMIN_ID)
    assert event.ends_at is not None and event.ends_at - event.starts_at == timedelta(hours=2)

    user.mark_read()
    for moment, phrase in [
        (local(2026, 3, 8, 14, 0), "7 күннен кейін"),
        (local(2026, 3, 14, 14, 0), "Еске салу: ертең"),
        (local(2026, 3, 15, 13, 0), "1 сағаттан кейін"),
    ]:
        fake_clock.set(moment - timedelta(minutes=1))
        assert await run_job(events_bot) == 0
        fake_clock.set(moment)
        await run_job(events_bot)
        reminder = await user.wait_text(phrase, timeout=10)
        assert "Есеп беру семинары" in reminder.text
        assert "2026 ж. 15 наурыз, 14:00–16:00" in plain(reminder.text)
        assert reminder.button_texts() == ["ℹ️ Толығырақ", "📅 Күнтізбеге қосу"]
    assert len(await reminders_of(user, "Еске салу:")) == 3
    assert not await reminders_of(admin, "Напоминание")

    # A restart (and the scheduler's own run at start-up) sends nothing again.
    await idle(events_bot)
    await events_bot.restart()
    assert await run_job(events_bot) == 0
    await idle(events_bot)
    assert len(await reminders_of(user, "Еске салу:")) == 3

    await user.press("Толығырақ")
    card = await user.wait_text("ҮЕҰ есептері туралы")
    assert "Күнтізбеге қосу" in " ".join(card.button_texts())


async def test_admin_cancels_event_notice_goes_to_those_who_heard(
    events_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    reminded = telegram.user(USER_ID, "Aigerim", language_code="kk")
    await onboard(reminded, "Қазақша", "Алматы")
    await reminded.send("/subscriptions")
    await reminded.wait_text("Еске салулар")
    await reminded.press("Семинарлар")
    await reminded.wait_for(lambda m: "✅ Семинарлар" in m.button_texts())
    watcher = telegram.user(7002, "Oleg", language_code="ru")
    await onboard(watcher, "Русский", "Пропустить")
    bystander = telegram.user(7003, "Dana", language_code="ru")
    await onboard(bystander, "Русский", "Пропустить")
    event = await add_event(events_bot)

    fake_clock.set(local(2026, 3, 8, 14, 0))
    assert await run_job(events_bot) == 1
    await reminded.wait_text("7 күннен кейін", timeout=10)
    await watcher.send("/events")
    await watcher.wait_text("События и сроки")
    await press_listed(watcher, "Семинар по отчётности")
    await watcher.wait_text("Об отчётах НПО")
    await watcher.press("Напомнить")
    await watcher.wait_for(lambda m: "🔕 Не напоминать" in m.button_texts())
    assert "Я напомню об этом событии" in watcher.alerts[-1]
    await eventually(lambda: watching(events_bot, event.id, 7002), what="the watch row")

    admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")
    await onboard(admin, "Русский", "Пропустить")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await press_listed(admin, "Семинар по отчётности")
    await admin.wait_text(f"#{event.id}")
    await admin.press("Отменить событие")
    await admin.wait_text("Неотправленные напоминания будут отозваны")
    await admin.press("Да, отменить")
    await admin.wait_text("Событие отменено")

    await reminded.wait_text("Іс-шара тоқтатылды", timeout=10)
    notice = await watcher.wait_text("Событие отменено", timeout=10)
    assert "Было запланировано: 15 марта 2026 г., 14:00" in plain(notice.text)
    fake_clock.set(local(2026, 3, 14, 14, 0))
    assert await run_job(events_bot) == 0
    await idle(events_bot)
    assert not [m for m in bystander.messages if "Семинар" in m.text]
    async with events_bot.app.sessionmaker() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.group_key == f"event:{event.id}", OutboxMessage.state == "pending")
        )
    assert pending == 0


BAD_CSV = (
    "category,title_kk,title_ru,description_kk,description_ru,start,end,region\n"
    "forum,Форум,Форум,Сипаттама,Описание,01.04.2026 10:00,01.04.2026 18:00,\n"
    "seminar,Семинар,Семинар,Сипаттама,Описание,02.04.2026 10:00,2h,almaty\n"
    "seminar,Семинар 2,Семинар 2,Сипаттама,Описание,31.04.2026 10:00,,\n"
)
GOOD_YAML = """
- category: grant-round
  title_kk: Грант конкурсы
  title_ru: Грантовый конкурс
  description_kk: Өтінімдер қабылдау
  description_ru: Приём заявок
  start: 2026-04-10
  end: 2026-04-30
  url: https://cisc.kz
- category: forum
  title_kk: Азаматтық форум
  title_ru: Гражданский форум
  description_kk: Астанада
  description_ru: В Астане
  start: 2026-10-15T10:00
  duration: 8h
  region: astana
"""
GOOD_CSV = (
    "category;title_kk;title_ru;description_kk;description_ru;start;place\n"
    "seminar;Семинар;Семинар;Сипаттама;Описание;20.04.2026 15:00;Атырау\n"
)


async def test_import_reports_the_bad_row_and_imports_nothing_then_good_files(
    events_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")
    await onboard(admin, "Русский", "Пропустить")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await admin.press("Импорт из файла")
    await admin.wait_text("Импорт событий")
    await admin.send_document("events.csv", BAD_CSV.encode(), mime_type="text/csv")
    report = await admin.wait_text("Ничего не импортировано")
    assert "Строка 4, «начало»: такой даты нет в календаре." in report.text
    assert "Строка 2" not in report.text and "Строка 3" not in report.text
    assert await own_events(events_bot) == []

    await admin.send_document("events.yaml", GOOD_YAML.encode(), mime_type="application/yaml")
    done = await admin.wait_text("Импортировано 2 события")
    assert "Гражданский форум" in done.text
    await admin.send_document("more.csv", GOOD_CSV.encode(), mime_type="text/csv")
    await admin.wait_text("Импортировано 1 событие")

    async def all_three() -> list[Event] | None:
        found = await own_events(events_bot)  # the commit follows the reply
        return found if len(found) == 3 else None

    events = {e.title_ru: e for e in await eventually(all_three, what="the imported events")}
    assert set(events) == {"Грантовый конкурс", "Гражданский форум", "Семинар"}
    grant = events["Грантовый конкурс"]
    assert grant.all_day and grant.url == "https://cisc.kz"
    assert grant.ends_at == local(2026, 5, 1, 0, 0)  # through 30 April, inclusive
    assert events["Гражданский форум"].starts_at == local(2026, 10, 15, 10, 0)

    # The same file again would duplicate: refused, nothing added.
    await admin.send_document("more.csv", GOOD_CSV.encode(), mime_type="text/csv")
    await admin.wait_text("уже есть")
    assert len(await own_events(events_bot)) == 3


async def test_list_region_first_card_calendar_file_and_remind_toggle(
    events_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    national = await add_event(
        events_bot, title_kk="Жалпы", title_ru="Общее", start=local(2026, 3, 5, 10, 0)
    )
    await add_event(
        events_bot, title_kk="Астана", title_ru="Астана", region="astana",
        start=local(2026, 3, 4, 10, 0),
    )  # fmt: skip
    mine = await add_event(
        events_bot, title_kk="Алматыдағы семинар", title_ru="Семинар в Алматы", region="almaty",
        start=local(2026, 3, 20, 10, 0),
    )  # fmt: skip
    user = telegram.user(USER_ID, "Aigerim", language_code="kk")
    await onboard(user, "Қазақша", "Алматы")
    await user.send("/events")
    listing = await user.wait_text("Іс-шаралар мен мерзімдер")
    text = listing.text
    assert text.index("Алматыдағы семинар") < text.index("Жалпы") < text.index("Астана")
    assert "Басқа өңірлер" in text

    await press_listed(user, "Алматыдағы семинар")
    card = await user.wait_text("Алматыдағы семинар")
    assert card.message_id == listing.message_id  # edited in place
    await user.press("Күнтізбеге қосу")
    document = await user.wait_for(lambda m: m.document is not None)
    assert document.document is not None and document.document.filename == f"event-{mine.id}.ics"
    calendar = Calendar.from_ical(document.document.data)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Алматыдағы семинар"
    assert vevent.decoded("DTSTART") == local(2026, 3, 20, 10, 0)

    await user.press("Еске салу", message=card)
    await user.wait_for(lambda m: "🔕 Еске салмау" in m.button_texts())
    assert "Бұл іс-шара туралы еске саламын" in user.alerts[-1]

    await eventually(lambda: watching(events_bot, mine.id, USER_ID), what="the watch row")
    await user.press("Артқа")
    await user.wait_text("Толығырақ білу үшін")
    assert national.id != mine.id


async def test_forged_callbacks_and_non_admins_are_turned_away(
    events_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    event = await add_event(events_bot)
    user = telegram.user(USER_ID, "Aigerim", language_code="kk")
    await onboard(user, "Қазақша", "Алматы")
    await user.send("/events")
    listing = await user.wait_text("Іс-шаралар мен мерзімдер")
    forged = {
        "ev:card:999999:0": "енді қолжетімді емес",
        "ev:remind:999999:0": "енді қолжетімді емес",
        "ev:ics:999999:0": "енді қолжетімді емес",
        "ev:card:abc:0": "батырма енді жарамсыз",
        "ev:card:99999999999999999999:0": "батырма енді жарамсыз",
        "ev:list:0:-5": "батырма енді жарамсыз",
        "sb:cat:drop table": "батырма енді жарамсыз",
        f"ae:delete_ok:{event.id}:0": "батырма енді жарамсыз",
        f"ae:cancel_ok:{event.id}:0": "батырма енді жарамсыз",
        "ad:save:": "батырма енді жарамсыз",
        "ad:pick:forum": "батырма енді жарамсыз",
    }
    for data, expected in forged.items():
        query = await user.press_data(data, listing.message_id)
        answer = await user.wait_answer(query)
        assert expected in answer.text, (data, answer.text)
    # A page far past the end shows the last page: here the same one, so nothing to edit.
    far = await user.press_data("ev:list:0:10000", listing.message_id)
    assert (await user.wait_answer(far)).text == ""

    user.mark_read()
    await user.send("/admin")
    assert "Мұндай команданы білмеймін" in (await user.next_message()).text
    await user.send_document("events.yaml", GOOD_YAML.encode())
    await user.next_message()
    [only] = await own_events(events_bot)
    assert (only.id, only.status) == (event.id, "active")
    assert user.unanswered_queries == []


async def subscribe_kk_user(telegram: FakeTelegramServer, category_button: str) -> SimUser:
    user = telegram.user(USER_ID, "Aigerim", language_code="kk")
    await onboard(user, "Қазақша", "Алматы")
    await user.send("/subscriptions")
    await user.wait_text("Еске салулар")
    await user.press(category_button)
    await user.wait_for(lambda m: f"✅ {category_button}" in m.button_texts())
    return user


async def test_quiet_hours_hold_a_reminder_until_morning(
    events_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = await subscribe_kk_user(telegram, "Семинарлар")
    await add_event(events_bot, start=local(2026, 3, 10, 23, 30))
    fake_clock.set(local(2026, 3, 9, 23, 30))  # one day before, at night
    assert await run_job(events_bot) == 0
    fake_clock.set(local(2026, 3, 10, 8, 59))
    assert await run_job(events_bot) == 0
    fake_clock.set(local(2026, 3, 10, 9, 0))
    assert await run_job(events_bot) == 1
    reminder = await user.wait_text("Еске салу:", timeout=10)
    assert "15 сағаттан кейін" in reminder.text  # the time left when it was sent
    fake_clock.set(local(2026, 3, 10, 22, 30))  # the 1-hour one is urgent: sent at night
    assert await run_job(events_bot) == 1
    await user.wait_text("1 сағаттан кейін", timeout=10)


async def test_admin_moves_event_and_the_reminded_user_is_told(
    events_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = await subscribe_kk_user(telegram, "Семинарлар")
    event = await add_event(events_bot)
    fake_clock.set(local(2026, 3, 8, 14, 0))
    await run_job(events_bot)
    await user.wait_text("7 күннен кейін", timeout=10)

    admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")
    await onboard(admin, "Русский", "Пропустить")
    await admin.send("/admin")
    await admin.wait_text("Администрирование")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await press_listed(admin, "Семинар по отчётности")
    await admin.wait_text(f"#{event.id}")
    await admin.press("Редактировать")
    await admin.wait_text("Какое поле изменить")
    await admin.press("Начало")
    await admin.wait_text("Редактирование · Начало")
    fake_clock.advance(timedelta(minutes=1))
    await admin.send("16.03.2026 15:00")
    preview = await admin.wait_text("Предпросмотр")
    assert "16 марта 2026 г., 15:00" in plain(preview.text)
    await admin.press("Сохранить")
    await admin.wait_text("Сохранено")

    notice = await user.wait_text("Іс-шара өзгерді", timeout=10)
    assert "Енді: 2026 ж. 16 наурыз, 15:00" in plain(notice.text)
    assert "Бұрын: 2026 ж. 15 наурыз, 14:00" in plain(notice.text)
    # The new schedule's reminders follow: the 1-day one is for 15 March, 15:00.
    fake_clock.set(local(2026, 3, 15, 15, 0))
    assert await run_job(events_bot) == 1
    await user.wait_text("Еске салу: ертең", timeout=10)
