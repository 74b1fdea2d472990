"""Greetings, thanks and "ok" typed as text get a human answer, not an FAQ search."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from bot.services.smalltalk import SmallTalk, classify
from handlers.keyboards import back_to_menu_keyboard, main_menu_keyboard
from handlers.screens import Screen, show


class IsSmallTalk(Filter):
    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        kind = classify(message.text or "")
        return {"small_talk": kind} if kind else False


def small_talk_screen(kind: SmallTalk, role: Role | None) -> Screen:
    if kind is SmallTalk.GREETING:
        text = _(
            "👋 Hello! Type your question in your own words, in Kazakh or Russian, "
            "or choose a section:"
        )
        return Screen(text, main_menu_keyboard(role))
    if kind is SmallTalk.THANKS:
        text = _("😊 You are welcome! Write whenever you have another question.")
    else:
        text = _("👌 Good. Write whenever you have a question.")
    return Screen(text, back_to_menu_keyboard())


async def answer_small_talk(message: Message, small_talk: SmallTalk, role: Role) -> None:
    await show(message, small_talk_screen(small_talk, role))


def router() -> Router:
    router = Router(name="smalltalk")
    router.message.register(answer_small_talk, F.text, StateFilter(None), IsSmallTalk())
    return router
