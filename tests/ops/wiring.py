"""What the composition root does with the operations parts, for tests that run the real bot.

The same lines belong in ``Application.create`` (bot/app.py) and ``create_dispatcher``
(bot/factory.py); see bot/metrics/__init__.py.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.app import Application
from bot.delivery.runtime import DeliveryRuntime
from bot.metrics import Metrics, MetricsMiddleware
from bot.scheduler import BotScheduler
from handlers.events.notices import EventNoticeTexts


def wire_metrics(metrics: Metrics) -> Callable[[Application], None]:
    """A ``RunningBot(prepare=...)`` hook that counts into ``metrics``."""

    def prepare(app: Application) -> None:
        app.dispatcher.update.outer_middleware(MetricsMiddleware(metrics))
        app.delivery = DeliveryRuntime(
            app.outbox, app.settings, app.sessionmaker, app.clock, on_result=metrics.record_send
        )
        app.scheduler = BotScheduler(
            app.settings,
            app.sessionmaker,
            app.clock,
            app.outbox,
            EventNoticeTexts(app.i18n, app.settings.tz),
            on_reminders=metrics.record_reminders,
            on_retention=metrics.record_retention,
        )

    return prepare
