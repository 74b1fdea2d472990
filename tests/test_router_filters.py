"""The router tree's shortcuts: commands-only routers and synchronous filters run inline."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Chat, Message

from handlers import build_root_router
from handlers.filters import MayBeCommand, commands_only, filters_inline


def message(text: str | None = None, caption: str | None = None) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 1, 1),
        chat=Chat(id=1, type="private"),
        text=text,
        caption=caption,
    )


async def noop(*_args: Any) -> None:
    return None


@pytest.mark.parametrize(
    ("text", "caption", "expected"),
    [
        ("/start", None, True),
        ("  /help me", None, True),
        ("\u00a0/menu", None, True),  # str.split() also skips non-breaking spaces
        (None, "/import", True),  # aiogram's Command reads a caption too
        ("!ban", None, True),
        ("сколько стоит регистрация", None, False),
        ("what is /start", None, False),
        ("", None, False),
        (None, None, False),
    ],
)
def test_may_be_command_lets_through_what_a_command_filter_could_take(
    text: str | None, caption: str | None, expected: bool
) -> None:
    assert asyncio.run(MayBeCommand("/!")(message(text, caption))) is expected


def test_commands_only_takes_the_prefixes_of_its_command_filters() -> None:
    router = Router()
    child = Router()
    router.message.register(noop, CommandStart())
    child.message.register(noop, Command("ban", prefix="!"))
    router.include_router(child)
    commands_only(router)
    (root_filter,) = router.message._handler.filters or []
    assert isinstance(root_filter.callback, MayBeCommand)
    assert asyncio.run(root_filter.callback(message("!ban 5")))
    assert not asyncio.run(root_filter.callback(message("#ban")))


def test_commands_only_refuses_a_message_handler_without_a_command() -> None:
    router = Router(name="nav")
    child = Router()
    child.message.register(noop, F.text == "Menu")
    router.include_router(child)
    with pytest.raises(ValueError, match="without a Command filter"):
        commands_only(router)


def test_filters_inline_keeps_results_and_data() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    router.message.register(noop, F.text.as_("question"), ~F.text.startswith("/"))
    filters_inline(router)
    (handler,) = router.message.handlers
    filters = [*(router.message._handler.filters or []), *(handler.filters or [])]
    assert all(f.awaitable for f in filters)

    async def check(text: str) -> tuple[bool, dict[str, Any]]:
        return await handler.check(message(text))

    passed, data = asyncio.run(check("налоги"))
    assert passed and data["question"] == "налоги"
    assert not asyncio.run(check("/start"))[0]


def test_the_bot_s_tree_runs_no_filter_in_a_thread() -> None:
    root = build_root_router()
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                assert all(f.awaitable for f in handler.filters or ()), router.name
