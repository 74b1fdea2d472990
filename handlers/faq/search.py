"""Free text outside any dialog is a question: answer it, suggest, or say honestly nothing fits."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.services.faq.catalog import ReplyKind
from bot.services.faq.service import FaqService
from db.repositories.users import UserDTO
from handlers.faq import views
from handlers.screens import Screen, show, user_language

# FSM data key of the last suggestions shown, so "Back" from one of them returns to the list.
SUGGESTIONS_KEY = "faq_suggestions"
# The last search (its text, message and the answers shown), so "Ask a consultant" under one
# of those answers carries what the person typed over to the desk.
LAST_SEARCH_KEY = "faq_last_search"


async def search_screen(
    text: str, faq: FaqService, state: FSMContext, user_id: int, message_id: int | None = None
) -> Screen:
    """Search `text` and build the screen that answers it, in the current language (a second
    part of the question, if any, is the first related question of that screen)."""
    return (await search_screens(text, faq, state, user_id, message_id, split=False))[0]


async def search_screens(
    text: str,
    faq: FaqService,
    state: FSMContext,
    user_id: int,
    message_id: int | None = None,
    *,
    split: bool = True,
) -> list[Screen]:
    """The screens that answer `text`: one, or (``split``) two for a message that asks two
    things ("сколько стоит регистрация и какие документы нужны"), each answer in full."""
    reply = await faq.ask(text, user_language(), user_id=user_id)
    shown = ([reply.entry.id] if reply.entry else []) + [e.id for e in reply.others]
    search = {"text": " ".join(text.split())[:200], "message_id": message_id, "entries": shown}
    # Written once (one UPDATE, not two), the suggestions with the search when there are any.
    remembered: dict[str, object] = {LAST_SEARCH_KEY: search}
    if split and reply.kind is ReplyKind.ANSWER and reply.entry and reply.also:
        await state.update_data(remembered)
        related = [e for e in reply.others if e != reply.also]
        return [
            views.answer_screen(faq.catalog, reply.entry, related, second_below=True),
            views.answer_screen(faq.catalog, reply.also),
        ]
    if reply.kind is ReplyKind.SUGGEST and len(reply.others) == 1:
        # One candidate is not a choice: show it, saying it may not be what was asked.
        screen = views.answer_screen(faq.catalog, reply.others[0], unsure=True)
    elif reply.kind is ReplyKind.ANSWER and reply.entry is not None:
        screen = views.answer_screen(faq.catalog, reply.entry, reply.others)
    elif reply.kind is ReplyKind.SUGGEST:
        remembered[SUGGESTIONS_KEY] = [e.id for e in reply.others]
        screen = views.suggestions_screen(reply.others)
    else:
        screen = views.not_found_screen()
    await state.update_data(remembered)
    return [screen]


async def search_question(
    message: Message, faq: FaqService, state: FSMContext, db_user: UserDTO
) -> None:
    screens = await search_screens(message.text or "", faq, state, db_user.id, message.message_id)
    for screen in screens:
        await show(message, screen)


def router() -> Router:
    router = Router(name="faq.search")
    # Commands are left to the fallback; so is text typed in the middle of another dialog.
    router.message.register(search_question, F.text, ~F.text.startswith("/"), StateFilter(None))
    return router
