"""Someone the bot does not know yet (new, or after /forget) is asked for a language first.

A question they typed on the way is kept and answered as soon as the language is chosen. A button
from before /forget (a menu, an answer) brings up the language choice too, instead of acting in a
language they never chose.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.repositories.users import UserDTO
from handlers.callbacks import LanguageCb
from handlers.screens import show
from handlers.start import choose_language_screen

# FSM data key of the question typed before the language was chosen.
PENDING_QUESTION_KEY = "pending_question"
_OWN_PICKERS = ("/start", "/language")


class NeedsLanguage(Filter):
    async def __call__(self, message: Message, db_user: UserDTO | None = None) -> bool:
        if db_user is None or db_user.language is not None:
            return False
        words = (message.text or "").split(maxsplit=1)
        command = words[0].split("@")[0].lower() if words else ""
        return command not in _OWN_PICKERS


class PressedBeforeLanguage(Filter):
    async def __call__(self, callback: CallbackQuery, db_user: UserDTO | None = None) -> bool:
        if db_user is None or db_user.language is not None:
            return False
        return not (callback.data or "").startswith(
            LanguageCb.__prefix__ + LanguageCb.__separator__
        )


async def ask_language_first(message: Message, state: FSMContext) -> None:
    text = message.text or ""
    if text and not text.startswith("/"):
        await state.update_data({PENDING_QUESTION_KEY: text})
    await show(message, choose_language_screen())


async def ask_language_before_button(callback: CallbackQuery) -> None:
    await show(callback, choose_language_screen())


def router() -> Router:
    router = Router(name="onboarding")
    router.message.register(ask_language_first, NeedsLanguage())
    router.callback_query.register(ask_language_before_button, PressedBeforeLanguage())
    return router
