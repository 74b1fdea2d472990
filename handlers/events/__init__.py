"""Events and deadlines in the bot.

Include both in the private router, before the FAQ router (its free-text search would take the
dialog's answers) and before the fallback:

    from handlers.events import admin_router as events_admin_router
    from handlers.events import user_router as events_user_router

`admin_router` carries the admin role filter itself, for messages and callback queries alike:
a non-admin's /admin or forged admin button falls through to the fallback.

Both routers build the services per update (`handlers.events.middleware`): handlers take
`events: EventService` and `subscriptions: SubscriptionService` as kwargs.
"""

from __future__ import annotations

from aiogram import Router

from bot.roles import Role
from handlers.events import admin, admin_dialog, admin_import, subscriptions, user
from handlers.events.middleware import EventServicesMiddleware
from handlers.filters import HasRole

user_router = Router(name="events.user")
user_router.message.middleware(EventServicesMiddleware())
user_router.callback_query.middleware(EventServicesMiddleware())
user_router.include_routers(user.router, subscriptions.router)

admin_router = Router(name="events.admin")
admin_router.message.filter(HasRole(Role.ADMIN))
admin_router.callback_query.filter(HasRole(Role.ADMIN))
admin_router.message.middleware(EventServicesMiddleware())
admin_router.callback_query.middleware(EventServicesMiddleware())
admin_router.include_routers(admin.router, admin_dialog.router, admin_import.router)

__all__ = ["admin_router", "user_router"]
