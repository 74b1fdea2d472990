"""Calls our bot must never make: unknown methods, missing or unknown parameters, bad types."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError
from aiogram.methods import TelegramMethod

from bot.sandbox import ApiSpec, FakeTelegramServer
from bot.sandbox.errors import ApiError
from bot.sandbox.spec_check import default_spec


class FrobnicateChat(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "frobnicateChat"

    chat_id: int


async def post(server: FakeTelegramServer, method: str, **data: str) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/bot{server.token}/{method}", data=data) as response,
    ):
        return response.status, await response.json()


async def test_unknown_method_via_aiogram(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(FrobnicateChat(chat_id=1))
    assert server.violations == ["frobnicateChat: Not Found"]


async def test_method_names_are_case_insensitive(server: FakeTelegramServer) -> None:
    status, body = await post(server, "GETME")
    assert status == 200 and body["result"]["is_bot"] is True
    assert server.violations == []


async def test_missing_and_unknown_parameters(server: FakeTelegramServer) -> None:
    server.user(1001)
    status, body = await post(server, "sendMessage", chat_id="1001")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await post(server, "sendMessage", chat_id="1001", text="hi", colour="red")
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    assert 'unknown parameter "colour"' in body["description"]
    status, body = await post(server, "answerCallbackQuery")
    assert 'parameter "callback_query_id" is required' in body["description"]
    assert len(server.violations) == 3
    assert server.user(1001).messages == []


async def test_wrong_types(server: FakeTelegramServer) -> None:
    server.user(1001)
    status, body = await post(
        server, "sendMessage", chat_id="1001", text="x", disable_notification="maybe"
    )
    assert status == 400 and "disable_notification" in body["description"]
    status, body = await post(server, "sendMessage", chat_id="1001", text="x", reply_markup="[1,2")
    assert status == 400 and "can't parse reply_markup JSON object" in body["description"]
    status, body = await post(
        server,
        "sendMessage",
        chat_id="1001",
        text="x",
        reply_markup='{"inline_keyboard": [[{"text": "A", "callback_data": "a", "colour": 1}]]}',
    )
    assert status == 400 and "colour" in body["description"]
    status, body = await post(server, "getUpdates", limit="ten")
    assert status == 400 and '"limit" must be of type Integer' in body["description"]
    assert len(server.violations) == 4


async def test_json_body_is_accepted(server: FakeTelegramServer) -> None:
    user = server.user(1001)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}/bot{server.token}/sendMessage",
            json={"chat_id": 1001, "text": "json", "disable_notification": True},
        ) as response,
    ):
        assert response.status == 200
    assert user.last is not None and user.last.text == "json"


async def test_spec_valid_but_unimplemented_method(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="fake server: method sendPoll not implemented"):
        await bot.send_poll(1001, "Q?", options=["a", "b"])
    assert server.violations == [
        "sendPoll: Bad Request: fake server: method sendPoll not implemented"
    ]


async def test_wrong_token(server: FakeTelegramServer) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    bot = Bot("999:WRONG", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()
    assert server.violations == []


async def test_aiogram_newer_parameters_are_allowed(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    await bot.send_message(
        user.id, "reply", reply_to_message_id=1, allow_sending_without_reply=True
    )
    assert server.violations == []


def test_spec_validate_converts_values() -> None:
    spec = default_spec()
    method = spec.method("SENDMESSAGE")
    assert method is not None and method.name == "sendMessage"
    params = spec.validate(
        method,
        {
            "chat_id": "-100123",
            "text": "123",
            "disable_notification": "true",
            "reply_markup": '{"remove_keyboard": true}',
        },
    )
    assert params == {
        "chat_id": -100123,
        "text": "123",
        "disable_notification": True,
        "reply_markup": {"remove_keyboard": True},
    }
    assert spec.validate(method, {"chat_id": "@channel", "text": "x"})["chat_id"] == "@channel"


def test_spec_nested_union_validation() -> None:
    spec = ApiSpec.load()
    method = spec.method("setMyCommands")
    assert method is not None
    good = '[{"command": "start", "description": "Start"}]'
    assert spec.validate(method, {"commands": good, "scope": '{"type": "all_private_chats"}'})
    with pytest.raises(ApiError, match="scope"):
        spec.validate(method, {"commands": good, "scope": '{"type": "chat"}'})  # no chat_id
    with pytest.raises(ApiError, match="description"):
        spec.validate(method, {"commands": '[{"command": "start"}]'})
