"""Greetings and thanks get a human answer; a greeting with a question is still a search."""

from __future__ import annotations

import pytest

from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.services.smalltalk import SmallTalk, classify


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Привет!", SmallTalk.GREETING),
        ("Сәлеметсіз бе", SmallTalk.GREETING),
        ("salemetsiz be", SmallTalk.GREETING),
        ("Здравствуйте, бот", SmallTalk.GREETING),
        ("Рақмет!", SmallTalk.THANKS),
        ("спасибо большое", SmallTalk.THANKS),
        ("привет, как зарегистрировать НПО?", None),
        ("регистрация", None),
        ("спасибо " * 20, None),
    ],
)
def test_classify(text: str, kind: SmallTalk | None) -> None:
    assert classify(text) is kind


async def test_greeting_and_thanks_in_the_users_language(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(8101, "Әлия", "kk")
    await user.send("Сәлем!")
    greeting = await user.next_message()
    assert "Сұрағыңызды қазақша немесе орысша" in greeting.text
    assert any("Сұрақтар мен жауаптар" in b.text for row in greeting.buttons for b in row)

    await user.send("спасибо")
    assert "Оқасы жоқ" in (await user.next_message()).text

    await user.send("сәлем, ҮЕҰ тіркеу алымы қанша?")
    answer = await user.next_message()
    assert "Оқасы жоқ" not in answer.text and "Сәлеметсіз бе!" not in answer.text
    assert "АЕК" in answer.text  # the registration fee answer, in MRP (АЕК) and tenge
