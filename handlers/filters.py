"""Role filters, applied once at router level so no handler of a role can be reached by others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.types import Message, TelegramObject

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


class MayBeCommand(Filter):
    """Router-level: only a message that could pass one of the given `Command` filters (its text
    or caption starts with one of their prefixes, after the blanks that aiogram's parsing also
    skips). A router whose message handlers all need a command then costs plain text one check
    instead of a filter per handler in each of its sub-routers (see `commands_only`)."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        self._prefixes = tuple(sorted(set(prefixes)))

    async def __call__(self, message: Message) -> bool:
        text = message.text or message.caption
        if not text:
            return False
        return text.lstrip().startswith(self._prefixes)


def commands_only(router: Router) -> Router:
    """Give `router` a `MayBeCommand` message filter, from the `Command` filters of every message
    handler in its tree; a message handler without one would be skipped by it, so it is refused
    here."""
    prefixes: set[str] = set()
    for part in router.chain_tail:
        for handler in part.message.handlers:
            filters = handler.filters or ()
            commands = [f.callback for f in filters if isinstance(f.callback, Command)]
            if not commands:
                raise ValueError(
                    f"{handler.callback!r} in router {part.name!r} handles messages without a "
                    "Command filter, and its router passes only commands to its sub-routers"
                )
            for command in commands:
                prefixes.update(command.prefix)
    router.message.filter(MayBeCommand(prefixes))
    return router


def filters_inline(router: Router) -> Router:
    """Call the synchronous filters of `router`'s tree (``F.text``, ``F.chat.type == ...``, a
    ``State``, plain functions) on the event loop, as aiogram did before 3.22.

    aiogram now runs every callable that is not a coroutine function in a worker thread
    (``asyncio.to_thread``), filters included: the 5–8 magic filters a private text message meets
    cost a thread hand-off each, and the event loop's turns to resume the update afterwards. Our
    filters read attributes of the update and compare them; none blocks. Handlers are left alone.
    """
    for part in router.chain_tail:
        for observer in part.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for filter_object in handler.filters or ():
                    if not filter_object.awaitable:
                        filter_object.callback = _awaitable(filter_object.callback)
                        filter_object.awaitable = True
    return router


def _awaitable(callback: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return call
