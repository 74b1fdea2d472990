"""Admin broadcasts: /broadcast (the dialog), /broadcasts (the list), the status buttons.

Everything here is for admins only: the filter is set once on each router, and the service
checks the admin again for every action, whatever a callback's data says.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.services.broadcasts.service import (
    BroadcastNotAllowedError,
    BroadcastNotFoundError,
    BroadcastStateError,
)
from handlers.broadcasts import dialog, edit_dialog, manage
from handlers.dialogs import guarded
from handlers.filters import admins_only


async def _say(event: ErrorEvent, text: str) -> bool:
    callback = event.update.callback_query
    if callback is not None:
        await callback.answer(text, show_alert=True)
    elif event.update.message is not None:
        await event.update.message.answer(text)
    return True


async def on_not_found(event: ErrorEvent) -> bool:
    return await _say(event, _("This broadcast no longer exists."))


async def on_state(event: ErrorEvent) -> bool:
    return await _say(event, _("This is not possible for this broadcast now."))


async def on_not_allowed(event: ErrorEvent) -> bool:
    return await _say(event, _("Only administrators can do this."))


def _errors(router: Router) -> Router:
    router.errors.register(on_not_found, ExceptionTypeFilter(BroadcastNotFoundError))
    router.errors.register(on_state, ExceptionTypeFilter(BroadcastStateError))
    router.errors.register(on_not_allowed, ExceptionTypeFilter(BroadcastNotAllowedError))
    return router


def navigation_router() -> Router:
    return _errors(admins_only(manage.navigation_router()))


def router() -> Router:
    return _errors(admins_only(manage.router()))


def dialogs() -> Router:
    router = admins_only(Router(name="broadcasts.dialogs"))
    router.include_routers(guarded(dialog.broadcast_dialog()), guarded(edit_dialog.edit_dialog()))
    return _errors(router)
