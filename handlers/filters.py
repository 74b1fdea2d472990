"""Role filters, applied once at router level so no handler of a role can be reached by others."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.roles import Role


class HasRole(Filter):
    def __init__(self, *roles: Role) -> None:
        self._roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, role: Role | None = None) -> bool:
        # `role` comes from the session middleware; an update without a user has none.
        return role in self._roles


def admins_only(router: Router) -> Router:
    router.message.filter(HasRole(Role.ADMIN))
    router.callback_query.filter(HasRole(Role.ADMIN))
    return router
