"""The "Ask a consultant" button.

The consultant desk is a later issue; until then this one handler says honestly that live
consultations are coming and points to free consultations. The desk replaces this handler.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.services.faq.service import FaqService
from handlers.faq import views
from handlers.faq.callbacks import AskConsultantCb
from handlers.screens import show_below


async def ask_consultant(callback: CallbackQuery, faq: FaqService) -> None:
    # A new message: the answer the user pressed it under stays in view.
    await show_below(callback, views.consultant_screen(faq.catalog))


def router() -> Router:
    router = Router(name="faq.consultant")
    router.callback_query.register(ask_consultant, AskConsultantCb.filter())
    return router
