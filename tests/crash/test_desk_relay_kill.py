"""kill -9 of a real `python -m bot` between a person's follow-up and its relay to the
consultants' forum topic (issue 10, "Acceptance": after a restart it is in the topic exactly once).

The bot runs with CONSULTANTS_CHAT_ID set to a forum the fake Telegram models. A person asks
through the /ask dialog; the question's topic and card appear. Then, while the question is open,
the person writes a follow-up: the handler stores it (desk_messages) and queues its relay (an
outbox row: copyMessage into the topic) in the update's transaction, commits, then puts 👌 on the
message. The outbox's sender relays it. The fake server SIGKILLs the process at three moments:

(a) the copyMessage into the topic reaches Telegram, which has not acted yet (a photo with a
    caption): after the restart the row is still pending and goes out once — exactly once;
(b) the copyMessage took effect (Telegram copied it) and the bot never heard the answer (text):
    the row was claimed and sent but its verdict not recorded. The outbox promises at-least-once
    for what was in flight ("a crash re-sends at most what was in flight", bot/delivery/sender.py):
    the restarted process takes the dead process's claimed rows back at once (its lease holder
    is known dead) and sends the row again. Telegram has no idempotency key for copyMessage and
    the bot cannot look into a topic, so the follow-up is in the topic exactly twice — the one
    documented duplicate, not more;
(c) the update committed, killed before the person's 👌 (setMessageReaction) acted; the relay
    is held by the fake server until the kill and never acts (so it is not in flight): after the
    restart it goes out exactly once. The 👌 itself is lost (the redelivered update is skipped:
    the project's rule that a reply after the commit may be lost, never the change).

In (a) and (b) the kill waits until the person saw 👌; by then the bot has usually confirmed the
update with its next long poll, so the fake Telegram delivers it again (as Telegram does when a
confirmation is lost). Every case ends with: the follow-up stored once in desk_messages, the
update recorded once and its redelivery recognised and skipped, no error in the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sandbox.client import SimUser
from bot.sandbox.faults import HookAction, HookedCall
from bot.sandbox.groups import SimGroup
from bot.sandbox.server import FakeTelegramServer
from db.models.desk import Ticket, TicketMessage
from db.models.outbox import OutboxMessage, OutboxState
from handlers.desk.person.messages import STORED_REACTION
from tests.conftest import ADMIN_ID
from tests.crash.scenario import BotDatabase, PushedUpdates, onboard
from tests.crash.supervisor import BotSupervisor

FORUM = -1001000000777
PERSON = 7_200_001
REPLY = 20.0  # seconds a reply may take on a busy machine, a restart included
RELAY = 30.0  # the group is paced (about 20 messages a minute), a restart included


@pytest.fixture
def forum(telegram: FakeTelegramServer) -> SimGroup:
    """The consultants' forum supergroup; the bot is its admin and may manage topics."""
    return telegram.forum(FORUM, "Консультанты")


@pytest.fixture
async def bot(
    telegram: FakeTelegramServer,
    pushed: PushedUpdates,
    forum: SimGroup,
    any_database_url: str,
    tmp_path: Path,
) -> AsyncIterator[BotSupervisor]:
    """`python -m bot` with the consultants' forum (`pushed` first, as in tests/crash)."""
    supervisor = BotSupervisor(
        telegram,
        any_database_url,
        tmp_path,
        admin_ids=str(ADMIN_ID),
        env={"CONSULTANTS_CHAT_ID": str(FORUM), "DESK_AUTO_ASSIGN": "false"},
    )
    try:
        await supervisor.start()
        await supervisor.prepare_standby()
        yield supervisor
    finally:
        await supervisor.close()


