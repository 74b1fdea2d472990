"""kill -9 of a real `python -m bot` at the one moment that matters: its change committed, the
reply not yet (or just) seen by the person (issue 9, "deterministic crash test").

The fake Telegram SIGKILLs the process from inside the bot's own Bot API call: before the call
acts (the person sees nothing) or after it took effect (the person sees the reply, the bot never
hears that it went out). After each restart: the change is in the database exactly once, the
update is recorded once and its redelivery was recognised and skipped, and every "✅ …" the
person saw is a change that is stored.
"""

from __future__ import annotations

from bot.sandbox.faults import HookedCall
from bot.sandbox.server import FakeTelegramServer
from tests.conftest import ADMIN_ID
from tests.crash.scenario import (
    BotDatabase,
    PushedUpdates,
    done_texts,
    onboard,
    open_event_wizard,
    wizard_answers,
)
from tests.crash.supervisor import BotSupervisor

LANGUAGE_USER, SUBSCRIBER, FORGETTER = 7_100_001, 7_100_002, 7_100_003
REPLY = 20.0  # seconds a reply may take on a busy machine, a restart included


class Crash:
    """One deterministic kill: where, and what the restarted bot's log said about the update."""

    def __init__(self, bot: BotSupervisor, pushed: PushedUpdates) -> None:
        self.bot = bot
        self.pushed = pushed
        self.report: list[str] = []

    async def restart_after(self, killed: HookedCall, update_id: int, what: str) -> None:
        await self.bot.restart()
        await self.bot.prepare_standby()
        self.report.append(f"{what}: killed {killed.phase} {killed.method}, update {update_id}")


async def assert_skipped_on_redelivery(bot: BotSupervisor, update_id: int) -> None:
    """The restarted process got the update again (it was never confirmed) and skipped it."""
    line = f"update {update_id} was handled before; skipped"
    await bot.server.wait_until(lambda: True if line in bot.log_text() else None, REPLY, line)


