"""The delivery outbox: every message the bot sends first goes through here.

Services queue with ``await outbox.enqueue(session, OutgoingMessage.text_message(...))`` inside
their transaction; one sender per process (``bot.delivery.runtime``) drains the queue within
Telegram's limits. This package's top level stays free of aiogram, so services can import it.
"""

from bot.delivery.messages import Button, Category, Keyboard, Kind, MessageContent, OutgoingMessage
from bot.delivery.outbox import Outbox

__all__ = ["Button", "Category", "Keyboard", "Kind", "MessageContent", "Outbox", "OutgoingMessage"]
