"""What every aiogram-dialog dialog of the bot shares: gettext texts and the stale-button guard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog
from aiogram_dialog.api.internal import CONTEXT_KEY, STACK_KEY, STORAGE_KEY
from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text

from bot.updates.unit import current_unit


class Tr(Text):
    """A fixed text from the gettext catalogues, in the language of the update being handled.

    Extracted by pybabel with `-k Tr` (see README, Translations).
    """

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return _(self.msgid)


class StaleButtonGuard(BaseMiddleware):
    """Refuses buttons of a dialog's earlier messages.

    aiogram-dialog hands a button press to the dialog's *current* window whatever message it came
    from, so a "Back" pressed on an older step would act on the step shown now. Only the message
    the dialog last showed may drive it.

    A newer message than the one recorded is that message too: aiogram-dialog records a window's
    id only after sending it, so a crash in between leaves the previous id in the stack (the
    step itself was saved before the window went out, see SaveDialogBeforeReply).
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        stack = data.get(STACK_KEY)
        if (
            isinstance(event, CallbackQuery)
            and stack is not None
            and stack.last_message_id is not None
            and event.message is not None
            and event.message.message_id < stack.last_message_id
        ):
            await event.answer(
                _("This button belongs to an earlier step. Use the latest message."),
                show_alert=True,
            )
            return None
        return await handler(event, data)


class SaveDialogBeforeReply(BaseMiddleware):
    """aiogram-dialog saves the dialog's state after the handler has shown the next window; the
    update's first commit happens before that window is sent (bot.updates.send_guard). So the
    state is saved into that first commit too: a crash right after the reply cannot leave the
    dialog on the previous step while the person sees the next one."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        unit = current_unit.get()
        if unit is not None:

            async def save() -> None:
                proxy = data.get(STORAGE_KEY)
                if proxy is not None:
                    await proxy.save_context(data.get(CONTEXT_KEY))
                    await proxy.save_stack(data.get(STACK_KEY))

            unit.before_first_commit(save)
        return await handler(event, data)


def guarded(dialog: Dialog) -> Router:
    dialog.callback_query.middleware(StaleButtonGuard())
    return dialog
