"""/forget: delete my data, after an explicit confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.privacy import PrivacyService
from handlers.callbacks import MenuCb
from handlers.screens import show

router = Router(name=__name__)


class ForgetCb(CallbackData, prefix="fg"):
    confirm: bool


@router.message(Command("forget"))
async def cmd_forget(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, delete my data"), callback_data=ForgetCb(confirm=True))
    builder.button(text=_("⬅️ No, keep it"), callback_data=MenuCb(action="main"))
    builder.adjust(1)
    await message.answer(
        _(
            "🗑 <b>Delete my data?</b>\n\n"
            "I will delete your language and region, your reminder subscriptions, your "
            "“remind me” marks and your ratings of answers, and stop sending you reminders. "
            "This cannot be undone. Anonymous search statistics stay."
        ),
        reply_markup=builder.as_markup(),
    )


@router.callback_query(ForgetCb.filter(F.confirm))
async def confirm_forget(callback: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
    await state.clear()
    await PrivacyService(session).forget(callback.from_user.id)
    await show(
        callback,
        _("✅ Your data is deleted. If you write to me again, I will start from scratch (/start)."),
    )
