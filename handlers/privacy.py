"""/forget: delete my data, after an explicit confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.privacy import PrivacyService
from handlers.callbacks import MenuCb
from handlers.screens import Screen, button, keyboard, show


class ForgetCb(CallbackData, prefix="fg"):
    confirm: bool


def confirm_screen() -> Screen:
    text = _(
        "🗑 <b>Delete my data?</b>\n\n"
        "I will delete your language and region, your reminder subscriptions, your "
        "“remind me” marks, your ratings of answers and your questions to consultants with "
        "their answers, and stop sending you reminders. "
        "This cannot be undone. Anonymous search statistics stay."
    )
    return Screen(
        text,
        keyboard(
            [button(_("🗑 Yes, delete my data"), ForgetCb(confirm=True))],
            [button(_("⬅️ No, keep it"), MenuCb(action="main"))],
        ),
    )


async def cmd_forget(message: Message) -> None:
    await show(message, confirm_screen())


async def confirm_forget(callback: CallbackQuery, privacy: PrivacyService) -> None:
    await privacy.forget(callback.from_user.id)
    text = _("✅ Your data is deleted. If you write to me again, I will start from scratch.")
    await show(callback, Screen(text))


def router() -> Router:
    router = Router(name="privacy")
    router.message.register(cmd_forget, Command("forget"))
    router.callback_query.register(confirm_forget, ForgetCb.filter(F.confirm))
    return router
