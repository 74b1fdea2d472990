"""Browsing the FAQ: topics → a page of questions → an answer (in either language)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.languages import as_lang
from bot.services.faq.service import FaqService
from handlers.callbacks import MenuCb
from handlers.faq import views
from handlers.faq.callbacks import FaqAnswerCb, FaqCategoryCb, FaqEntryCb, FaqSuggestionsCb
from handlers.faq.search import SUGGESTIONS_KEY
from handlers.screens import show


async def cmd_faq(message: Message, faq: FaqService) -> None:
    await show(message, views.categories_screen(faq.catalog))


async def open_topics(callback: CallbackQuery, faq: FaqService) -> None:
    await show(callback, views.categories_screen(faq.catalog))


async def open_category(
    callback: CallbackQuery, callback_data: FaqCategoryCb, faq: FaqService
) -> None:
    category = faq.catalog.category(callback_data.cat)
    if category is None:
        await callback.answer(_("This topic is no longer available."), show_alert=True)
        return
    await show(callback, views.category_screen(faq.catalog, category, callback_data.page))


async def open_answer(
    callback: CallbackQuery, callback_data: FaqEntryCb | FaqAnswerCb, faq: FaqService
) -> None:
    entry = faq.catalog.entry(callback_data.id)
    if entry is None:
        await callback.answer(_("This question is no longer available."), show_alert=True)
        return
    if isinstance(callback_data, FaqAnswerCb):
        shown_in = as_lang(callback_data.lang) if callback_data.lang else None
        screen = views.answer_screen(
            faq.catalog, entry, shown_in=shown_in, via_suggestions=callback_data.via == "s"
        )
    else:
        screen = views.answer_screen(faq.catalog, entry)
    await show(callback, screen)


async def back_to_suggestions(callback: CallbackQuery, faq: FaqService, state: FSMContext) -> None:
    ids = (await state.get_data()).get(SUGGESTIONS_KEY) or []
    entries = [e for e in (faq.catalog.entry(str(i)) for i in ids) if e is not None]
    if not entries:
        await show(callback, views.categories_screen(faq.catalog))
        return
    await show(callback, views.suggestions_screen(entries))


def navigation_router() -> Router:
    router = Router(name="faq.navigation")
    router.message.register(cmd_faq, Command("faq"))
    router.callback_query.register(open_topics, MenuCb.filter(F.action == "faq"))
    return router


def router() -> Router:
    router = Router(name="faq.browse")
    router.callback_query.register(open_category, FaqCategoryCb.filter())
    router.callback_query.register(open_answer, FaqEntryCb.filter())
    router.callback_query.register(open_answer, FaqAnswerCb.filter())
    router.callback_query.register(back_to_suggestions, FaqSuggestionsCb.filter())
    return router
