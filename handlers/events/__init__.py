"""Events and deadlines in the bot: the routers of this area, assembled by `handlers.build_root`.

- `navigation_router()`: /events, /subscriptions and their menu buttons; for admins the events
  administration (filtered once, here; the /admin menu itself is handlers.admin). They end an
  open dialog first (handlers.dialog_exit).
- `router()`: the buttons inside the user screens, and an events file sent by an admin.
- `dialogs()`: the admin's wizards (aiogram-dialog), admins only.
- "This event is no longer available" is said once, by `on_event_gone`, for every handler here.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.services.events.service import EventNotFoundError
from handlers.dialogs import guarded
from handlers.events import admin, import_dialog, subscriptions, user
from handlers.events.wizard import event_wizard
from handlers.filters import admins_only


async def on_event_gone(event: ErrorEvent) -> bool:
    """Deleted meanwhile, or forged callback data: the same short note wherever it happens."""
    callback = event.update.callback_query
    if callback is not None:
        await callback.answer(_("This event is no longer available."), show_alert=True)
    elif event.update.message is not None:
        await event.update.message.answer(_("This event is no longer available."))
    return True


def navigation_router() -> Router:
    router = Router(name="events.navigation")
    router.include_routers(user.navigation_router(), subscriptions.navigation_router())
    admin_area = admins_only(Router(name="events.admin.navigation"))
    admin_area.include_router(admin.router())
    router.include_router(admin_area)
    return router


def router() -> Router:
    router = Router(name="events")
    router.errors.register(on_event_gone, ExceptionTypeFilter(EventNotFoundError))
    router.include_routers(user.router(), subscriptions.router())
    router.include_router(admins_only(import_dialog.file_router()))
    return router


def dialogs() -> Router:
    router = admins_only(Router(name="events.dialogs"))
    router.include_routers(guarded(event_wizard()), guarded(import_dialog.import_dialog()))
    return router
