"""What became of a queued row, told to whoever must act on it (metrics, the desk).

    async def on_outcome(row: RowSummary, outcome: SendOutcome) -> None:
        if outcome.unreachable and row.group_key and row.group_key.startswith("ticket:"):
            ...  # tell the consultant the answer could not be delivered

Observers are called by the sender after the verdict is recorded in the database, once per send
attempt (``final`` is False while the row will be tried again), and once for every queued row
skipped because its chat became unreachable (``attempted`` is False: no call was made). Plain
functions and coroutine functions are both accepted; an exception in one is logged and never
stops the sender. They run in the sending task, so keep them short (queue a message, update a
row). Free of aiogram: services may import this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from db.repositories.outbox import RowSummary

__all__ = ["RowSummary", "SendObserver", "SendOutcome", "SendResult"]


class SendResult(StrEnum):
    """What one send attempt came to, as counted by ``bot.metrics``."""

    OK = "ok"
    RATE_LIMITED = "429"
    BLOCKED = "blocked"  # the user blocked the bot or is gone: their queue is skipped
    FAILED = "failed"  # rejected by Telegram or by the sender, or out of attempts
    RETRY = "retry"  # 5xx, network trouble, a lost forum topic: tried again later
    REFUSED = "refused"  # Telegram refuses the bot itself (401/409)


_FINAL = frozenset({SendResult.OK, SendResult.BLOCKED, SendResult.FAILED})


@dataclass(frozen=True, slots=True)
class SendOutcome:
    result: SendResult
    # Delivered: the message sent, edited, pinned or reacted to (None for topic changes).
    message_id: int | None = None
    # Not delivered: Telegram's description, or the sender's reason.
    reason: str | None = None
    attempted: bool = True

    @property
    def final(self) -> bool:
        """The row is done (sent, skipped or failed); nothing more will happen to it."""
        return self.result in _FINAL

    @property
    def delivered(self) -> bool:
        return self.result is SendResult.OK

    @property
    def unreachable(self) -> bool:
        """The person blocked the bot or deleted their account (or the bot left the group)."""
        return self.result is SendResult.BLOCKED

    @property
    def failed(self) -> bool:
        return self.result is SendResult.FAILED


SendObserver = Callable[[RowSummary, SendOutcome], Awaitable[None] | None]
