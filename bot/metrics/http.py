"""``/metrics`` over HTTP: a handler to mount on any aiohttp app, and a small server of its own
for polling mode (``METRICS_HOST``/``METRICS_PORT``).

    webhook_app.router.add_get("/metrics", metrics_handler(metrics, probe))   # webhook mode
    server = MetricsServer(metrics_app(metrics, probe), host, port)           # polling mode
    await server.start() ... await server.stop()

Each scrape reads the outbox depth and the desk's queue from the database, one query each,
bounded by a timeout: a slow database makes those gauges NaN, never the scrape hang.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.metrics.registry import Metrics
from db.repositories.desk import QueueSummary, TicketRepository
from db.repositories.outbox import OutboxRepository, PendingSummary

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# The text format the output follows (prometheus-client's default header names a newer one
# that Prometheus 2 does not know).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROBE_TIMEOUT = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class OutboxProbe:
    """Reads the figures of the gauges set at scrape time: the outbox and the desk's queue."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        timeout: float = PROBE_TIMEOUT,
    ) -> None:
        self.clock = clock
        self._sessionmaker = sessionmaker
        self._timeout = timeout

    async def summary(self) -> PendingSummary | None:
        try:
            async with asyncio.timeout(self._timeout), self._sessionmaker() as session:
                return await OutboxRepository(session).pending_summary(self.clock.now())
        except Exception:
            log.warning("metrics: the outbox could not be read", exc_info=True)
            return None

    async def desk_queue(self) -> QueueSummary | None:
        try:
            async with asyncio.timeout(self._timeout), self._sessionmaker() as session:
                return await TicketRepository(session).queue_summary()
        except Exception:
            log.warning("metrics: the desk's queue could not be read", exc_info=True)
            return None


def metrics_handler(metrics: Metrics, probe: OutboxProbe | None = None) -> Handler:
    async def handle(_request: web.Request) -> web.Response:
        if probe is not None:
            metrics.record_outbox(await probe.summary(), probe.clock.now())
            metrics.record_desk_queue(await probe.desk_queue(), probe.clock.now())
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    return handle


def metrics_app(metrics: Metrics, probe: OutboxProbe | None = None) -> web.Application:
    app = web.Application()
    app.router.add_get(METRICS_PATH, metrics_handler(metrics, probe))
    return app


class MetricsServerError(RuntimeError):
    """The metrics server could not listen; the message is one line naming the setting."""


class MetricsServer:
    """An aiohttp server for ``metrics_app`` with a start/stop lifecycle."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, metrics: Metrics, probe: OutboxProbe | None = None
    ) -> MetricsServer | None:
        """The server ``METRICS_PORT`` asks for, or None when it is not set (the default)."""
        if settings.metrics_port is None:
            return None
        return cls(metrics_app(metrics, probe), settings.metrics_host, settings.metrics_port)

    async def start(self) -> None:
        if self._runner is not None:
            return
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as exc:
            await runner.cleanup()
            raise MetricsServerError(
                f"Invalid setting METRICS_PORT: cannot listen on {self._host}:{self._port} "
                f"({exc.strerror or exc})"
            ) from None
        self._runner = runner
        log.info("metrics on http://%s:%s%s", self._host, self.port, METRICS_PATH)

    @property
    def port(self) -> int:
        """The port listened on (the one chosen by the system when 0 was asked)."""
        if self._runner is None or not self._runner.addresses:
            return self._port
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
