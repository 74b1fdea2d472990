"""The FAQ in the bot: browse by topic, search by free text, rate answers.

Include ``handlers.faq.router`` in the private router as the last feature router, right before
the fallback: its free-text search takes any text no other handler wanted.
"""

from __future__ import annotations

from aiogram import Router

from handlers.faq import browse, consultant, feedback, search

router = Router(name=__name__)
# Search last: it takes any plain text outside a dialog.
router.include_routers(browse.router, feedback.router, consultant.router, search.router)

__all__ = ["router"]
