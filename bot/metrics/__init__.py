"""Prometheus metrics of the bot: instruments, the update middleware, and ``/metrics``.

Wiring, in the composition root:

    metrics = Metrics()
    dp.update.outer_middleware(MetricsMiddleware(metrics))   # before the other update middlewares
    DeliveryRuntime(..., observers=[metrics.record_send])
    BotScheduler(..., on_reminders=metrics.record_reminders,
                 on_retention=metrics.record_retention)
    probe = OutboxProbe(sessionmaker, clock)
    MetricsServer.from_settings(settings, metrics, probe)    # polling mode; start()/stop()
    app.router.add_get("/metrics", metrics_handler(metrics, probe))   # or on the webhook server
"""

from bot.metrics.http import (
    METRICS_PATH,
    MetricsServer,
    MetricsServerError,
    OutboxProbe,
    metrics_app,
    metrics_handler,
)
from bot.metrics.middleware import MetricsMiddleware
from bot.metrics.registry import Metrics, UpdateOutcome

__all__ = [
    "METRICS_PATH",
    "Metrics",
    "MetricsMiddleware",
    "MetricsServer",
    "MetricsServerError",
    "OutboxProbe",
    "UpdateOutcome",
    "metrics_app",
    "metrics_handler",
]
