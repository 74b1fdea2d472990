"""The "Ask a consultant" button.

The consultant queue is a later issue; until then this one handler says honestly that live
consultations are coming and points to free consultations. The queue replaces this handler.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.services.faq.service import FaqService
from handlers.faq import views
from handlers.faq.callbacks import AskConsultantCb

router = Router(name=__name__)


@router.callback_query(AskConsultantCb.filter())
async def ask_consultant(callback: CallbackQuery, faq: FaqService) -> None:
    screen = views.consultant_screen(faq)
    # A new message: the answer the user pressed it under stays in view.
    if isinstance(callback.message, Message):
        await callback.message.answer(
            screen.text, reply_markup=screen.markup, disable_web_page_preview=True
        )
    elif callback.bot is not None:
        await callback.bot.send_message(
            callback.from_user.id,
            screen.text,
            reply_markup=screen.markup,
            disable_web_page_preview=True,
        )
    await callback.answer()