async def ask(person: SimUser, question: str) -> None:
    """/ask, the question, Next, past the FAQ suggestions, a topic, Send: the confirmation."""
    person.mark_read()
    await person.send("/ask")
    await person.wait_for(lambda m: m.has_buttons or "/cancel" in m.text, timeout=REPLY)
    person.mark_read()
    await person.send(question)
    await person.wait_for(lambda m: any("Далее" in b for b in m.button_texts()), timeout=REPLY)
    person.mark_read()
    await person.press("Далее")
    window = await person.wait_for(
        lambda m: m.has_buttons and "Далее" not in " ".join(m.button_texts()), timeout=REPLY
    )
    if "Отчётность" not in " ".join(window.button_texts()):
        person.mark_read()
        await person.press(lambda b: b.text.startswith("➡️"))
        await person.wait_for(lambda m: "Отчётность" in " ".join(m.button_texts()), timeout=REPLY)
    person.mark_read()
    await person.press("Отчётность")
    await person.wait_for(lambda m: "Отправить" in " ".join(m.button_texts()), timeout=REPLY)
    person.mark_read()
    await person.press("Отправить")
    await person.wait_for(lambda m: "#" in m.text and "Отправить" not in m.text, timeout=REPLY)


class Desk:
    """The forum, the person's question in it, and the test's view of the bot's database."""

    def __init__(
        self,
        telegram: FakeTelegramServer,
        bot: BotSupervisor,
        pushed: PushedUpdates,
        database: BotDatabase,
        forum: SimGroup,
        person: SimUser,
    ) -> None:
        self.telegram = telegram
        self.bot = bot
        self.pushed = pushed
        self.database = database
        self.forum = forum
        self.person = person
        self.ticket_id = 0
        self.thread_id = 0
        self.report: list[str] = []
        self.person_messages: list[int] = []  # the follow-ups, in order

    def copies(self, text: str) -> int:
        """How many messages in the question's topic read `text` (a copy keeps it)."""
        return sum(1 for m in self.forum.topic(self.thread_id).messages if m.text == text)

    async def relayed(self, text: str) -> int:
        """Wait until `text` is in the topic and nothing of the question is left to send; how
        many times it is there then."""
        await self.telegram.wait_until(
            lambda: True if self.copies(text) else None, RELAY, f"{text!r} in the topic"
        )
        key = f"ticket:{self.ticket_id}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RELAY
        while await self.database.scalar(
            select(func.count()).where(
                OutboxMessage.group_key == key,
                OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)),
            )
        ):
            assert loop.time() < deadline, f"rows of {key} still queued after {RELAY} s"
            # The next call the bot makes, or a fifth of a second: the verdict is written
            # after the answer to the last call.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.2):
                    await self.telegram.next_activity().wait()
        return self.copies(text)

    async def stored(self, message_id: int) -> int:
        return int(
            await self.database.scalar(
                select(func.count()).where(
                    TicketMessage.ticket_id == self.ticket_id,
                    TicketMessage.chat_id == self.person.chat_id,
                    TicketMessage.message_id == message_id,
                )
            )
        )

    def kill_at_relay(self, *, before: bool, after_mark: bool) -> asyncio.Future[HookedCall]:
        """SIGKILL the bot at its copyMessage into the forum, before Telegram acts on it or
        after; with `after_mark`, only once the person saw 👌 on their latest message."""
        fired: asyncio.Future[HookedCall] = asyncio.get_running_loop().create_future()

        async def hook(call: HookedCall) -> HookAction | None:
            if fired.done() or call.params.get("chat_id") not in (FORUM, str(FORUM)):
                return None
            fired.set_result(call)  # taken: later calls pass
            if after_mark:
                message_id = max(self.person_messages)
                await self.person.wait_until(
                    lambda: self.person.reactions(message_id) or None, REPLY, "the 👌"
                )
            self.bot.kill_now()
            return HookAction.DROP

        remove = self.telegram.on_call("copyMessage", hook, before=before)
        fired.add_done_callback(lambda _: remove())
        return fired

    async def restart_after(self, killed: HookedCall, update_id: int, what: str) -> None:
        """Restart; the update comes back to the new process, which must skip it. In (a) and
        (b) the dead bot may have confirmed it already (its next long poll did, while the
        relay waited for the group's pacing): Telegram then delivers it again as when the
        confirmation was lost, so the skip is tested every time."""
        await self.bot.reap()
        confirmed = all(u["update_id"] != update_id for u in self.pushed.pending)
        if confirmed:
            self.pushed.redeliver(update_id)
        await self.bot.restart()
        await self.bot.prepare_standby()
        line = f"update {update_id} was handled before; skipped"
        await self.telegram.wait_until(
            lambda: True if line in self.bot.log_text() else None, REPLY, line
        )
        self.report.append(
            f"{what}: killed {killed.phase} {killed.method}, update {update_id}"
            + (" (confirmed before the kill: redelivered)" if confirmed else "")
        )


