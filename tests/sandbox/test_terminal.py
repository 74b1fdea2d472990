"""The terminal chat loop, driven by scripted input against a real aiogram Dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.sandbox import BotMessage, FakeTelegramServer, make_bot
from bot.sandbox.state import CallbackQueryState
from bot.sandbox.terminal import chat_loop, format_message, render_html
from bot.sandbox.terminal_format import PHONE_WIDTH, format_answer

FORUM = -1001000000001


def demo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Қазақша", callback_data="kk"),
                    InlineKeyboardButton(text="Русский", callback_data="ru"),
                ]
            ]
        )
        await message.answer("<b>Тілді таңдаңыз</b> / Выберите язык", reply_markup=markup)

    @router.callback_query(F.data == "ru")
    async def russian(query: CallbackQuery) -> None:
        await query.answer("Готово")
        if isinstance(query.message, Message):
            await query.message.edit_text("Язык: <i>русский</i>")

    @router.callback_query(F.data == "kk")
    async def kazakh(query: CallbackQuery) -> None:
        await query.answer("Қазақ тілі таңдалды, бірақ бұл ескерту ұзын болғандықтан оралады", True)

    @router.message(F.text == "/ask")
    async def ask(message: Message) -> None:
        bot = message.bot
        assert bot is not None
        topic = await bot.create_forum_topic(FORUM, "🟡 #1 · Sandbox")
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="take")]]
        )
        await bot.send_message(
            FORUM, "Card #1", message_thread_id=topic.message_thread_id, reply_markup=markup
        )
        await message.answer("Question #1 sent")

    @router.callback_query(F.data == "take")
    async def take(query: CallbackQuery) -> None:
        await query.answer("You own #1")
        if isinstance(query.message, Message):
            await query.message.answer("Taken")

    @router.message(F.document | F.photo | F.sticker | F.voice)
    async def media(message: Message) -> None:
        kind = "photo" if message.photo else "sticker" if message.sticker else "voice"
        name = message.document.file_name if message.document else kind
        await message.answer(f"Got {name}")

    @router.message(F.text == "файл")
    async def document(message: Message) -> None:
        await message.answer_document(BufferedInputFile(b"12345", "report.pdf"))

    @router.message(F.text)
    async def echo(message: Message) -> None:
        # In a topic, answer() stays in it (aiogram passes message_thread_id along).
        await message.answer(f"Вы написали: {message.text}")

    return router


@pytest.fixture
async def running(server: FakeTelegramServer) -> AsyncIterator[FakeTelegramServer]:
    dp = Dispatcher()
    dp.include_router(demo_router())
    bot = make_bot(server)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    try:
        yield server
    finally:
        await dp.stop_polling()
        async with asyncio.timeout(5):
            await polling


class Script:
    """Feeds lines one at a time, each only after the expected output appeared."""

    def __init__(self, steps: list[tuple[str, str | None]]) -> None:
        self.steps = steps
        self.output: list[str] = []
        self._changed = asyncio.Event()

    def write(self, text: str) -> None:
        assert text.endswith("\n")
        self.output.append(text)
        self._changed.set()

    @property
    def text(self) -> str:
        return "".join(self.output)

    async def read_line(self) -> str | None:
        if not self.steps:
            return None
        expected, line = self.steps.pop(0)
        async with asyncio.timeout(5):
            while expected not in self.text:
                self._changed.clear()
                await self._changed.wait()
        return line


async def test_chat_loop_scripted(running: FakeTelegramServer) -> None:
    user = running.user(1001, "Aigerim")
    script = Script(
        [
            ("Ctrl-D", "/start"),
            ("[2] Русский", "2"),
            ("Язык: _русский_", "сәлем"),
            ("Вы написали: сәлем", "9"),
            ("(no button 9)", "\\3"),
            ("Вы написали: 3", "файл"),
            ("📎 report.pdf (5 bytes)", "/quit"),
        ]
    )
    await chat_loop(user, script.read_line, script.write)
    out = script.text
    assert "**Тілді таңдаңыз** / Выберите язык" in out
    assert "[1] Қазақша  [2] Русский" in out
    assert "(edited)" in out and "[toast] Готово" in out and "🔔" not in out
    assert running.violations == []


async def test_chat_loop_ends_on_eof(server: FakeTelegramServer) -> None:
    user = server.user(1001)

    async def eof() -> str | None:
        return None

    lines: list[str] = []
    await chat_loop(user, eof, lines.append)
    assert lines and "/quit" in lines[0]


def test_render_html_markers() -> None:
    message = BotMessage(
        message_id=1,
        chat_id=1,
        kind="text",
        text="Bold italic code link",
        html='<b>Bold <i>italic</i></b> <code>code</code> <a href="https://x.kz">link</a>',
    )
    assert render_html(message) == "**Bold _italic_** `code` link (https://x.kz)"
    plain = BotMessage(1, 1, "text", "1 < 2", "1 < 2")
    assert render_html(plain) == "1 < 2"
    assert format_message(plain).splitlines() == ["🤖 #1", "  1 < 2"]


async def test_files_older_buttons_and_toasts(running: FakeTelegramServer, tmp_path: Path) -> None:
    user = running.user(1001, "Aigerim")
    report = tmp_path / "есеп.txt"
    report.write_bytes(b"twelve bytes")
    script = Script(
        [
            ("Ctrl-D", "/start"),
            ("[2] Русский", "сәлем"),
            ("Вы написали: сәлем", "2.1"),  # button 1 of message #2, no longer the newest
            ("[alert] Қазақ тілі", f"/file {report}"),
            ("Got есеп.txt", "/file /no/such/file"),
            ("(cannot read /no/such/file", "/photo"),
            ("Got photo", "/sticker"),
            ("Got sticker", "/voice"),
            ("Got voice", "9.1"),
            ("(no message #9 here)", "/quit"),
        ]
    )
    await chat_loop(user, script.read_line, script.write)
    out = script.text
    assert "(you sent есеп.txt, 12 bytes)" in out
    assert [m.kind for m in user.state.messages.values() if not m.from_bot][-4:] == [
        "document", "photo", "sticker", "voice",
    ]  # fmt: skip
    alert = out[out.index("[alert]") :].splitlines()
    assert len(alert[0]) <= PHONE_WIDTH + 2 and alert[1].startswith("          ")  # wrapped
    assert running.violations == []


async def test_switching_to_a_forum_topic(running: FakeTelegramServer) -> None:
    user = running.user(1001, "Aigerim")
    forum = running.forum(FORUM, "Consultants")
    forum.add_member(user, "administrator", can_manage_topics=True)
    script = Script(
        [
            ("Ctrl-D", "/ask"),
            ("Question #1 sent", "/topic"),
            ("(this chat has no topics)", "/chat"),
            ("chats: private, group", "/chat group"),
            ("── group «Consultants» · General ──", "/topic"),
            ("«🟡 #1 · Sandbox»: /topic 2", "/topic 2"),
            ("Card #1", "1"),
            ("[toast] You own #1", "hello topic"),
            ("Вы написали: hello topic", "/chat private"),
            ("── private ──", "after"),
            ("Вы написали: after", "/quit"),
        ]
    )
    await chat_loop(user, script.read_line, script.write, group=forum)
    out = script.text
    assert "· new in group · topic #2 «🟡 #1 · Sandbox» (/chat group, /topic 2)" in out
    topic = forum.topic(2)
    assert [m.text for m in topic.messages] == ["Card #1", "Taken", "Вы написали: hello topic"]
    sent = [m for m in topic.state.messages.values() if not m.from_bot and m.kind == "text"]
    assert [(m.text, m.thread_id) for m in sent] == [("hello topic", 2)]
    # Once back in the private chat, nothing from the topic is printed in full.
    tail = out[out.rindex("── private ──") :]
    assert "Taken" not in tail and "Вы написали: after" in tail
    assert running.violations == []


def test_long_text_wraps_at_phone_width() -> None:
    text = (
        "Бұл хабарлама өте ұзын, ол телефонның экранына сыймайды, сондықтан бірнеше жолға бөлінеді."
    )
    message = BotMessage(1, 1, "text", text, text)
    lines = format_message(message).splitlines()[1:]
    assert len(lines) >= 3 and all(len(line) <= PHONE_WIDTH + 2 for line in lines)
    assert " ".join(line.strip() for line in lines) == text
    toast = CallbackQueryState("1", 1, 1, 1, "x", answered=True, text="Сақталды")
    assert format_answer(toast) == "  [toast] Сақталды"
