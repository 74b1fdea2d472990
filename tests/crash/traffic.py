"""Mixed traffic of simulated people for the random-kill test, and what each of them saw.

Every person acts, then waits for the bot's reply. A reply may be lost for good only when the
update was handled by a process that was then killed (the crash came between the commit and the
reply): the person then moves on (and, like a person, opens the screen again). Any other reply
that does not come within STALL seconds fails the test, transcript attached.

What is recorded is what the final checks need: every update each person caused, and every
"✅ …" they were shown, tied to the change it announced.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from bot.sandbox.client import SimUser
from bot.sandbox.models import BotMessage
from bot.sandbox.views import Predicate
from tests.crash.scenario import PushedUpdates, wizard_answers

STALL = 90.0  # seconds without the awaited reply (restarts included) that count as a hang

QUESTIONS = (
    "сколько стоит регистрация НПО",
    "как зарегистрировать общественное объединение",
    "какие отчеты сдает некоммерческая организация",
    "где найти гранты для НПО",
    "что такое государственный социальный заказ",
    "нужна ли печать общественному фонду",
)
CATEGORIES = {"forum": "Форумы", "seminar": "Семинары", "other": "Другие события"}
LANGUAGE_BUTTONS = {"kk": "Қазақша", "ru": "Русский"}
LANGUAGE_SAVED = {"kk": "✅ Тіл сақталды", "ru": "✅ Язык сохранён"}


class Kills:
    """What the test's killer tells the people: a kill happened, and which updates the dead
    process had handled (their replies, if not seen by now, will never come)."""

    def __init__(self) -> None:
        self.count = 0
        self.handled_by_the_dead: set[int] = set()
        self._next = asyncio.Event()

    def next(self) -> asyncio.Event:
        return self._next

    def happened(self, handled: set[int]) -> None:
        self.count += 1
        self.handled_by_the_dead = handled
        event, self._next = self._next, asyncio.Event()
        event.set()


@dataclass
class Seen:
    """Counters over all people."""

    exchanges: int = 0
    lost_replies: int = 0
    actions: Counter[str] = field(default_factory=Counter)


@dataclass
class Stage:
    """What every person shares: the server's record of pushes, the kills, the counters."""

    pushed: PushedUpdates
    kills: Kills
    seen: Seen = field(default_factory=Seen)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


class Person:
    """One simulated person with a script; `run` repeats it until the traffic stops."""

    def __init__(self, user: SimUser, stage: Stage, rng: random.Random) -> None:
        self.user = user
        self.pushed = stage.pushed
        self.kills = stage.kills
        self.seen = stage.seen
        self.stopping = stage.stopping
        self.rng = rng

    async def think(self) -> None:
        """A person's pause between two actions: the traffic's pace, not a wait for the bot."""
        await asyncio.sleep(self.rng.uniform(0.1, 0.6))

    async def send(self, text: str) -> int:
        return self.pushed.of_message(self.user, await self.user.send(text))

    async def press(self, label: str, message: BotMessage) -> int:
        return self.pushed.by_query[await self.user.press(label, message=message)]

    async def exchange(
        self, action: Callable[[], Awaitable[int]], expect: Predicate, what: str
    ) -> tuple[int, BotMessage | None]:
        """Do `action` (it returns the update id) and wait for the reply; None if it is lost."""
        self.user.mark_read()
        update_id = await action()
        self.seen.exchanges += 1
        self.seen.actions[what] += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STALL
        while True:
            kill = asyncio.ensure_future(self.kills.next().wait())
            reply = asyncio.ensure_future(
                self.user.wait_for(expect, timeout=max(0.0, deadline - loop.time()))
            )
            done, _ = await asyncio.wait({kill, reply}, return_when=asyncio.FIRST_COMPLETED)
            for task in (kill, reply):
                task.cancel()
            await asyncio.gather(kill, reply, return_exceptions=True)
            if reply in done:
                return update_id, reply.result()  # AssertionError (with transcript) on a hang
            if update_id in self.kills.handled_by_the_dead:
                try:  # a last look: it may have come just before the kill
                    return update_id, await self.user.wait_for(expect, timeout=0)
                except AssertionError:
                    self.seen.lost_replies += 1
                    return update_id, None

    async def run(self) -> None:
        while not self.stopping.is_set():
            await self.script()
            await self.think()

    async def script(self) -> None:
        raise NotImplementedError


def any_message(_message: BotMessage) -> bool:
    return True


def showing(fragment: str) -> Predicate:
    return lambda message: fragment in message.text


def edit_of(screen: BotMessage) -> Predicate:
    return lambda message: message.message_id == screen.message_id


class Questioner(Person):
    """Asks questions, each with a text of its own: one search-log row per question."""

    def __init__(self, user: SimUser, stage: Stage, rng: random.Random, tag: str) -> None:
        super().__init__(user, stage, rng)
        self.tag = tag
        self.asked: list[str] = []

    async def script(self) -> None:
        question = f"{self.rng.choice(QUESTIONS)} вопрос {self.tag}-{len(self.asked) + 1}"
        self.asked.append(question)
        await self.exchange(lambda: self.send(question), any_message, "question")


