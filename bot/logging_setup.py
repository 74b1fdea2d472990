"""Process-wide logging from the settings: text or JSON lines, secrets never written.

    configure_logging(settings)    # once, at start-up (bot/cli.py)

JSON lines carry ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and, when there is
one, ``exception`` (the traceback text). Whatever the format, the bot token and the database
password are replaced by ``[redacted]`` in the finished line, tracebacks included: an aiohttp
error can quote a request URL, and Telegram's URLs contain the token.

Some libraries print SQL parameters or whole chats (aiosqlite logs every statement with its
values at DEBUG, SQLAlchemy's engine at INFO, i.e. people's questions). They only ever log
warnings and errors, whatever ``LOG_LEVEL`` says.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.config import MissingTokenError, Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# Loggers whose DEBUG/INFO lines carry message texts or personal data (SQL values, chats).
QUIET_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "aiogram_dialog")
# Shorter strings would blank out ordinary words in every line.
_MIN_SECRET_LENGTH = 4


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted(
            {s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII kept readable (Kazakh and Russian texts)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        if record.exc_info:
            line["exception"] = self._redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = self._redact(record.exc_text)
        if record.stack_info:
            line["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


def secrets_of(settings: Settings) -> list[str]:
    found = []
    with contextlib.suppress(MissingTokenError):
        found.append(settings.token)
    password = make_url(settings.database_url).password
    if password:
        found.append(str(password))
    return found


def formatter_for(settings: Settings) -> logging.Formatter:
    redact = Redactor(secrets_of(settings))
    return JsonFormatter(redact) if settings.log_format == "json" else TextFormatter(redact)


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    """Replace the root logger's handlers by one writing to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(settings))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, level))
    return handler
