"""The delivery outbox: every message the bot sends first goes through here.

Services queue with ``await outbox.enqueue(session, OutgoingMessage.text_message(...))`` inside
their transaction; one ``DeliverySender`` per process drains the queue within Telegram's limits.
"""

from bot.delivery.messages import Category, Kind, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.delivery.sender import DeliverySender, SenderConfig, SenderStats
from bot.delivery.setup import running_sender, setup_delivery

__all__ = [
    "Category",
    "DeliverySender",
    "Kind",
    "Outbox",
    "OutgoingMessage",
    "SenderConfig",
    "SenderStats",
    "running_sender",
    "setup_delivery",
]