class Subscriber(Person):
    """Opens /subscriptions and toggles categories: each press flips one, so the stored set is
    the categories pressed an odd number of times."""

    def __init__(self, user: SimUser, stage: Stage, rng: random.Random) -> None:
        super().__init__(user, stage, rng)
        self.presses: Counter[str] = Counter()

    async def script(self) -> None:
        _, screen = await self.exchange(
            partial(self.send, "/subscriptions"), showing("Напоминания"), "screen"
        )
        if screen is None:
            return
        for _round in range(self.rng.randint(1, 4)):
            category = self.rng.choice(list(CATEGORIES))
            self.presses[category] += 1
            _, edited = await self.exchange(
                partial(self.press, CATEGORIES[category], screen), edit_of(screen), "toggle"
            )
            if edited is None or self.stopping.is_set():
                return
            await self.think()

    def expected(self) -> set[str]:
        return {category for category, count in self.presses.items() if count % 2}


class LanguageSwitcher(Person):
    """/language, then Kazakh or Russian; remembers each "✅ saved" with the language pressed."""

    def __init__(self, user: SimUser, stage: Stage, rng: random.Random) -> None:
        super().__init__(user, stage, rng)
        self.pressed: list[str] = []
        self.confirmed: list[tuple[str, str]] = []  # (language pressed, the "✅" text shown)

    async def script(self) -> None:
        _, menu = await self.exchange(
            lambda: self.send("/language"),
            lambda m: "🌐" in m.text and m.has_buttons,
            "language screen",
        )
        if menu is None:
            return
        language = self.rng.choice(list(LANGUAGE_BUTTONS))
        self.pressed.append(language)
        _, done = await self.exchange(
            lambda: self.press(LANGUAGE_BUTTONS[language], menu),
            lambda m: m.message_id == menu.message_id and m.text.startswith("✅"),
            "language",
        )
        if done is not None:
            self.confirmed.append((language, done.text))


class EventAdmin(Person):
    """Creates events through the wizard, each with a title of its own. A lost reply abandons
    the event (a person would start again); a Save pressed is an event that must exist once."""

    def __init__(self, user: SimUser, stage: Stage, rng: random.Random, tag: str) -> None:
        super().__init__(user, stage, rng)
        self.tag = tag
        self.started: list[str] = []
        self.saved: list[str] = []  # titles whose Save was pressed
        self.confirmed: list[str] = []  # titles the admin saw "✅ Сохранено" for

    async def script(self) -> None:
        title = f"Семинар {self.tag} номер {len(self.started) + 1}"
        self.started.append(title)
        screen: BotMessage | None = None
        steps: list[tuple[str, str, str]] = [
            ("send", "/admin", "Администрирование"),
            ("press", "События и сроки", "(управление)"),
            ("press", "Новое событие", "шаг 1 из 9"),
            ("press", "Семинары", "название на казахском"),
            *(("send", text, prompt) for text, prompt in wizard_answers(title)),
            ("press", "Алматы", "Предпросмотр"),
        ]
        for kind, value, prompt in steps:
            action = partial(self.send, value) if kind == "send" else self._press_on(value, screen)
            _, screen = await self.exchange(action, showing(prompt), "wizard step")
            if screen is None:
                return
        preview = screen
        assert preview is not None
        self.saved.append(title)
        _, done = await self.exchange(
            lambda: self.press("Сохранить", preview),
            lambda m: m.message_id == preview.message_id and "Сохранено" in m.text,
            "event saved",
        )
        if done is not None:
            assert title in done.text, f"the saved card shows another event:\n{done.text}"
            self.confirmed.append(title)

    def _press_on(self, label: str, screen: BotMessage | None) -> Callable[[], Awaitable[int]]:
        assert screen is not None, "a wizard button before any screen"
        return partial(self.press, label, screen)


class Forgetter(Person):
    """People who ask, subscribe, then /forget and confirm; once confirmed, they are gone."""

    def __init__(self, people: list[SimUser], stage: Stage, rng: random.Random, tag: str) -> None:
        super().__init__(people[0], stage, rng)
        self.waiting = list(people)
        self.tag = tag
        self.questions: dict[int, str] = {}
        self.forgotten: list[int] = []  # whose confirmation was pressed (and so handled)
        self.confirmed: list[int] = []  # who saw "✅ … удалены"

    async def run(self) -> None:
        while self.waiting and not self.stopping.is_set():
            self.user = self.waiting.pop(0)
            await self.script()
            await self.think()

    async def script(self) -> None:
        question = f"{self.rng.choice(QUESTIONS)} спрашивает {self.tag}-{self.user.id}"
        self.questions[self.user.id] = question
        await self.exchange(lambda: self.send(question), any_message, "question")
        await self.think()
        _, screen = await self.exchange(
            partial(self.send, "/subscriptions"), showing("Напоминания"), "screen"
        )
        if screen is not None:
            await self.exchange(partial(self.press, "Семинары", screen), edit_of(screen), "toggle")
        for _attempt in range(5):
            _, confirm = await self.exchange(
                lambda: self.send("/forget"), lambda m: "Удалить" in m.text, "forget screen"
            )
            if confirm is not None:
                break
        else:
            raise AssertionError(f"/forget never showed its confirmation to {self.user.id}")
        self.forgotten.append(self.user.id)
        _, done = await self.exchange(
            lambda: self.press("Да", confirm),
            lambda m: m.message_id == confirm.message_id and m.text.startswith("✅"),
            "forget",
        )
        if done is not None:
            self.confirmed.append(self.user.id)
