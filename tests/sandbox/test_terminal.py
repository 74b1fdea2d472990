"""The terminal chat loop, driven by scripted input against a real aiogram Dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

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
from bot.sandbox.terminal import chat_loop, format_message, render_html


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

    @router.message(F.text == "файл")
    async def document(message: Message) -> None:
        await message.answer_document(BufferedInputFile(b"12345", "report.pdf"))

    @router.message(F.text)
    async def echo(message: Message) -> None:
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
    assert "(edited)" in out and "🔔 Готово" in out
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
