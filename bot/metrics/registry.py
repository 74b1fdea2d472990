"""The bot's Prometheus instruments, in a registry of their own (nothing global is touched).

One ``Metrics`` per process, made by the composition root and handed to the parts that count.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from bot.delivery.messages import Category
from bot.delivery.outcomes import RowSummary, SendOutcome, SendResult
from bot.services.events.reminders import ReminderTally
from bot.services.retention import RetentionReport
from db.repositories.desk import QueueSummary
from db.repositories.outbox import PendingSummary

# Seconds; a handler that answers from memory takes milliseconds, one that waits on Telegram or
# a busy SQLite lock takes seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class UpdateOutcome:
    HANDLED = "handled"
    UNHANDLED = "unhandled"  # no handler matched
    ERROR = "error"  # a handler raised (the user got the apology)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.updates = Counter(
            "kenes_updates",
            "Telegram updates handled, by update type and outcome.",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "kenes_update_duration_seconds",
            "Time from an update's arrival in the dispatcher to its commit, by update type.",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sends = Counter(
            "kenes_outbox_sends",
            "Outbox send attempts by result (ok, 429, blocked, failed, retry, refused) and "
            "message category.",
            ["result", "category"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "kenes_outbox_pending",
            "Outbox messages waiting to be sent (due now or later), read at scrape time.",
            registry=self.registry,
        )
        self.outbox_oldest_due_age = Gauge(
            "kenes_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due outbox message has waited (0 if none).",
            registry=self.registry,
        )
        self.desk_waiting = Gauge(
            "kenes_desk_waiting_questions",
            "Questions to consultants that no consultant has taken yet, read at scrape time.",
            registry=self.registry,
        )
        self.desk_oldest_waiting_age = Gauge(
            "kenes_desk_oldest_waiting_age_seconds",
            "How long the longest-waiting untaken question has waited, in clock time (0 if none).",
            registry=self.registry,
        )
        self.scrape_errors = Counter(
            "kenes_metrics_database_errors",
            "Scrapes whose outbox or desk figures could not be read from the database.",
            registry=self.registry,
        )
        self.reminders_due = Counter(
            "kenes_reminders_due",
            "Event reminders the reminder job found due.",
            registry=self.registry,
        )
        self.reminders_queued = Counter(
            "kenes_reminders_queued",
            "Event reminders the reminder job put in the outbox (due minus unreachable users).",
            registry=self.registry,
        )
        self.retention_deleted = Counter(
            "kenes_retention_deleted_rows",
            "Rows deleted by the retention job, by table.",
            ["table"],
            registry=self.registry,
        )
        # Series that exist from the start, so a rate() over them is defined before the first
        # send and an alert on "failed" does not wait for one.
        for result in SendResult:
            for category in Category:
                self.sends.labels(result.value, category.value)
        for table in ("outbox", "faq_search_log"):
            self.retention_deleted.labels(table)

    def record_update(self, update_type: str, outcome: str, seconds: float) -> None:
        self.updates.labels(update_type, outcome).inc()
        self.update_seconds.labels(update_type).observe(seconds)

    def record_send(self, row: RowSummary, outcome: SendOutcome) -> None:
        """An outbox observer: counts send attempts (not the rows skipped with a blocked chat)."""
        if outcome.attempted:
            self.sends.labels(outcome.result.value, row.category).inc()

    def record_reminders(self, tally: ReminderTally) -> None:
        self.reminders_due.inc(tally.due)
        self.reminders_queued.inc(tally.queued)

    def record_retention(self, report: RetentionReport) -> None:
        self.retention_deleted.labels("outbox").inc(report.outbox)
        self.retention_deleted.labels("faq_search_log").inc(report.searches)

    def record_outbox(self, summary: PendingSummary | None, now: datetime) -> None:
        """The outbox gauges from a fresh summary; None (the database did not answer) leaves
        them NaN rather than showing stale numbers."""
        if summary is None:
            self.scrape_errors.inc()
            self.outbox_pending.set(float("nan"))
            self.outbox_oldest_due_age.set(float("nan"))
            return
        self.outbox_pending.set(summary.pending)
        waited = (now - summary.oldest_due).total_seconds() if summary.oldest_due else 0.0
        self.outbox_oldest_due_age.set(max(0.0, waited))

    def record_desk_queue(self, summary: QueueSummary | None, now: datetime) -> None:
        if summary is None:
            self.scrape_errors.inc()
            self.desk_waiting.set(float("nan"))
            self.desk_oldest_waiting_age.set(float("nan"))
            return
        self.desk_waiting.set(summary.waiting)
        oldest = summary.oldest_submitted
        waited = (now - oldest).total_seconds() if oldest else 0.0
        self.desk_oldest_waiting_age.set(max(0.0, waited))

    def render(self) -> bytes:
        return generate_latest(self.registry)
