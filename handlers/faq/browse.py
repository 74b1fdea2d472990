"""/faq and the menu button: topics → a page of questions → the answer, Back at every step."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.faq.service import FaqService
from handlers.callbacks import MenuCb
from handlers.faq import views
from handlers.faq.callbacks import FaqCategoryCb, FaqEntryCb
from handlers.screens import show

router = Router(name=__name__)


@router.message(Command("faq"))
async def cmd_faq(message: Message, state: FSMContext, faq: FaqService) -> None:
    await state.clear()
    screen = views.categories_screen(faq)
    await show(message, screen.text, screen.markup)


@router.callback_query(MenuCb.filter(F.action == "faq"))
async def open_topics(callback: CallbackQuery, faq: FaqService) -> None:
    screen = views.categories_screen(faq)
    await show(callback, screen.text, screen.markup)


@router.callback_query(FaqCategoryCb.filter())
async def open_category(
    callback: CallbackQuery, callback_data: FaqCategoryCb, faq: FaqService
) -> None:
    category = faq.category(callback_data.cat)
    if category is None:
        await callback.answer(_("This topic is no longer available."), show_alert=True)
        return
    screen = views.category_screen(faq, category, callback_data.page)
    await show(callback, screen.text, screen.markup)


@router.callback_query(FaqEntryCb.filter())
async def open_answer(callback: CallbackQuery, callback_data: FaqEntryCb, faq: FaqService) -> None:
    entry = faq.entry(callback_data.id)
    if entry is None:
        await callback.answer(_("This question is no longer available."), show_alert=True)
        return
    screen = views.answer_screen(faq, entry)
    await show(callback, screen.text, screen.markup)
