"""The Dockerfile, compose.yaml and the systemd unit say what the README says, and every file
they use exists (Docker itself cannot build here)."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RUN_BOT = " && .venv/bin/python -m bot"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


def readme_command(marker: str) -> str:
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index(f"<!-- {marker} -->")
    return next(line.strip() for line in lines[start + 1 :] if line.strip())


def test_the_image_installs_with_the_readme_command() -> None:
    install = readme_command("install-command")
    assert install.endswith(RUN_BOT)
    runs = [arguments for word, arguments in instructions() if word == "RUN"]
    assert install.removesuffix(RUN_BOT) in runs
    # The test command CI runs is the same install, with the dev extras.
    assert readme_command("test-command").startswith(
        install.removesuffix(RUN_BOT).replace("-e .", '-e ".[dev]"')
    )
    assert "python -c 'from bot.i18n import compile_catalogues; compile_catalogues()'" in "\n".join(
        runs
    )


def test_two_slim_stages_a_non_root_user_and_python_m_bot() -> None:
    build, final = stages()
    assert build[0] == ("FROM", "python:3.11-slim AS build")
    assert final[0] == ("FROM", "python:3.11-slim")
    users = [arguments for word, arguments in final if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("CMD", '["python", "-m", "bot"]') in final
    everything = " ".join(arguments for _, arguments in instructions())
    for dev_tool in ("pytest", "ruff", "mypy", "[dev]", "build-essential", "gcc"):
        assert dev_tool not in everything


def test_every_copied_source_exists_and_secrets_stay_out() -> None:
    for word, arguments in instructions():
        if word != "COPY" or arguments.startswith("--from"):
            continue
        *sources, _target = shlex.split(arguments)
        for source in sources:
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".venv" in ignored and ".git" in ignored


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_migrate_first_then_the_bot_against_postgres_15() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "bot"}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]
    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "command" not in bot  # the image's CMD: python -m bot
    for service in (migrate, bot):
        assert service["build"] == "."
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    # What it probes, in either mode, is run against the real servers in tests/webhook.
    assert bot["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
    assert bot["restart"] == "unless-stopped"


def test_compose_shows_a_second_replica_and_a_proxy_as_comments() -> None:
    text = (ROOT / "compose.yaml").read_text()
    assert re.search(r"^  # bot-2:$", text, re.MULTILINE)
    assert re.search(r"^  # caddy:$", text, re.MULTILINE)


def test_systemd_unit_migrates_first_and_restarts_on_failure() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "kenes.service")
    service = unit["Service"]
    assert service["ExecStartPre"].endswith("/.venv/bin/python -m bot migrate")
    assert service["ExecStart"].endswith("/.venv/bin/python -m bot")
    assert service["Restart"] == "on-failure"
    assert service["User"] != "root"
    data_dir = service["WorkingDirectory"] + "/data"
    assert data_dir in service["ReadWritePaths"].split()
    assert unit["Install"]["WantedBy"] == "multi-user.target"
