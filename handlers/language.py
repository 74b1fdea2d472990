"""/language and the language buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from bot.services.faq.service import FaqService
from bot.services.profile import ProfileService, UnknownChoiceError
from handlers.callbacks import LanguageCb, MenuCb
from handlers.faq.search import search_screen
from handlers.keyboards import language_keyboard, region_keyboard
from handlers.menu import show_main_menu
from handlers.onboarding import PENDING_QUESTION_KEY
from handlers.screens import Screen, show, show_below


def language_screen() -> Screen:
    return Screen(_("🌐 Choose the language of the bot:"), language_keyboard(onboarding=False))


async def cmd_language(message: Message) -> None:
    await show(message, language_screen())


async def open_language(callback: CallbackQuery) -> None:
    await show(callback, language_screen())


async def choose_language(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    profile: ProfileService,
    faq: FaqService,
    state: FSMContext,
    i18n: I18n,
    role: Role,
) -> None:
    try:
        await profile.choose_language(callback.from_user.id, callback_data.code)
    except UnknownChoiceError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    with i18n.use_locale(callback_data.code):
        if not callback_data.onboarding:
            await show_main_menu(callback, role, note=_("✅ Language saved."))
            return
        text = _(
            "✅ Language saved.\n\n📍 Which region is your organisation in? "
            "It helps me show local events first. You can skip this."
        )
        pending = (await state.get_data()).get(PENDING_QUESTION_KEY)
        answer = None
        if pending:
            await state.update_data({PENDING_QUESTION_KEY: None})
            answer = await search_screen(str(pending), faq, state, callback.from_user.id)
        await show(callback, Screen(text, region_keyboard(callback_data.code, onboarding=True)))
        if answer is not None:
            # The question they asked before choosing, answered now.
            await show_below(callback, answer)


def router() -> Router:
    router = Router(name="language")
    router.message.register(cmd_language, Command("language"))
    router.callback_query.register(open_language, MenuCb.filter(F.action == "lang"))
    router.callback_query.register(choose_language, LanguageCb.filter())
    return router
