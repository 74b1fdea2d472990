"""Free text outside any dialog is a question: answer it, suggest, or say honestly nothing fits."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.faq.service import FaqService, ReplyKind
from handlers.faq import views

router = Router(name=__name__)


# Commands are left to the fallback; so is text typed in the middle of another dialog.
@router.message(F.text, ~F.text.startswith("/"), StateFilter(None))
async def search_question(message: Message, faq: FaqService, session: AsyncSession) -> None:
    reply = await faq.ask(session, message.text or "", views.user_language())
    if reply.kind is ReplyKind.TOO_LONG:
        await message.answer(views.too_long_text())
        return
    if reply.kind is ReplyKind.ANSWER and reply.entry is not None:
        screen = views.answer_screen(faq, reply.entry, reply.others)
    elif reply.kind is ReplyKind.SUGGEST:
        screen = views.suggestions_screen(reply.others)
    else:
        screen = views.not_found_screen()
    await message.answer(screen.text, reply_markup=screen.markup, disable_web_page_preview=True)
