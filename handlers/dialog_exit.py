"""Leaving a dialog for another part of the bot closes it, and says so.

A command or a main-menu button in the middle of a multi-step dialog (the event wizard, the
import) would otherwise leave the dialog waiting for input that the person no longer means for
it. So navigation first ends whatever is open: the aiogram-dialog stack (its keyboard removed) and
any plain FSM state. `/cancel` says "Cancelled"; other commands get a one-line note first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager


async def end_dialogs(state: FSMContext | None, dialog_manager: DialogManager | None) -> bool:
    """Close any open dialog; True when there was one."""
    ended = False
    if dialog_manager is not None and dialog_manager.has_context():
        await dialog_manager.reset_stack(remove_keyboard=True)
        ended = True
    if state is not None and await state.get_state() is not None:
        await state.clear()
        ended = True
    return ended


class DialogExitMiddleware(BaseMiddleware):
    """Inner middleware of the navigation routers (commands and main-menu buttons)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        ended = await end_dialogs(data.get("state"), data.get("dialog_manager"))
        data["ended_dialog"] = ended
        if ended and isinstance(event, Message) and not _is_cancel(event):
            await event.answer(_("ℹ️ I closed the unfinished dialog."))
        return await handler(event, data)


def _is_cancel(message: Message) -> bool:
    return (message.text or "").split("@")[0].strip().lower() == "/cancel"
