"""👍 / 👎 under an answer: one vote per user per answer; pressing again changes it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.services.faq.service import FaqService, VoteOutcome
from db.repositories.users import UserDTO
from handlers.faq.callbacks import FaqVoteCb
from handlers.screens import user_language


def _thanks(outcome: VoteOutcome | None, helpful: bool) -> str:
    if outcome is None:
        return _("This question is no longer available.")
    if outcome is VoteOutcome.CHANGED:
        return _("Your rating has been changed. Thank you!")
    if outcome is VoteOutcome.UNCHANGED:
        return _("You have already rated this answer. Thank you!")
    if helpful:
        return _("Thank you! Glad the answer helped.")
    return _("Thank you! We will improve this answer. You can also ask a consultant.")


async def rate_answer(
    callback: CallbackQuery, callback_data: FaqVoteCb, faq: FaqService, db_user: UserDTO
) -> None:
    outcome = await faq.vote(
        user_id=db_user.id,
        entry_id=callback_data.id,
        language=user_language(),
        helpful=callback_data.up,
    )
    await callback.answer(_thanks(outcome, callback_data.up), show_alert=True)


def router() -> Router:
    router = Router(name="faq.feedback")
    router.callback_query.register(rate_answer, FaqVoteCb.filter())
    return router
