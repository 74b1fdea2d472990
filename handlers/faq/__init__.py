"""The FAQ in the bot: browse by topic, search by free text, rate answers.

`navigation_router()` (/faq, the menu entry) goes with the other navigation; `router()` goes
last among the features, right before the fallback: its free-text search takes any text no other
handler wanted.
"""

from __future__ import annotations

from aiogram import Router

from handlers.faq import browse, editor, feedback, search


def navigation_router() -> Router:
    router = Router(name="faq.navigation")
    router.include_routers(browse.navigation_router(), editor.navigation_router())
    return router


def dialogs() -> Router:
    """The admins' content dialog (aiogram-dialog)."""
    return editor.dialogs()


def router() -> Router:
    router = Router(name="faq")
    # Search last: it takes any plain text outside a dialog.
    router.include_routers(browse.router(), feedback.router(), search.router())
    return router
