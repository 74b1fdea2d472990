"""The port through which broadcast messages the bot sends on its own are rendered (the live
status and the report), implemented beside the handlers (handlers/broadcasts/notices.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.delivery.messages import MessageContent
from db.repositories.broadcasts import BroadcastDTO


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a broadcast (or its edit/delete follow-up) stands, from its outbox rows."""

    phase: str  # "send", "edit" or "delete"
    status: str  # the broadcast's status
    total: int
    delivered: int
    unreachable: int
    failed: int
    cancelled: int
    waiting: int  # pending or being sent
    rate: float | None  # deliveries per second so far
    seconds_left: float | None
    failures: tuple[tuple[str, int], ...] = ()
    too_old: int = 0  # copies older than 48 hours, which Telegram no longer lets us delete

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    @property
    def done_count(self) -> int:
        return self.delivered + self.unreachable + self.failed + self.cancelled


class BroadcastTexts(Protocol):
    def status(self, broadcast: BroadcastDTO, progress: Progress, language: str) -> MessageContent:
        """The live status message, with Pause/Resume/Stop while it runs."""
        ...

    def report(self, broadcast: BroadcastDTO, progress: Progress, language: str) -> MessageContent:
        """The report at the end, with "Edit everywhere"/"Delete everywhere"."""
        ...
