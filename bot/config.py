"""Settings from the environment and an optional `.env`."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PlainSerializer, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.services.desk.schedule import WeeklyHours, parse_closed_days, parse_desk_hours
from bot.timezones import zone

DEFAULT_API_URL = "https://api.telegram.org"
# What @BotFather hands out: the bot's numeric id, a colon, then ~35 URL-safe characters. The length
# is left open (test tokens are shorter, and Telegram never promised it); the shape is what catches
# a pasted "bot" prefix, quotes, a space or a truncated copy.
TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]+")
# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_url: str = "sqlite+aiosqlite:///data/bot.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Almaty"
    delivery_rate: float = Field(default=25.0, gt=0, le=1000)
    per_chat_interval: float = Field(default=1.0, ge=0)
    # Telegram allows about 20 messages a minute in one group: 3 s apart stays under it.
    group_interval: float = Field(default=3.0, ge=0, le=60)
    quiet_hours_start: time = time(22, 0)
    quiet_hours_end: time = time(9, 0)
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = (7 * 24 * 60, 24 * 60, 60)
    log_level: str = "INFO"
    # Operations (README "Deploy"): log lines as text or JSON, the /metrics server of polling
    # mode (off without a port), and how long delivery records and search logs are kept.
    log_format: Literal["text", "json"] = "text"
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    retention_days: int = Field(default=180, ge=1, le=36500)
    # The consultant desk: hours in TIMEZONE; SLA figures are working hours.
    desk_hours: Annotated[WeeklyHours, NoDecode, PlainSerializer(str)] = parse_desk_hours(
        "Mon-Fri 09:00-18:00"
    )
    desk_closed_days: Annotated[frozenset[date], NoDecode] = frozenset()
    sla_unclaimed: float = Field(default=2.0, gt=0, le=1000)
    sla_answer: float = Field(default=4.0, gt=0, le=1000)
    desk_max_open: int = Field(default=10, ge=1, le=1000)
    desk_auto_assign: bool = True
    desk_user_max_open: int = Field(default=3, ge=1, le=100)
    consultants_chat_id: int | None = None
    # The language of what the bot writes in the consultants' workspace.
    desk_language: Literal["kk", "ru"] = "ru"
    # Webhook mode (README "Deploy"): Telegram posts updates to WEBHOOK_URL, proven by the secret.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Seconds the sending/scheduling replica's lease lasts without renewal.
    leader_lease_seconds: float = Field(default=15.0, ge=3, le=600)
    # How long start-up keeps retrying an unreachable Telegram API or database before exiting.
    startup_retry_seconds: float = Field(default=120.0, ge=0, le=24 * 60 * 60)

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        token = value.get_secret_value().strip() if value is not None else ""
        if not token:
            return None  # the CLI explains how to get one
        if not TOKEN_PATTERN.fullmatch(token):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError(
                "does not look like a token from @BotFather "
                "(digits, a colon, then letters, digits, - and _; e.g. 123456789:AAH...)"
            )
        return SecretStr(token)

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level == "WARN":
            level = "WARNING"
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith("https://") and not value.startswith("http://127.0.0.1"):
            raise ValueError("must be an https:// address Telegram can reach")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value().strip() if value is not None else ""
        if not secret:
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ValueError("must be 1–256 characters of A-Z, a-z, 0-9, _ and -")
        return SecretStr(secret)

    @field_validator("telegram_api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "must be comma-separated Telegram user ids, e.g. 123,456"
                ) from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _parse_offsets(cls, value: object) -> object:
        """REMINDER_OFFSETS is a comma list of minutes before the event, e.g. `10080,1440,60`."""
        if isinstance(value, str):
            try:
                minutes = tuple(int(p) for p in value.split(",") if p.strip())
            except ValueError:
                raise ValueError("must be comma-separated minutes, e.g. 10080,1440,60") from None
            if not minutes or any(m <= 0 for m in minutes):
                raise ValueError("must be positive minutes, e.g. 10080,1440,60")
            return tuple(sorted(set(minutes), reverse=True))
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _normalise_word(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_port_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zone(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Almaty") from None
        return value

    @field_validator("desk_hours", mode="plain")
    @classmethod
    def _parse_desk_hours(cls, value: object) -> WeeklyHours:
        if isinstance(value, WeeklyHours):
            return value
        if isinstance(value, str):
            return parse_desk_hours(value)
        raise ValueError("must be like 'Mon-Fri 09:00-18:00; Sat 10:00-14:00' or 'always'")

    @field_validator("desk_closed_days", mode="before")
    @classmethod
    def _parse_closed_days(cls, value: object) -> object:
        return parse_closed_days(value) if isinstance(value, str) else value

    @field_validator("consultants_chat_id", mode="before")
    @classmethod
    def _parse_consultants_chat(cls, value: object) -> object:
        """A forum supergroup's id, e.g. -1001234567890; empty means private-chat mode."""
        hint = "must be the consultants' forum supergroup id, e.g. -1001234567890"
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                value = int(value.strip())
            except ValueError:
                raise ValueError(hint) from None
        if isinstance(value, int) and value >= 0:
            raise ValueError(hint)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @property
    def token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingTokenError
        return self.bot_token.get_secret_value().strip()

    @property
    def debug(self) -> bool:
        """LOG_LEVEL=DEBUG: errors keep their tracebacks."""
        return self.log_level == "DEBUG"


class MissingTokenError(RuntimeError):
    """BOT_TOKEN is needed to talk to Telegram."""


class SettingsError(RuntimeError):
    """A setting has a wrong value; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None
