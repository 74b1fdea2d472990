"""compose.yaml and deploy/Caddyfile for webhook mode: the bot's healthcheck run against the real
servers, and the commented second replica and proxy checked as they are once uncommented."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from tests.webhook.conftest import WebhookBot, free_port

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "Caddyfile"


def compose(*, uncomment: bool = False) -> dict[str, Any]:
    """compose.yaml, optionally with the commented replica and proxy (and their volume) on."""
    lines = (ROOT / "compose.yaml").read_text().splitlines()
    if uncomment:
        start = lines.index("  # bot-2:")
        lines[start:] = [re.sub(r"^  # ?", "  ", line) for line in lines[start:]]
    loaded = yaml.safe_load("\n".join(lines))
    assert isinstance(loaded, dict)
    return loaded


async def probe(**settings: str) -> int:
    """The bot's compose healthcheck, run as Docker runs it, with the container's settings."""
    command = compose()["services"]["bot"]["healthcheck"]["test"]
    assert command[:2] == ["CMD", "python"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "METRICS_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command[2:],
        env={**env, **settings},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with asyncio.timeout(30):
        return await process.wait()


async def test_in_webhook_mode_the_healthcheck_asks_healthz(webhook_bot: WebhookBot) -> None:
    port = str(webhook_bot.app.settings.webhook_port)
    url = str(webhook_bot.app.settings.webhook_url)
    assert await probe(WEBHOOK_URL=url, WEBHOOK_PORT=port, METRICS_PORT=str(free_port())) == 0
    nobody = str(free_port())
    assert await probe(WEBHOOK_URL=url, WEBHOOK_PORT=nobody, METRICS_PORT=port) != 0


async def test_in_polling_mode_the_healthcheck_asks_the_metrics_server(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    port = free_port()
    with_metrics = settings.model_copy(update={"metrics_port": port})
    running = await RunningBot.start(with_metrics, telegram, clock=fake_clock)
    try:
        assert await probe(METRICS_PORT=str(port), WEBHOOK_PORT=str(free_port())) == 0
    finally:
        await running.stop()
    assert await probe(METRICS_PORT=str(port), WEBHOOK_PORT=str(free_port())) != 0


def test_the_commented_replica_and_proxy_are_right_once_uncommented() -> None:
    polling = compose()
    assert set(polling["services"]) == {"postgres", "migrate", "bot"}
    services = compose(uncomment=True)["services"]
    assert set(services) == {"postgres", "migrate", "bot", "bot-2", "caddy"}
    bot, second, caddy = services["bot"], services["bot-2"], services["caddy"]
    assert second == bot  # the same replica: image, settings, start order, healthcheck
    assert caddy["depends_on"] == {
        "bot": {"condition": "service_healthy"},
        "bot-2": {"condition": "service_healthy"},
    }
    assert set(caddy["ports"]) == {"80:80", "443:443"}
    source, target, _ = caddy["volumes"][0].split(":")
    assert (ROOT / source).resolve() == CADDYFILE and target == "/etc/caddy/Caddyfile"
    volume = caddy["volumes"][1].split(":")[0]
    assert volume in compose(uncomment=True)["volumes"]

    caddyfile = CADDYFILE.read_text()
    port = bot["environment"]["WEBHOOK_PORT"]
    assert bot["environment"]["WEBHOOK_HOST"] == "0.0.0.0"  # reachable from the proxy
    upstreams = re.search(r"reverse_proxy ([^{\n]+)\{", caddyfile)
    assert upstreams is not None and upstreams.group(1).split() == [f"bot:{port}", f"bot-2:{port}"]
    assert "health_uri /readyz" in caddyfile
    # The one path passed on is the path of the WEBHOOK_URL the README has people set.
    readme_url = re.search(r"WEBHOOK_URL=(https://\S+?)\"", (ROOT / "README.md").read_text())
    assert readme_url is not None
    address = urlsplit(readme_url.group(1))
    assert re.findall(r"handle (/\S*) \{", caddyfile) == [address.path]
    assert f"{address.hostname} {{" in caddyfile
