"""The delivery outbox: every message the bot sends first goes through here.

Services queue with ``await outbox.enqueue(session, OutgoingMessage.text_message(...))`` inside
their transaction; one sender per process (``bot.delivery.runtime``) drains the queue within
Telegram's limits and tells its observers what became of each row (``SendOutcome``). Forum
topics are named by ``thread_key`` and found by a ``bot.delivery.threads.ThreadResolver``.
This package's top level stays free of aiogram, so services can import it.
"""

from bot.delivery.messages import (
    REACTION_EMOJI,
    Button,
    Category,
    Keyboard,
    Kind,
    MessageContent,
    OutgoingMessage,
)
from bot.delivery.outbox import Outbox
from bot.delivery.outcomes import RowSummary, SendObserver, SendOutcome, SendResult

__all__ = [
    "REACTION_EMOJI",
    "Button",
    "Category",
    "Keyboard",
    "Kind",
    "MessageContent",
    "Outbox",
    "OutgoingMessage",
    "RowSummary",
    "SendObserver",
    "SendOutcome",
    "SendResult",
]
