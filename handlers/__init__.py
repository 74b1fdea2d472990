"""Telegram-facing layer: the router tree, assembled here and nowhere else.

Every module builds its routers in functions (`router()`, `navigation_router()`), so a process can
build several dispatchers (a restart in tests, two instances in a benchmark) from fresh objects.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram_dialog import setup_dialogs

from handlers import (
    admin,
    broadcasts,
    common,
    errors,
    events,
    fallback,
    faq,
    language,
    membership,
    onboarding,
    privacy,
    region,
    smalltalk,
    start,
)
from handlers.desk import person as desk_person
from handlers.desk import staff as desk_staff
from handlers.dialog_exit import DialogExitMiddleware
from handlers.dialogs import SaveDialogBeforeReply
from handlers.filters import commands_only, filters_inline


def _navigation() -> Router:
    """Commands and menu buttons (callback queries): each first closes a dialog left open
    (handlers.dialog_exit)."""
    router = Router(name="navigation")
    router.message.middleware(DialogExitMiddleware())
    router.callback_query.middleware(DialogExitMiddleware())
    router.include_routers(
        start.router(),
        common.router(),
        language.router(),
        region.router(),
        privacy.router(),
        faq.navigation_router(),
        events.navigation_router(),
        admin.navigation_router(),
        desk_person.navigation_router(),
        broadcasts.navigation_router(),
        desk_staff.navigation_router(),
    )
    # Every message handler here is a command: other messages (most of them: questions) skip the
    # whole tree with one check instead of one per command.
    return commands_only(router)


def build_root_router() -> Router:
    root = Router(name="root")
    root.include_router(membership.router())
    # The consultants' group and the desk's card buttons (also pressed in private chats).
    root.include_router(desk_staff.root_router())
    private = Router(name="private")
    # The bot works in private chats; in groups it stays silent rather than answer everyone.
    private.message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    features = Router(name="features")
    features.include_routers(
        onboarding.router(),
        _navigation(),
        events.dialogs(),
        faq.dialogs(),
        desk_person.dialogs(),
        broadcasts.dialogs(),
        events.router(),
        desk_person.router(),
        broadcasts.router(),
    )
    # A consultant's message to their question (private mode) goes before the person's
    # follow-ups: a consultant is also a user, and falls through when they have none open.
    features.include_router(desk_staff.private_router())
    # While a person has an open question, whatever they write goes to it: after the dialogs
    # (a dialog's input is the dialog's), before small talk and the FAQ search.
    features.include_router(desk_person.follow_up_router())
    # Free text outside a dialog is an FAQ search, so the FAQ goes after every other feature;
    # the fallback takes whatever nobody else understood.
    features.include_routers(smalltalk.router(), faq.router(), fallback.router())
    setup_dialogs(features)
    # Inner middlewares run in the order registered: this one inside aiogram-dialog's own.
    features.message.middleware(SaveDialogBeforeReply())
    features.callback_query.middleware(SaveDialogBeforeReply())
    private.include_router(features)
    root.include_router(private)
    root.include_router(fallback.elsewhere_router())
    # Last: area error handlers (e.g. events' "no longer available") are tried before it.
    root.include_router(errors.router())
    return filters_inline(root)
