"""The consultants' side of the desk (see docs/desk.md): the card's buttons, the workspace
group, private mode, the staff commands and the admins' /consultants. Routers are built by
functions, so several dispatchers can be made from fresh objects."""

from __future__ import annotations

from aiogram import Router

from handlers.desk.staff import card, commands, consultants, messages


def root_router() -> Router:
    """Before the private-chat routers: card buttons (group and private) and the group."""
    router = Router(name="desk.staff")
    router.include_routers(card.router(), messages.workspace_router())
    return router


def navigation_router() -> Router:
    """Private-chat commands (they close an open dialog, like all navigation)."""
    router = Router(name="desk.staff.navigation")
    router.include_routers(
        commands.commands_router("desk.staff.private.commands"), consultants.navigation_router()
    )
    return router


def private_router() -> Router:
    """After the dialogs and BEFORE the person's follow-ups: the staff's pending steps, then a
    consultant's message to their question (private mode); otherwise it falls through."""
    router = Router(name="desk.staff.private")
    router.include_routers(consultants.steps_router(), messages.private_router())
    return router
