"""Telegram-facing layer: the router tree, assembled with role filters at router level."""

from __future__ import annotations

from aiogram import F, Router

from handlers import (
    common,
    errors,
    fallback,
    faq,
    language,
    membership,
    privacy,
    region,
    smalltalk,
    start,
)
from handlers.events import admin_router as events_admin_router
from handlers.events import user_router as events_user_router


def attach(parent: Router, *children: Router) -> None:
    """Include module-level routers in a freshly built tree.

    Handler modules own a module-level `router`; a process may build several dispatchers (a
    restart in tests, two instances in a benchmark), and aiogram refuses to attach a router that
    already has a parent, so the link to the previous tree is dropped first.
    """
    for child in children:
        child._parent_router = None
        parent.include_router(child)


def build_root_router() -> Router:
    root = Router(name="root")
    attach(root, errors.router, membership.router)
    private = Router(name="private")
    # The desk works in private chats; in groups it stays silent rather than answer everyone.
    private.message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    attach(
        private,
        start.router,
        language.router,
        region.router,
        common.router,
        privacy.router,
        events_admin_router,
        events_user_router,
    )
    # Free text outside a dialog is an FAQ search, so the FAQ goes after every other feature;
    # the fallback takes whatever nobody else understood.
    attach(private, smalltalk.router, faq.router, fallback.router)
    root.include_router(private)
    return root
