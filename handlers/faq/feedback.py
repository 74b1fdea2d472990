"""👍 / 👎 under an answer: one vote per user per answer; pressing again changes it. A 👎 asks
what was missing (one optional message, kept for the content team) and offers a consultant."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.faq.service import FaqService, VoteOutcome
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.faq.callbacks import AskConsultantCb, FaqVoteCb
from handlers.faq.views import ask_consultant_label
from handlers.keyboards import main_menu_label
from handlers.screens import Screen, button, keyboard, show, show_below, user_language


class FaqFeedback(StatesGroup):
    reason = State()


class SkipReasonCb(CallbackData, prefix="fk"):
    pass


def _thanks(outcome: VoteOutcome | None, helpful: bool) -> str:
    if outcome is None:
        return _("This question is no longer available.")
    if outcome is VoteOutcome.CHANGED:
        return _("Your rating has been changed. Thank you!")
    if outcome is VoteOutcome.UNCHANGED:
        return _("You have already rated this answer. Thank you!")
    if helpful:
        return _("Thank you! Glad the answer helped.")
    return _("Thank you for telling me.")


def reason_prompt(entry_id: str) -> Screen:
    text = _(
        "😔 Sorry the answer did not help. What was missing? Write it in one message: the "
        "people who write the answers read it.\n\nOr ask a consultant: a person will answer."
    )
    return Screen(
        text,
        keyboard(
            [button(ask_consultant_label(), AskConsultantCb(id=entry_id))],
            [button(_("⏭ Skip"), SkipReasonCb())],
        ),
    )


async def rate_answer(
    callback: CallbackQuery,
    callback_data: FaqVoteCb,
    faq: FaqService,
    db_user: UserDTO,
    state: FSMContext,
) -> None:
    outcome = await faq.vote(
        user_id=db_user.id,
        entry_id=callback_data.id,
        language=user_language(),
        helpful=callback_data.up,
    )
    asks_why = outcome in (VoteOutcome.RECORDED, VoteOutcome.CHANGED) and not callback_data.up
    if not asks_why:
        await callback.answer(_thanks(outcome, callback_data.up), show_alert=True)
        return
    await state.set_state(FaqFeedback.reason)
    await state.update_data(faq_disliked=callback_data.id)
    await show_below(callback, reason_prompt(callback_data.id))


async def reason_given(
    message: Message, faq: FaqService, db_user: UserDTO, state: FSMContext
) -> None:
    entry_id = str((await state.get_data()).get("faq_disliked", ""))
    await state.clear()
    await faq.explain_dislike(user_id=db_user.id, entry_id=entry_id, reason=message.text or "")
    text = _("🙏 Thank you! I passed it on. If you need an answer now, ask a consultant.")
    markup = keyboard(
        [button(ask_consultant_label(), AskConsultantCb(id=entry_id))],
        [button(main_menu_label(), MenuCb(action="main"))],
    )
    await show(message, Screen(text, markup))


async def reason_skipped(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, Screen(_("👌 All right. Thank you for the rating.")))


def router() -> Router:
    router = Router(name="faq.feedback")
    router.callback_query.register(rate_answer, FaqVoteCb.filter())
    router.callback_query.register(reason_skipped, SkipReasonCb.filter())
    router.message.register(reason_given, StateFilter(FaqFeedback.reason), F.text)
    return router
