"""Counters the benchmarks and tests read from the fake server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class ServerStats:
    requests: Counter[str] = field(default_factory=Counter)  # every call, by method
    sent: int = 0  # messages that reached a chat
    sent_by_method: Counter[str] = field(default_factory=Counter)
    edits: int = 0
    rate_limited: int = 0  # 429 answers, real or forced
    rate_limited_by_method: Counter[str] = field(default_factory=Counter)
    errors_by_status: Counter[int] = field(default_factory=Counter)
    topics_created: int = 0
    reactions: int = 0  # setMessageReaction calls that succeeded

    def record_sent(self, method: str) -> None:
        self.sent += 1
        self.sent_by_method[method] += 1

    def record_edit(self) -> None:
        self.edits += 1

    def record_rate_limited(self, method: str) -> None:
        self.rate_limited += 1
        self.rate_limited_by_method[method] += 1
