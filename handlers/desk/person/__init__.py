"""The consultant desk, for the person asking (see docs/desk.md).

- `navigation_router()`: /ask, /my, the main menu's entries and the buttons on the person's
  questions (AskCb). They close an open dialog first.
- `dialogs()`: the ask dialog (aiogram-dialog).
- `router()`: «Ask a consultant» under FAQ answers and after 👎 (it keeps the last search, which
  the navigation would clear), «Ask a new question» after a message to a question closed more
  than 7 days ago (it carries that message over the same way), and the optional comment after
  the stars (a plain FSM state).
- `follow_up_router()`: anything written while a question is open goes to it. It goes after the
  dialogs and before the FAQ's free-text search (handlers/__init__.py). An edit of a message of
  an open question is followed by the consultants' copy.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, ExceptionTypeFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager

from bot.clock import Clock
from bot.services.desk.model import TicketNotFoundError
from bot.services.desk.tickets import DeskService
from bot.services.faq.service import FaqService
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.desk.callbacks import AskCb
from handlers.desk.person import questions, views
from handlers.desk.person.ask import ask_dialog, begin
from handlers.desk.person.states import DeskFeedback
from handlers.dialogs import guarded
from handlers.faq.callbacks import AskConsultantCb
from handlers.faq.search import LAST_SEARCH_KEY, search_screens
from handlers.screens import show_below


async def cmd_ask(
    message: Message,
    dialog_manager: DialogManager,
    desk: DeskService,
    db_user: UserDTO,
    clock: Clock,
) -> None:
    await begin(message, dialog_manager, desk, db_user, clock=clock)


async def press_ask(
    callback: CallbackQuery,
    dialog_manager: DialogManager,
    desk: DeskService,
    db_user: UserDTO,
    clock: Clock,
) -> None:
    await begin(callback, dialog_manager, desk, db_user, clock=clock)


async def ask_after_answer(
    callback: CallbackQuery,
    callback_data: AskConsultantCb,
    dialog_manager: DialogManager,
    desk: DeskService,
    db_user: UserDTO,
    clock: Clock,
    state: FSMContext,
) -> None:
    """«Ask a consultant» under an answer, after 👎 or under a search that found nothing: what
    they searched for comes along when that search led here."""
    search = (await state.get_data()).get(LAST_SEARCH_KEY) or {}
    # Not a navigation handler (that would clear the FSM data, and the search with it): the
    # 👎 "what was missing?" state ends here; a dialog left open is reset by `begin`.
    await state.set_state(None)
    entries = search.get("entries") or []
    carried = not callback_data.id or callback_data.id in entries
    query = str(search.get("text") or "") if carried else ""
    message_id = search.get("message_id") if carried else None
    await begin(
        callback,
        dialog_manager,
        desk,
        db_user,
        origin_query=query or None,
        query_message_id=int(message_id) if message_id else None,
        faq_entry_id=callback_data.id or None,
        clock=clock,
    )


async def ask_again(
    callback: CallbackQuery,
    dialog_manager: DialogManager,
    desk: DeskService,
    db_user: UserDTO,
    clock: Clock,
    state: FSMContext,
) -> None:
    """«✍️ Ask a new question» after a message to a question closed long ago: what they wrote
    since comes along as the new question's first messages."""
    data = await state.get_data()
    carried = questions.carried_messages(data, db_user.id, clock)
    # Not a navigation handler either (it would clear the FSM data, and the messages with it).
    await state.set_state(None)
    await state.update_data({questions.CARRY_KEY: []})
    await begin(callback, dialog_manager, desk, db_user, carried=carried, clock=clock)


async def search_instead(
    callback: CallbackQuery,
    callback_data: AskCb,
    faq: FaqService,
    db_user: UserDTO,
    clock: Clock,
    state: FSMContext,
) -> None:
    """«🔎 Search the knowledge base» on that note: the text they wrote, as an FAQ search (whose
    answers offer «Ask a consultant», carrying it over the usual way)."""
    data = await state.get_data()
    text = questions.carried_text(data, callback_data.arg, clock)
    if text is None:
        await callback.answer(views.not_available(), show_alert=True)
        return
    screens = await search_screens(text, faq, state, db_user.id, callback_data.arg)
    for screen in screens:
        await show_below(callback, screen)


def navigation_router() -> Router:
    router = Router(name="desk.person.navigation")
    # Errors reach every router's handlers: this one answers only the person's own buttons.
    router.errors.register(
        questions.on_not_theirs,
        ExceptionTypeFilter(TicketNotFoundError),
        F.update.callback_query.data.startswith(f"{AskCb.__prefix__}:"),
    )
    router.message.register(cmd_ask, Command("ask"))
    router.callback_query.register(press_ask, MenuCb.filter(F.action == "ask"))
    router.callback_query.register(press_ask, AskCb.filter(F.action == "new"))
    router.message.register(questions.show_my, Command("my"))
    router.callback_query.register(questions.show_my, MenuCb.filter(F.action == "my"))
    router.callback_query.register(questions.show_my, AskCb.filter(F.action == "my"))
    router.callback_query.register(questions.open_question, AskCb.filter(F.action == "write"))
    router.callback_query.register(questions.close_question, AskCb.filter(F.action == "close"))
    router.callback_query.register(questions.answer_helped, AskCb.filter(F.action == "solved"))
    router.callback_query.register(questions.rate, AskCb.filter(F.action == "stars"))
    router.callback_query.register(questions.comment_skipped, AskCb.filter(F.action == "skip"))
    return router


def dialogs() -> Router:
    return guarded(ask_dialog())


def router() -> Router:
    router = Router(name="desk.person")
    router.callback_query.register(ask_after_answer, AskConsultantCb.filter())
    router.callback_query.register(ask_again, AskCb.filter(F.action == "again"))
    router.callback_query.register(search_instead, AskCb.filter(F.action == "search"))
    router.message.register(questions.comment_given, StateFilter(DeskFeedback.comment), F.text)
    router.message.register(questions.comment_not_text, StateFilter(DeskFeedback.comment))
    return router


def follow_up_router() -> Router:
    router = Router(name="desk.person.follow_up")
    router.message.register(questions.follow_up, StateFilter(None), questions.has_question)
    # Edits follow whatever state the chat is in (a dialog does not take edited messages).
    router.edited_message.register(questions.follow_edit, F.chat.type == "private")
    return router
