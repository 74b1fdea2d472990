"""Broadcasts end to end: the admin's dialog, delivery through the outbox to the fake server,
the live status and the report; no sleeps, the fake clock for scheduling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.models.broadcasts import Broadcast
from db.models.outbox import OutboxMessage
from db.models.users import User
from db.repositories.broadcasts import Version
from tests.broadcasts.conftest import SECOND_ADMIN, add_user, idle
from tests.conftest import ADMIN_ID

RU_TEXT = "<b>Форум НКО</b> 5 декабря в Астане"
KK_TEXT = "<b>ҮЕҰ форумы</b> 5 желтоқсанда Астанада"


def starts(prefix: str) -> Callable[[object], bool]:
    return lambda b: getattr(b, "text", "").startswith(prefix)


def has(fragment: str) -> Callable[[BotMessage], bool]:
    return lambda m: fragment in m.text


async def compose(admin: SimUser, *, second: bool = True, buttons: bool = True) -> None:
    """/broadcast → content (Russian) → Kazakh version → a URL button → the audience window."""
    await admin.send("/broadcast")
    await admin.wait_for(lambda m: "📣" in m.text)
    await send_bold(admin, RU_TEXT)
    await admin.wait_for(lambda m: any(t.startswith("➕") for t in m.button_texts()))
    if second:
        await admin.press(starts("➕"))
        await admin.wait_for(lambda m: "📣" not in m.text and m.has_buttons)
        await send_bold(admin, KK_TEXT)
        await admin.wait_for(lambda m: any(t.startswith("🗑") for t in m.button_texts()))
    if buttons:
        await admin.press(starts("🔗"))
        await admin.wait_for(lambda m: "https://example.kz" in m.text)
        await admin.send("Сайт - https://forum.example.kz")
        await admin.wait_for(has("🔗"))
    await admin.press(starts("➡️"))
    await admin.wait_for(has("👥"))


async def send_bold(user: SimUser, html: str) -> int:
    """A formatted message as a Telegram app sends it: plain text with a bold entity."""
    bold, rest = html.removeprefix("<b>").split("</b>", 1)
    entity = {"type": "bold", "offset": 0, "length": len(bold.encode("utf-16-le")) // 2}
    return user._post({"text": bold + rest, "entities": [entity]}, None, None)


def count_in(message: BotMessage) -> int:
    line = message.text.strip().splitlines()[-1]
    return int("".join(ch for ch in line.rsplit(":", 1)[-1] if ch.isdigit()))


async def db_count(running: RunningBot, *conditions: object) -> int:
    async with running.app.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.is_reachable.is_(True), *conditions)  # type: ignore[arg-type]
            )
            or 0
        )


async def copies(running: RunningBot, group: str = "broadcast:1") -> list[OutboxMessage]:
    async with running.app.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.group_key == group).order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def broadcast_row(running: RunningBot, broadcast_id: int = 1) -> Broadcast:
    async with running.app.sessionmaker() as session:
        row = await session.get(Broadcast, broadcast_id)
        assert row is not None
        return row


async def finish(running: RunningBot, broadcast_id: int = 1) -> Broadcast:
    """Deliver everything, then let the job see the end (it writes the report)."""

    async def done() -> Broadcast | None:
        await idle(running)
        await running.app.scheduler.broadcast_tick()
        async with running.app.sessionmaker() as session:
            row = await session.get(Broadcast, broadcast_id)  # None until "Send" is handled
        if row is not None and row.status in ("done", "stopped") and row.finished_at:
            return row
        return None

    row = await eventually(done, within=15, what="the broadcast to finish")
    await idle(running)
    return row


async def test_two_languages_buttons_preview_blocked_and_report(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    kk = [await add_user(bc_bot, 7100 + i, "kk", region="almaty") for i in range(3)]
    ru = [await add_user(bc_bot, 7200 + i, "ru", region="astana") for i in range(2)]
    blocked = await add_user(bc_bot, 7300, "ru", region="astana")
    # Blocked without the bot hearing of it: reachable in the database until a send fails.
    telegram.block(blocked.id)
    await compose(admin)

    everyone = admin.last
    assert everyone is not None
    assert count_in(everyone) == await db_count(bc_bot) == 7  # 6 users + the admin
    await admin.press("Қазақша")
    only_kk = await admin.wait_for(lambda m: m.text != everyone.text and "👥" in m.text)
    assert count_in(only_kk) == await db_count(bc_bot, User.language == "kk") == 3
    await admin.press("Қазақша")  # off again: everyone
    await admin.wait_for(lambda m: "👥" in m.text and count_in(m) == 7)

    await admin.press(starts("👁"))
    preview = await admin.wait_for(lambda m: m.has_buttons and any(
        t.startswith("🚀") for t in m.button_texts()))  # fmt: skip
    shown = [m for m in admin.messages if m.html in (RU_TEXT, KK_TEXT)]
    assert [m.html for m in shown] == [RU_TEXT, KK_TEXT]
    for m in shown:
        assert [[b.url for b in row] for row in m.buttons] == [["https://forum.example.kz"]]

    await admin.press(starts("🚀"), message=preview)
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    row = await finish(bc_bot)
    assert row.status == "done" and row.sent_by == ADMIN_ID and row.created_by == ADMIN_ID

    for user in kk:
        got = [m for m in user.messages if m.html == KK_TEXT]
        assert len(got) == 1
        assert got[0].buttons[0][0].url == "https://forum.example.kz"
        assert got[0].raw.get("entities") == shown[1].raw.get("entities")
    for user in ru:
        assert [m.html for m in user.messages] == [RU_TEXT]
        assert user.messages[0].raw["reply_markup"] == shown[0].raw["reply_markup"]
    assert blocked.messages == []

    states = {r.chat_id: r.state for r in await copies(bc_bot)}
    assert states[blocked.id] == "skipped"
    assert sum(s == "sent" for s in states.values()) == 6
    async with bc_bot.app.sessionmaker() as session:
        assert (await session.get(User, blocked.id)).is_reachable is False  # type: ignore[union-attr]

    report = await admin.wait_for(has("🏁"))
    assert "6" in report.text and "1" in report.text
    # Left out of later counts.
    assert await db_count(bc_bot) == 6


async def test_double_send_sends_once_and_other_admin_sees_it(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    other = await bc_bot.known_user(SECOND_ADMIN, "Other", "kk")
    users = [await add_user(bc_bot, 7400 + i, "ru") for i in range(3)]
    await compose(admin, second=False, buttons=False)
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    await admin.press(starts("🚀"))
    confirm = await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    send = next(b for row in confirm.buttons for b in row if b.text.startswith("✅"))
    assert send.callback_data is not None
    first = await admin.press_data(send.callback_data, confirm.message_id)
    second = await admin.press_data(send.callback_data, confirm.message_id)
    await admin.wait_answer(first)
    await admin.wait_answer(second)
    # Straight to the service as well: a third start of the same broadcast queues nothing.
    async with bc_bot.app.sessionmaker() as session, session.begin():
        service = bc_bot.app.services.for_session(session).broadcasts
        again = await service.start(1, SECOND_ADMIN)
    assert again.started is False and again.queued == 0
    await finish(bc_bot)
    for user in users:
        assert [m.html for m in user.messages] == [RU_TEXT]
    assert len(await copies(bc_bot)) == 5  # 3 users + both admins

    await other.send("/broadcasts")
    listing = await other.wait_for(lambda m: "#1" in m.text)
    assert "5" in listing.text


async def test_unsupported_content_and_bad_input_are_explained(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/broadcast")
    await admin.wait_for(has("📣"))
    await admin.send_voice()  # a sticker
    problem = await admin.wait_for(has("⚠️"))
    assert "📣" in problem.text  # the prompt stays, with the reason above it
    await admin.send_poll("Какой день?", ["Пн", "Вт"])
    await admin.wait_for(has("⚠️"))
    await admin.send("x" * 4097)
    too_long = await admin.wait_for(has("4097"))
    assert "⚠️" in too_long.text and "4096" in too_long.text
    await admin.send_photo("подпись " * 150)
    await admin.wait_for(lambda m: "⚠️" in m.text and "1024" in m.text)
    await admin.send_photo("<i>Фото</i> форума")
    await admin.wait_for(lambda m: any(t.startswith("🔗") for t in m.button_texts()))
    await admin.press(starts("🔗"))
    await admin.wait_for(has("https://example.kz"))
    await admin.send("Сайт - htp:/broken")
    await admin.wait_for(lambda m: "⚠️" in m.text and "htp:/broken" in m.text)
    await admin.send("\n".join(f"Кнопка {i} - https://example.kz/{i}" for i in range(9)))
    await admin.wait_for(lambda m: "⚠️" in m.text and "9" in m.text and "8" in m.text)
    async with bc_bot.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_pause_resume_stop(bc_bot: RunningBot, telegram: FakeTelegramServer) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    for i in range(30):
        await add_user(bc_bot, 7500 + i, "ru")
    # Slow the sender right down so there is time to pause half-way.
    sender = bc_bot.app.delivery.sender
    assert sender is not None
    sender._bucket.rate = 5.0
    # Claimed rows go out even when paused (about two seconds' worth): keep the claims small.
    sender.config = replace(sender.config, batch_size=4)
    async with bc_bot.app.sessionmaker() as session, session.begin():
        service = bc_bot.app.services.for_session(session).broadcasts
        draft = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", RU_TEXT)}, default_language="ru"
        )
        await service.start(draft.id, ADMIN_ID)
    status = await admin.wait_for(
        lambda m: any(t.startswith("⏸") for t in m.button_texts()), timeout=10
    )
    await admin.press(starts("⏸"), message=status)
    await admin.wait_for(lambda m: any(t.startswith("▶️") for t in m.button_texts()), timeout=10)
    await idle(bc_bot)
    paused_at = sum(r.state == "sent" for r in await copies(bc_bot))
    assert 0 < paused_at < 31
    await idle(bc_bot)
    assert sum(r.state == "sent" for r in await copies(bc_bot)) == paused_at  # nothing moves
    await admin.press(starts("▶️"))
    await admin.wait_for(lambda m: any(t.startswith("⏸") for t in m.button_texts()), timeout=10)
    await admin.press(starts("⏹"))
    confirm = await admin.wait_for(
        lambda m: any(t.startswith("⏹") for t in m.button_texts()) and "#1" in m.text
    )
    await admin.press(starts("⏹"), message=confirm)
    row = await finish(bc_bot)
    assert row.status == "stopped"
    states = [r.state for r in await copies(bc_bot)]
    assert set(states) <= {"sent", "cancelled"}
    assert len(states) == 31
    await admin.wait_for(has("⏹"))


async def test_scheduled_start_at_its_time_and_cancel_before(
    bc_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    user = await add_user(bc_bot, 7600, "ru")
    tz = bc_bot.app.settings.tz
    for expected in ("scheduled-then-sent", "scheduled-then-cancelled"):
        await compose(admin, second=False, buttons=False)
        await admin.press(starts("👁"))
        await admin.wait_for(lambda m: any(t.startswith("🕒") for t in m.button_texts()))
        await admin.press(starts("🕒"))
        await admin.wait_for(has("25.12.2026"))
        past = (fake_clock.now() - timedelta(hours=1)).astimezone(tz)
        await admin.send(past.strftime("%d.%m.%Y %H:%M"))
        await admin.wait_for(has("⚠️"))
        when = (fake_clock.now() + timedelta(hours=2)).astimezone(tz)
        await admin.send(when.strftime("%d.%m.%Y %H:%M"))
        at = when.strftime("%H:%M")
        await admin.wait_for(lambda m, at=at: "🕒" in m.text and at in m.text)  # type: ignore[misc]
        if expected == "scheduled-then-cancelled":
            await admin.send("/broadcasts")
            await admin.wait_for(has("#2"))
            await admin.press("#2 · ", message=admin.last)
            await admin.wait_for(lambda m: any(t.startswith("✖️") for t in m.button_texts()))
            await admin.press(starts("✖️"))
            await admin.wait_for(
                lambda m: any(t.startswith("✖️") for t in m.button_texts()) and "#2" in m.text
            )
            await admin.press(starts("✖️"))
            await admin.wait_for(has("✖️"))
            assert (await broadcast_row(bc_bot, 2)).status == "cancelled"
        else:
            await bc_bot.app.scheduler.broadcast_tick()
            await idle(bc_bot)
            assert user.messages == []
            assert (await broadcast_row(bc_bot, 1)).status == "scheduled"
            fake_clock.advance(timedelta(hours=2, minutes=1))
            await bc_bot.app.scheduler.broadcast_tick()
            await finish(bc_bot, 1)
            assert [m.html for m in user.messages] == [RU_TEXT]
    fake_clock.advance(timedelta(hours=3))
    await bc_bot.app.scheduler.broadcast_tick()
    await idle(bc_bot)
    assert [m.html for m in user.messages] == [RU_TEXT]
    assert await copies(bc_bot, "broadcast:2") == []


async def test_edit_and_delete_everywhere_reach_every_copy(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    kk = [await add_user(bc_bot, 7700 + i, "kk") for i in range(2)]
    ru = [await add_user(bc_bot, 7800 + i, "ru") for i in range(2)]
    await compose(admin)
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    await admin.press(starts("🚀"))
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await finish(bc_bot)
    report = await admin.wait_for(lambda m: "🏁" in m.text and m.has_buttons)

    await admin.press(starts("✏️"), message=report)
    await admin.wait_for(has("✏️"))
    await send_bold(admin, "<b>Форум НКО</b> 6 декабря в Астане")
    await admin.wait_for(has("✏️"))
    await send_bold(admin, "<b>ҮЕҰ форумы</b> 6 желтоқсанда Астанада")
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await eventually(lambda: _all_edited(kk + ru), within=10, what="every copy edited")
    for user in kk:
        assert user.messages[-1].html == "<b>ҮЕҰ форумы</b> 6 желтоқсанда Астанада"
        assert user.messages[-1].edited
        assert user.messages[-1].buttons[0][0].url == "https://forum.example.kz"
    for user in ru:
        assert user.messages[-1].html == "<b>Форум НКО</b> 6 декабря в Астане"
    await finish_followup(bc_bot)
    edited_report = await admin.wait_for(lambda m: "✏️" in m.text and m.has_buttons)

    await admin.press(starts("🗑"), message=edited_report)
    confirm = await admin.wait_for(
        lambda m: any(t.startswith("🗑") for t in m.button_texts()) and "48" in m.text
    )
    await admin.press(starts("🗑"), message=confirm)
    await eventually(lambda: _all_deleted(kk + ru), within=10, what="every copy deleted")
    await finish_followup(bc_bot)
    await admin.wait_for(has("🗑"))
    # The admin got a copy too (everyone), and it is gone as well; the preview stays.
    own = next(r for r in await copies(bc_bot) if r.chat_id == ADMIN_ID)
    assert own.telegram_message_id not in admin.state.messages
    assert [m.html for m in admin.messages if m.html.startswith("<b>")][:2] == [RU_TEXT, KK_TEXT]


async def _all_edited(users: list[SimUser]) -> bool | None:
    return all(u.messages and u.messages[-1].edited for u in users) or None


async def _all_deleted(users: list[SimUser]) -> bool | None:
    return all(not u.messages for u in users) or None


async def finish_followup(running: RunningBot) -> None:
    async def done() -> bool | None:
        await idle(running)
        await running.app.scheduler.broadcast_tick()
        return (await broadcast_row(running)).followup_done or None

    await eventually(done, within=10, what="the follow-up to finish")
    await idle(running)


async def test_non_admin_reaches_no_step_even_with_forged_callbacks(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    stranger = await add_user(bc_bot, 7900, "ru")
    for i in range(3):
        await add_user(bc_bot, 7910 + i, "ru")
    await compose(admin, second=False, buttons=False)
    await admin.press(starts("👁"))
    preview = await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    await stranger.send("/broadcast")
    await stranger.next_message()
    await stranger.send("/broadcasts")
    anchor = await stranger.next_message()
    assert not any("📣" in m.text for m in stranger.messages)
    # Forged: the admin's dialog buttons and the status/report actions, pressed by the stranger.
    data = [b.callback_data for row in preview.buttons for b in row if b.callback_data]
    data += ["bc:pause:1", "bc:stop_ok:1", "bc:cancel_ok:1", "bc:delete_ok:1", "bc:new:0"]
    data += ["bc:list:0", "bc:edit_all:1", "bc:show:1", "ad:broadcasts"]
    for forged in data:
        query = await stranger.press_data(forged, anchor.message_id)
        await stranger.wait_answer(query)
    await idle(bc_bot)
    assert not any("📣" in m.text or "#1" in m.text for m in stranger.messages)
    async with bc_bot.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
    assert await copies(bc_bot) == []
    # The service refuses a non-admin on its own too.
    async with bc_bot.app.sessionmaker() as session, session.begin():
        service = bc_bot.app.services.for_session(session).broadcasts
        from bot.services.broadcasts.service import BroadcastNotAllowedError

        draft = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", "Привет")}, default_language="ru"
        )
        try:
            await service.start(draft.id, stranger.id)
        except BroadcastNotAllowedError:
            pass
        else:
            raise AssertionError("a non-admin started a broadcast")


async def test_photo_broadcast_captions_edited_everywhere(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    users = [await add_user(bc_bot, 8000 + i, "ru") for i in range(3)]
    await admin.send("/broadcast")
    await admin.wait_for(has("📣"))
    await admin.send_photo("Фото форума")
    await admin.wait_for(lambda m: any(t.startswith("➡️") for t in m.button_texts()))
    await admin.press(starts("➡️"))
    await admin.wait_for(has("👥"))
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    preview = next(m for m in admin.messages if m.kind == "photo")
    await admin.press(starts("🚀"))
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await finish(bc_bot)
    for user in users:
        [copy] = user.messages
        assert copy.kind == "photo" and copy.text == "Фото форума"
        assert copy.document is not None and preview.document is not None
        assert copy.document.file_id == preview.document.file_id
    report = await admin.wait_for(lambda m: "🏁" in m.text and m.has_buttons)
    await admin.press(starts("✏️"), message=report)
    await admin.wait_for(has("✏️"))
    await admin.send("Фото форума (исправлено)")
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await eventually(lambda: _all_edited(users), within=10, what="every caption edited")
    for user in users:
        assert user.messages[-1].text == "Фото форума (исправлено)"
        assert user.messages[-1].kind == "photo"


async def test_replies_are_not_held_up_behind_a_broadcast(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    for i in range(40):
        await add_user(bc_bot, 8100 + i, "ru")
    waiting = await add_user(bc_bot, 8200, "ru")
    sender = bc_bot.app.delivery.sender
    assert sender is not None
    sender._bucket.rate = 10.0
    sender.config = replace(sender.config, batch_size=4)
    async with bc_bot.app.sessionmaker() as session, session.begin():
        service = bc_bot.app.services.for_session(session).broadcasts
        draft = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", RU_TEXT)}, default_language="ru"
        )
        await service.start(draft.id, ADMIN_ID)
    async with bc_bot.app.sessionmaker() as session, session.begin():
        from bot.delivery import Category, OutgoingMessage

        await bc_bot.app.outbox.enqueue(
            session,
            OutgoingMessage.text_message(
                waiting.id, "Ответ консультанта", category=Category.REPLY, dedupe_key="reply:1"
            ),
        )
    await waiting.wait_for(has("Ответ консультанта"), timeout=5)
    sent = sum(r.state == "sent" for r in await copies(bc_bot))
    assert sent < 20  # the reply jumped the queue of 41 copies


async def test_scheduled_broadcast_edited_before_it_starts(
    bc_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    user = await add_user(bc_bot, 8300, "kk")
    tz = bc_bot.app.settings.tz
    await compose(admin, second=False, buttons=False)
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🕒") for t in m.button_texts()))
    await admin.press(starts("🕒"))
    await admin.wait_for(has("25.12.2026"))
    when = (fake_clock.now() + timedelta(days=1)).astimezone(tz)
    await admin.send(when.strftime("%d.%m.%Y %H:%M"))
    await admin.wait_for(lambda m: "🕒" in m.text and "#1" in m.text)
    await admin.send("/broadcasts")
    await admin.wait_for(has("#1"))
    await admin.press("#1 · ")
    await admin.wait_for(lambda m: any(t.startswith("✏️") for t in m.button_texts()))
    await admin.press(starts("✏️"))
    await admin.wait_for(lambda m: any(t.startswith("➕") for t in m.button_texts()))
    await admin.press(starts("➕"))
    await admin.wait_for(lambda m: "📣" not in m.text and m.has_buttons)
    await send_bold(admin, KK_TEXT)
    await admin.wait_for(lambda m: any(t.startswith("🗑") for t in m.button_texts()))
    await admin.press(starts("➡️"))
    await admin.wait_for(has("👥"))
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🕒") for t in m.button_texts()))
    await admin.press(starts("🕒"))
    await admin.wait_for(has("25.12.2026"))
    await admin.send(when.strftime("%d.%m.%Y %H:%M"))
    await admin.wait_for(lambda m: "🕒" in m.text and "#1" in m.text)
    row = await broadcast_row(bc_bot)
    assert row.status == "scheduled" and set(row.contents) == {"ru", "kk"}
    fake_clock.advance(timedelta(days=1, minutes=1))
    await bc_bot.app.scheduler.broadcast_tick()
    await finish(bc_bot)
    assert [m.html for m in user.messages] == [KK_TEXT]


async def test_hold_in_quiet_hours(
    bc_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    tz = bc_bot.app.settings.tz
    fake_clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=tz))  # quiet hours: 22:00–09:00
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    user = await add_user(bc_bot, 8400, "ru")
    await compose(admin, second=False, buttons=False)
    await admin.press(starts("👁"))
    preview = await admin.wait_for(lambda m: any(t.startswith("🌙") for t in m.button_texts()))
    off = next(t for t in preview.button_texts() if t.startswith("🌙"))
    assert "22:00–09:00" in off
    await admin.press(starts("🌙"))
    await admin.wait_for(lambda m: any(t.startswith("🌙") and t != off for t in m.button_texts()))
    await admin.press(starts("🕒"))
    await admin.wait_for(has("25.12.2026"))
    await admin.send("02.03.2026 23:30")
    await admin.wait_for(lambda m: "⚠️" in m.text and "22:00" in m.text and "09:00" in m.text)
    await admin.press(starts("⬅️"))
    await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    await admin.press(starts("🚀"))
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await admin.wait_for(lambda m: "🌙" in m.text and "09:00" in m.text)
    await bc_bot.app.scheduler.broadcast_tick()
    await idle(bc_bot)
    assert user.messages == []
    fake_clock.set(datetime(2026, 3, 3, 9, 1, tzinfo=tz))
    bc_bot.app.outbox.wake()
    await finish(bc_bot)
    assert [m.html for m in user.messages] == [RU_TEXT]


async def test_restart_mid_way_resumes_without_duplicates(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    users = [await add_user(bc_bot, 8500 + i, "ru") for i in range(30)]
    sender = bc_bot.app.delivery.sender
    assert sender is not None
    sender._bucket.rate = 10.0
    sender.config = replace(sender.config, batch_size=4)
    async with bc_bot.app.sessionmaker() as session, session.begin():
        service = bc_bot.app.services.for_session(session).broadcasts
        draft = await service.create_draft(
            ADMIN_ID, {"ru": Version("text", RU_TEXT)}, default_language="ru"
        )
        await service.start(draft.id, ADMIN_ID)

    async def some_sent() -> int | None:
        sent = sum(r.state == "sent" for r in await copies(bc_bot))
        return sent if sent >= 5 else None

    await eventually(some_sent, within=10, what="a few copies out")
    await bc_bot.restart()
    # A second "Send" after the restart queues nobody again.
    async with bc_bot.app.sessionmaker() as session, session.begin():
        again = await bc_bot.app.services.for_session(session).broadcasts.start(1, ADMIN_ID)
    assert not again.started
    await finish(bc_bot)
    assert all([m.html for m in u.messages] == [RU_TEXT] for u in users)


async def test_video_and_document_versions_then_deleted_everywhere(
    bc_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await bc_bot.known_user(ADMIN_ID, "Admin", "ru")
    kk = await add_user(bc_bot, 8600, "kk")
    ru = await add_user(bc_bot, 8601, "ru")
    await admin.send("/broadcast")
    await admin.wait_for(has("📣"))
    await admin.send_document("отчет.pdf", b"%PDF-1.4 fake", "Форма отчёта")
    await admin.wait_for(lambda m: any(t.startswith("➕") for t in m.button_texts()))
    await admin.press(starts("➕"))
    await admin.wait_for(lambda m: "📣" not in m.text and m.has_buttons)
    await admin.send_video("Бейне нұсқаулық")
    await admin.wait_for(lambda m: any(t.startswith("🗑") for t in m.button_texts()))
    await admin.press(starts("➡️"))
    await admin.wait_for(has("👥"))
    await admin.press(starts("👁"))
    await admin.wait_for(lambda m: any(t.startswith("🚀") for t in m.button_texts()))
    assert [m.kind for m in admin.messages if m.kind != "text"] == ["document", "video"]
    await admin.press(starts("🚀"))
    await admin.wait_for(lambda m: any(t.startswith("✅") for t in m.button_texts()))
    await admin.press(starts("✅"))
    await finish(bc_bot)
    assert [(m.kind, m.text) for m in kk.messages] == [("video", "Бейне нұсқаулық")]
    assert [(m.kind, m.text) for m in ru.messages] == [("document", "Форма отчёта")]
    report = await admin.wait_for(lambda m: "🏁" in m.text and m.has_buttons)
    await admin.press(starts("🗑"), message=report)
    confirm = await admin.wait_for(
        lambda m: any(t.startswith("🗑") for t in m.button_texts()) and "48" in m.text
    )
    await admin.press(starts("🗑"), message=confirm)
    await eventually(lambda: _all_deleted([kk, ru]), within=10, what="every copy deleted")
