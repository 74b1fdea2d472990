"""The content team's loop in the bot (admins only): /admin → "Questions without a good answer"
and "FAQ drafts": start a draft from a failed search or a 👎 reason, write it in both languages,
publish it; or edit a published entry the same way."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager

from handlers.callbacks import AdminCb
from handlers.dialogs import guarded
from handlers.faq.editor.dialogs import faq_content_dialog
from handlers.faq.editor.handlers import start_drafts, start_gaps
from handlers.filters import admins_only

SECTION_GAPS = "faq_gaps"
SECTION_DRAFTS = "faq_drafts"


async def open_gaps(_callback: CallbackQuery, dialog_manager: DialogManager) -> None:
    await start_gaps(dialog_manager)


async def open_drafts(_callback: CallbackQuery, dialog_manager: DialogManager) -> None:
    await start_drafts(dialog_manager)


def navigation_router() -> Router:
    """The two /admin rows; they close any open dialog first (handlers.dialog_exit)."""
    router = admins_only(Router(name="faq.content.navigation"))
    router.callback_query.register(open_gaps, AdminCb.filter(F.section == SECTION_GAPS))
    router.callback_query.register(open_drafts, AdminCb.filter(F.section == SECTION_DRAFTS))
    return router


def dialogs() -> Router:
    router = admins_only(Router(name="faq.content.dialogs"))
    router.include_router(guarded(faq_content_dialog()))
    return router
