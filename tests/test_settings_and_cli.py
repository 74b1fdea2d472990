"""Start-up: wrong settings give one clear line; no token gives the two-line explanation."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ADMIN_IDS"}}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "Invalid setting ADMIN_IDS"),
        ("TIMEZONE", "Mars/Olympus", "Invalid setting TIMEZONE"),
        ("TELEGRAM_API_URL", "localhost:8081", "Invalid setting TELEGRAM_API_URL"),
        ("DATABASE_URL", "mysql://x", "Invalid setting DATABASE_URL"),
        ("DELIVERY_RATE", "0", "Invalid setting DELIVERY_RATE"),
        ("GROUP_INTERVAL", "-1", "Invalid setting GROUP_INTERVAL"),
        ("GROUP_INTERVAL", "soon", "Invalid setting GROUP_INTERVAL"),
        ("BOT_TOKEN", "garbage", "Invalid setting BOT_TOKEN"),
        ("BOT_TOKEN", "bot123456:AAH-token", "Invalid setting BOT_TOKEN"),
        ("LOG_LEVEL", "verbose", "Invalid setting LOG_LEVEL"),
        ("STARTUP_RETRY_SECONDS", "-1", "Invalid setting STARTUP_RETRY_SECONDS"),
    ],
)
def test_wrong_setting_is_one_clear_line(
    variable: str, value: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)
    assert value not in str(error.value) or variable != "BOT_TOKEN"  # a token is never shown


def test_token_and_log_level_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "  123456:AAH-token_ok  ")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings(_env_file=None)
    assert settings.token == "123456:AAH-token_ok"
    assert settings.log_level == "DEBUG" and settings.debug
    monkeypatch.setenv("BOT_TOKEN", "")
    assert load_settings(_env_file=None).bot_token is None  # unset: the CLI explains


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_API_URL", "DATABASE_URL", "TIMEZONE", "ADMIN_IDS", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADMIN_IDS", "1, 2")
    settings = load_settings(_env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///data/bot.db"
    assert settings.timezone == "Asia/Almaty"
    assert settings.admin_ids == frozenset({1, 2})
    # Since 1 March 2024 Kazakhstan is UTC+5 everywhere; an old tz database would say +6.
    assert datetime(2026, 6, 1, tzinfo=settings.tz).utcoffset() == timedelta(hours=5)


def test_token_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:SECRET")
    settings = load_settings(_env_file=None)
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_run_without_token_explains_in_two_lines(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "@BotFather" in lines[0]
    assert lines[1].endswith("run: .venv/bin/python -m bot sandbox")  # works from a fresh clone


def test_cli_wrong_setting_exits_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"TIMEZONE": "Nowhere/City"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Invalid setting TIMEZONE: unknown time zone 'Nowhere/City', e.g. Asia/Almaty"
    )


def test_migrate_creates_database_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.db'}"
    result = run_cli("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "nested" / "bot.db").exists()


def test_zones_come_from_the_tzdata_package() -> None:
    from bot.timezones import zone

    almaty = zone("Asia/Almaty")
    assert almaty is zone("Asia/Almaty")  # cached, so comparisons between datetimes are cheap
    assert str(almaty) == "Asia/Almaty"
    # UTC+6 until 1 March 2024, UTC+5 since: only tzdata 2024a or newer knows this.
    assert datetime(2024, 2, 1, tzinfo=almaty).utcoffset() == timedelta(hours=6)
    assert datetime(2024, 3, 2, tzinfo=almaty).utcoffset() == timedelta(hours=5)
