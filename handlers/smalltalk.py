"""Greetings and thanks typed as text get a human answer, not an FAQ search."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.services.smalltalk import SmallTalk, classify
from handlers.keyboards import back_to_menu_keyboard, main_menu_keyboard

router = Router(name=__name__)


class IsSmallTalk(Filter):
    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        kind = classify(message.text or "")
        return {"small_talk": kind} if kind else False


@router.message(F.text, StateFilter(None), IsSmallTalk())
async def answer_small_talk(message: Message, small_talk: SmallTalk) -> None:
    if small_talk is SmallTalk.GREETING:
        await message.answer(
            _(
                "👋 Hello! Type your question in your own words, in Kazakh or Russian, "
                "or choose a section:"
            ),
            reply_markup=main_menu_keyboard(),
        )
    else:
        await message.answer(
            _("😊 You are welcome! Write whenever you have another question."),
            reply_markup=back_to_menu_keyboard(),
        )