async def test_follow_up_relayed_once_across_kills(
    telegram: FakeTelegramServer,
    bot: BotSupervisor,
    pushed: PushedUpdates,
    database: BotDatabase,
    forum: SimGroup,
) -> None:
    person = telegram.user(PERSON, "Дана", language_code="ru")
    desk = Desk(telegram, bot, pushed, database, forum, person)
    await onboard(person, within=REPLY)
    question = "Как сдать годовой отчёт общественного фонда?"
    await ask(person, question)
    [ticket] = await database.scalars(select(Ticket).where(Ticket.user_id == PERSON))
    desk.ticket_id = ticket.id
    topic = await telegram.wait_until(
        lambda: forum.find_topic(f"#{ticket.id}"), RELAY, "the question's topic"
    )
    desk.thread_id = topic.id
    assert await desk.relayed(question) == 1
    card = forum.topic(topic.id).messages[0]
    assert f"#{ticket.id}" in card.text

    # (a) A photo with a caption; killed when its copy reached Telegram, before it acted.
    caption = "Фото квитанции об оплате, (a)"
    killed = desk.kill_at_relay(before=True, after_mark=True)
    message_id = await person.send_photo(caption)
    desk.person_messages.append(message_id)
    update_id = pushed.of_message(person, message_id)
    await desk.restart_after(await killed, update_id, "(a) photo, before the copy")
    assert await desk.relayed(caption) == 1
    assert [m.kind for m in forum.topic(topic.id).messages if m.text == caption] == ["photo"]
    assert person.reactions(message_id) == [STORED_REACTION]
    assert await desk.stored(message_id) == 1
    assert await database.times_processed(update_id) == 1

    # (b) Text; killed once Telegram had copied it, before the bot heard: resent once.
    text = "И ещё: отчёт подаётся в электронном виде? (b)"
    killed = desk.kill_at_relay(before=False, after_mark=True)
    message_id = await person.send(text)
    desk.person_messages.append(message_id)
    update_id = pushed.of_message(person, message_id)
    await desk.restart_after(await killed, update_id, "(b) text, after the copy")
    assert await desk.relayed(text) == 2  # the outbox's one in-flight duplicate, see above
    assert person.reactions(message_id) == [STORED_REACTION]
    assert await desk.stored(message_id) == 1
    assert await database.times_processed(update_id) == 1

    # (c) Text; the update committed, killed before the 👌 acted. The relay is held until the
    # kill and then dropped unanswered: Telegram never acted on it.
    text = "Забыла спросить про сроки, (c)"
    gone = asyncio.Event()

    async def hold_relay(call: HookedCall) -> HookAction | None:
        if call.params.get("chat_id") not in (FORUM, str(FORUM)) or gone.is_set():
            return None
        await gone.wait()
        return HookAction.DROP

    remove_hold = telegram.on_call("copyMessage", hold_relay, before=True)
    killed = await bot.kill_at_call(
        "setMessageReaction",
        before=True,
        when=lambda c: c.params.get("chat_id") in (PERSON, str(PERSON)),
    )
    message_id = await person.send(text)
    update_id = pushed.of_message(person, message_id)
    call = await killed
    gone.set()
    remove_hold()
    await desk.restart_after(call, update_id, "(c) text, before the 👌")
    assert await desk.relayed(text) == 1
    assert await desk.stored(message_id) == 1
    assert await database.times_processed(update_id) == 1

    # Every update pushed was handled, each once; the processes logged no error.
    assert await bot.stop() == 0
    assert set(pushed.ids) <= await database.processed()
    logs = bot.logs()
    print(
        "\n".join(
            [
                "desk relay crash test:",
                *desk.report,
                f"kills {bot.kills}, starts {bot.starts}; start-up "
                f"{', '.join(f'{s:.1f}' for s in bot.start_seconds)} s; "
                f"log errors {len(logs.errors)}, tracebacks {logs.tracebacks}",
            ]
        )
    )
    assert logs.errors == [] and logs.tracebacks == 0, bot.log_text()
