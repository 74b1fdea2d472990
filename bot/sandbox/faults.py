"""Telegram's bad days, on demand: server errors, dropped connections, latency, a revoked token,
and hooks that run test code at a chosen call.

A ``FaultPlan`` is set when the server is created or swapped at run time (``faults.configure``).
Random faults hit a call before its effect (nothing was sent, so a retry is safe); hooks run
after it, just before the answer, which is where a crash between "Telegram has it" and "the bot
knows it" happens.
"""

from __future__ import annotations

import inspect
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Literal

from bot.sandbox.errors import ApiError

# What nginx in front of api.telegram.org answers when the backend is down.
NGINX_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.18.0</center>
</body>
</html>
"""


class Fault(Enum):
    JSON_500 = "json_500"  # {"ok": false, "error_code": 500, ...} with HTTP 500
    HTML_502 = "html_502"  # nginx's HTML page, Content-Type text/html
    DROP = "drop"  # the connection is closed without an answer


class HookAction(Enum):
    """What a hook may ask instead of the normal answer."""

    NO_ANSWER = "no_answer"  # hold the request open until the server stops
    DROP = "drop"  # close the connection without answering


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Random faults as fractions of calls (0..1) and latency added to each call, in seconds.

    ``methods``/``latency_methods`` limit them to some methods (names as in the Bot API, any
    case); None means every method. ``latency`` is fixed or a (low, high) uniform range.
    """

    json_500: float = 0.0
    html_502: float = 0.0
    drop: float = 0.0
    methods: Collection[str] | None = None
    latency: float | tuple[float, float] = 0.0
    latency_methods: Collection[str] | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("json_500", "html_502", "drop"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultPlan.{name} must be a fraction 0..1, not {value}")
        if self.json_500 + self.html_502 + self.drop > 1.0:
            raise ValueError("FaultPlan: the fault fractions add up to more than 1")
        low, high = _range(self.latency)
        if low < 0 or high < low:
            raise ValueError(f"FaultPlan.latency must be >= 0 (low <= high), not {self.latency}")
        for name in ("methods", "latency_methods"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, frozenset(m.lower() for m in value))


def _range(latency: float | tuple[float, float]) -> tuple[float, float]:
    if isinstance(latency, tuple):
        return float(latency[0]), float(latency[1])
    return float(latency), float(latency)


@dataclass(slots=True)
class HookedCall:
    """A call a hook sees: after the handler ran, ``result`` or ``error`` is what the server
    is about to answer (the hook may still replace it by returning a HookAction)."""

    method: str
    params: dict[str, Any]
    phase: Literal["before", "after"]
    result: Any = None
    error: ApiError | None = None


Hook = Callable[[HookedCall], Awaitable[HookAction | None] | HookAction | None]


@dataclass(slots=True)
class _HookEntry:
    method: str  # lower case, or "*"
    hook: Hook
    phase: Literal["before", "after"]
    once: bool


@dataclass(slots=True)
class FaultStats:
    """What the server injected; ``by_method`` counts (fault name, method) pairs."""

    json_500: int = 0
    html_502: int = 0
    dropped: int = 0
    unauthorized: int = 0
    forced: int = 0  # fail_next / force_retry_after answers
    delayed_calls: int = 0
    added_latency: float = 0.0  # seconds, summed over calls
    hooks_fired: int = 0
    not_answered: int = 0  # calls a hook left hanging
    malformed_updates: int = 0
    expired_callback_answers: int = 0  # "query is too old" for a query older than 15 s
    by_method: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.json_500 + self.html_502 + self.dropped + self.unauthorized + self.forced


class Faults:
    """The server's fault controller: ``server.faults``."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()
        self._rng = random.Random(self.plan.seed)
        self.unauthorized = False  # every call answers 401, like after a token is revoked
        self.stats = FaultStats()
        self.hook_errors: list[BaseException] = []
        self._hooks: list[_HookEntry] = []
        # Called as a hook starts, so a test waiting for "the hook ran" wakes up.
        self.on_fire: Callable[[], None] | None = None

    def configure(self, plan: FaultPlan | None = None, **changes: Any) -> FaultPlan:
        """Replace the plan, or change some of its fields (``configure(json_500=0.1)``)."""
        new = plan if plan is not None else replace(self.plan, **changes)
        if plan is not None and changes:
            new = replace(new, **changes)
        if new.seed != self.plan.seed:
            self._rng = random.Random(new.seed)
        self.plan = new
        return new

    def clear(self) -> None:
        """No more random faults, latency, 401s or hooks (the statistics stay)."""
        self.plan = FaultPlan(seed=self.plan.seed)
        self.unauthorized = False
        self._hooks.clear()

    # ------------------------------------------------------------- random faults

    def latency_for(self, method: str) -> float:
        low, high = _range(self.plan.latency)
        if high <= 0 or not _applies(self.plan.latency_methods, method):
            return 0.0
        return low if low == high else self._rng.uniform(low, high)

    def pick(self, method: str) -> Fault | None:
        plan = self.plan
        if not (plan.json_500 or plan.html_502 or plan.drop):
            return None
        if not _applies(plan.methods, method):
            return None
        roll = self._rng.random()
        for fault, share in (
            (Fault.JSON_500, plan.json_500),
            (Fault.HTML_502, plan.html_502),
            (Fault.DROP, plan.drop),
        ):
            if roll < share:
                return fault
            roll -= share
        return None

    def record(self, fault: str, method: str) -> None:
        if fault == "drop":
            self.stats.dropped += 1
        else:
            setattr(self.stats, fault, getattr(self.stats, fault) + 1)
        self.stats.by_method[(fault, method)] += 1

    # ------------------------------------------------------------- hooks

    def on_call(
        self,
        method: str | None,
        hook: Hook,
        *,
        before: bool = False,
        once: bool = False,
    ) -> Callable[[], None]:
        """Run ``hook`` when the bot calls ``method`` (any method when None).

        By default the hook runs after the call took effect and before the answer is sent;
        ``before=True`` runs it before the handler. It may be async (the answer waits for it)
        and may return a HookAction. Returns a function that removes the hook.
        """
        entry = _HookEntry((method or "*").lower(), hook, "before" if before else "after", once)
        self._hooks.append(entry)

        def remove() -> None:
            if entry in self._hooks:
                self._hooks.remove(entry)

        return remove

    async def run_hooks(self, call: HookedCall) -> HookAction | None:
        action: HookAction | None = None
        lower = call.method.lower()
        for entry in [h for h in self._hooks if h.phase == call.phase]:
            if entry.method not in ("*", lower):
                continue
            if entry.once:
                self._hooks.remove(entry)
            self.stats.hooks_fired += 1
            if self.on_fire is not None:
                self.on_fire()
            outcome = entry.hook(call)
            if inspect.isawaitable(outcome):
                outcome = await outcome
            if isinstance(outcome, HookAction):
                action = outcome
        return action


def _applies(methods: Collection[str] | None, method: str) -> bool:
    return methods is None or method.lower() in methods