async def test_kill_between_commit_and_reply(
    telegram: FakeTelegramServer,
    bot: BotSupervisor,
    pushed: PushedUpdates,
    database: BotDatabase,
) -> None:
    crash = Crash(bot, pushed)
    speaker = telegram.user(LANGUAGE_USER, "Дана", language_code="ru")
    subscriber = telegram.user(SUBSCRIBER, "Ерлан", language_code="ru")
    forgetter = telegram.user(FORGETTER, "Айгерим", language_code="ru")
    admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")
    for person in (speaker, subscriber, forgetter):
        await onboard(person)
    await onboard(admin, "Пропустить")

    # 1. A language chosen; killed before the edit of the menu went out (the "✅" toast did).
    await speaker.send("/language")
    await speaker.wait_text("Выберите язык бота", timeout=REPLY)
    killed = await bot.kill_at_call("editMessageText", before=True)
    query = await speaker.press("Қазақша")
    update_id = pushed.by_query[query]
    await crash.restart_after(await killed, update_id, "language")
    await assert_skipped_on_redelivery(bot, update_id)
    assert (await database.user(LANGUAGE_USER)).language == "kk"  # type: ignore[union-attr]
    assert await database.times_processed(update_id) == 1
    speaker.mark_read()
    await speaker.send("/help")
    assert "Қалай көмектесе аламын" in (await speaker.next_message(timeout=REPLY)).text
    assert any("Тіл сақталды" in text for text in done_texts(speaker))  # and it is saved

    # 2. A subscription toggled; killed at the first call after the commit (the spinner's
    # answer). Handled twice, the toggle would undo itself.
    await subscriber.send("/subscriptions")
    screen = await subscriber.wait_text("Напоминания", timeout=REPLY)
    killed = await bot.kill_at_call("answerCallbackQuery", before=True)
    query = await subscriber.press("Семинары", message=screen)
    update_id = pushed.by_query[query]
    await crash.restart_after(await killed, update_id, "subscription")
    await assert_skipped_on_redelivery(bot, update_id)
    assert await database.subscriptions(SUBSCRIBER) == {"seminar"}
    assert await database.times_processed(update_id) == 1
    await subscriber.press("Форумы", message=screen)
    shown = await subscriber.wait_for(lambda m: "✅ Форумы" in m.button_texts(), timeout=REPLY)
    assert "✅ Семинары" in shown.button_texts()
    assert await database.subscriptions(SUBSCRIBER) == {"seminar", "forum"}

    # 3. A question; killed before its answer was sent. Logged once, not twice.
    question = "сколько стоит регистрация НПО, спрашивает Ерлан номер 3"
    killed = await bot.kill_at_call("sendMessage", before=True)
    message_id = await subscriber.send(question)
    update_id = pushed.of_message(subscriber, message_id)
    await crash.restart_after(await killed, update_id, "question")
    await assert_skipped_on_redelivery(bot, update_id)
    assert await database.searches(question) == 1

    # 4. The event wizard: killed once the admin saw the next step's prompt (the dialog saves
    # its own state only after that). The restarted bot must take the next step from it.
    await open_event_wizard(admin, within=REPLY)
    title = "Семинар о грантах для НПО"
    *before_place, (place, _) = wizard_answers(title)
    for text, next_prompt in before_place:
        await admin.send(text)
        await admin.wait_text(next_prompt, timeout=REPLY)
    killed = await bot.kill_at_call(
        "sendMessage", before=False, when=lambda c: "Для какого региона" in str(c.params)
    )
    message_id = await admin.send(place)
    update_id = pushed.of_message(admin, message_id)
    await crash.restart_after(await killed, update_id, "wizard step")
    await assert_skipped_on_redelivery(bot, update_id)
    prompt = await admin.wait_text("Для какого региона", timeout=REPLY)
    await admin.press("Алматы", message=prompt)
    preview = await admin.wait_text("Предпросмотр", timeout=REPLY)

    # 5. The wizard's Save; killed after the "✅ Сохранено." toast reached the admin.
    killed = await bot.kill_at_call(
        "answerCallbackQuery", before=False, when=lambda c: "✅" in str(c.params.get("text"))
    )
    query = await admin.press("Сохранить", message=preview)
    update_id = pushed.by_query[query]
    await crash.restart_after(await killed, update_id, "event saved")
    await assert_skipped_on_redelivery(bot, update_id)
    assert telegram.callback_queries[query].text.startswith("✅ Сохранено")
    assert await database.events_titled(title) == 1

    # 6. /forget's confirmation; killed after "✅ Ваши данные удалены" reached the person.
    await forgetter.send("вопрос Айгерим о регистрации НПО")
    await forgetter.wait_for(lambda m: m.has_buttons, timeout=REPLY)
    await forgetter.send("/forget")
    confirm = await forgetter.wait_text("Удалить", timeout=REPLY)
    killed = await bot.kill_at_call("editMessageText", before=False)
    query = await forgetter.press("Да", message=confirm)
    update_id = pushed.by_query[query]
    await crash.restart_after(await killed, update_id, "forget")
    await assert_skipped_on_redelivery(bot, update_id)
    assert any("удалены" in text for text in done_texts(forgetter))
    assert await database.rows_holding(FORGETTER) == []
    assert await database.searches("вопрос Айгерим о регистрации НПО") == 0

    # Every update pushed was handled, each once; the processes logged no error.
    assert await bot.stop() == 0
    assert set(pushed.ids) <= await database.processed()
    logs = bot.logs()
    print(
        "\n".join(
            [
                "deterministic crash test:",
                *crash.report,
                f"kills {bot.kills}, starts {bot.starts}, updates {len(pushed.ids)}, "
                f"all recorded as handled once; start-up "
                f"{', '.join(f'{s:.1f}' for s in bot.start_seconds)} s; "
                f"log errors {len(logs.errors)}, tracebacks {logs.tracebacks}",
            ]
        )
    )
    assert logs.errors == [] and logs.tracebacks == 0, bot.log_text()
