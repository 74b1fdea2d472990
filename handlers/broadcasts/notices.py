"""The broadcast texts the bot sends on its own (see views.BroadcastNoticeTexts)."""

from handlers.broadcasts.views import BroadcastNoticeTexts

__all__ = ["BroadcastNoticeTexts"]
