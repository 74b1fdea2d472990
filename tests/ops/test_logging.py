"""Logs: JSON lines when asked; never the token, never what people wrote, no personal data at
INFO; a wrong LOG_FORMAT is one line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.logging_setup import QUIET_LOGGERS, REDACTED, configure_logging
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.repositories.users import UserRepository
from tests.conftest import TEST_TOKEN

USER_ID = 73194285
NAME = "Гаухар"
QUESTION = "Сколько стоит регистрация общественного фонда в Караганде?"
SECOND_TEXT = "спасибо, а где найти образец устава фонда"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)


def json_lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.usefixtures("restore_logging")
async def test_a_full_scenario_at_debug_logs_no_token_and_no_message_text(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    settings = settings.model_copy(update={"log_level": "DEBUG", "log_format": "json"})
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        user = telegram.user(USER_ID, NAME, language_code="ru")
        await user.send("/start")
        await user.wait_for(lambda m: m.has_buttons)
        await user.press("Русский")
        await user.wait_text("В каком регионе")
        await user.press("Карагандинская область")
        await user.wait_text("Главное меню")
        await user.send(QUESTION)
        await user.next_message()
        await user.send(SECOND_TEXT)
        await user.next_message()
        await user.send("/forget")
        await user.wait_text("Удалить ваши данные?")
        await user.press("Да, удалить")
        await user.wait_text("Ваши данные удалены")

        async def forgotten() -> bool:
            async with running.app.sessionmaker() as session:
                return await UserRepository(session).get(USER_ID) is None

        await eventually(forgotten, what="the user forgotten")
    finally:
        await running.stop()

    lines = json_lines(stream)
    assert any(line["level"] == "DEBUG" for line in lines)  # DEBUG really was on
    handled = [line for line in lines if line["message"].startswith("Update id=")]
    assert len(handled) >= 7  # every update of the scenario was logged
    for line in lines:
        assert set(line) <= {"time", "level", "logger", "message", "exception", "stack"}
        assert line["time"].endswith("+00:00")
    everything = stream.getvalue()
    assert TEST_TOKEN not in everything
    assert TEST_TOKEN.split(":")[1] not in everything
    for text in (QUESTION, SECOND_TEXT, "Караганде", "образец устава"):
        assert text not in everything
    at_info = json.dumps([line for line in lines if line["level"] != "DEBUG"], ensure_ascii=False)
    assert str(USER_ID) not in at_info
    assert NAME not in at_info


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_the_exception_and_redact_secrets() -> None:
    settings = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url="postgresql+asyncpg://kenes:pa55word@db/kenes",
        log_format="json",
    )
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    log = logging.getLogger("kenes.test")
    log.info("calling %s", f"https://api.telegram.org/bot{TEST_TOKEN}/getMe")
    try:
        raise ConnectionError(f"cannot reach postgresql://kenes:pa55word@db and bot{TEST_TOKEN}")
    except ConnectionError:
        log.exception("it failed")
    log.debug("not shown at INFO")
    first, second = json_lines(stream)
    assert first["level"] == "INFO" and first["logger"] == "kenes.test"
    assert first["message"] == f"calling https://api.telegram.org/bot{REDACTED}/getMe"
    assert second["message"] == "it failed"
    assert "ConnectionError" in second["exception"]
    assert "pa55word" not in second["exception"] and TEST_TOKEN not in second["exception"]


@pytest.mark.usefixtures("restore_logging")
def test_text_format_is_the_default_and_redacts_too() -> None:
    settings = Settings(_env_file=None, bot_token=TEST_TOKEN)
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    logging.getLogger("kenes.test").warning("token %s", TEST_TOKEN)
    line = stream.getvalue().strip()
    assert line.endswith(f"WARNING kenes.test: token {REDACTED}")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOG_FORMAT", "xml"),
        ("LOG_LEVEL", "LOUD"),
        ("METRICS_PORT", "http"),
        ("METRICS_PORT", "70000"),
        ("RETENTION_DAYS", "0"),
    ],
)
def test_wrong_operations_setting_is_one_line(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(f"Invalid setting {variable}:")
    assert "\n" not in str(error.value)


def test_operations_settings_defaults_and_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOG_FORMAT", "LOG_LEVEL", "METRICS_PORT", "METRICS_HOST", "RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert (settings.log_format, settings.log_level) == ("text", "INFO")
    assert (settings.metrics_host, settings.metrics_port) == ("127.0.0.1", None)
    assert settings.retention_days == 180
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("METRICS_PORT", "")
    settings = load_settings(_env_file=None)
    assert (settings.log_format, settings.log_level, settings.metrics_port) == (
        "json",
        "DEBUG",
        None,
    )
