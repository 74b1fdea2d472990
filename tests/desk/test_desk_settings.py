"""The desk's settings: defaults, values from the environment, one clear line for a wrong one."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import SettingsError, load_settings
from bot.services.desk.schedule import ALWAYS, Span

DESK_VARIABLES = (
    "DESK_HOURS",
    "DESK_CLOSED_DAYS",
    "SLA_UNCLAIMED",
    "SLA_ANSWER",
    "DESK_MAX_OPEN",
    "DESK_AUTO_ASSIGN",
    "DESK_USER_MAX_OPEN",
    "CONSULTANTS_CHAT_ID",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DESK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.desk_hours.days == ((Span(9 * 60, 18 * 60),),) * 5 + ((), ())
    assert settings.desk_closed_days == frozenset()
    assert (settings.sla_unclaimed, settings.sla_answer) == (2.0, 4.0)
    assert settings.desk_max_open == 10
    assert settings.desk_auto_assign is True
    assert settings.desk_user_max_open == 3
    assert settings.consultants_chat_id is None


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_HOURS", "Mon-Fri 09:00-18:00; Sat 10:00-14:00")
    monkeypatch.setenv("DESK_CLOSED_DAYS", "31.12.2026, 2027-01-05")
    monkeypatch.setenv("SLA_UNCLAIMED", "1.5")
    monkeypatch.setenv("SLA_ANSWER", "8")
    monkeypatch.setenv("DESK_MAX_OPEN", "25")
    monkeypatch.setenv("DESK_AUTO_ASSIGN", "false")
    monkeypatch.setenv("DESK_USER_MAX_OPEN", "1")
    monkeypatch.setenv("CONSULTANTS_CHAT_ID", " -1001234567890 ")
    settings = load_settings(_env_file=None)
    assert settings.desk_hours.spans_on(5) == (Span(10 * 60, 14 * 60),)
    assert settings.desk_closed_days == {date(2026, 12, 31), date(2027, 1, 5)}
    assert (settings.sla_unclaimed, settings.sla_answer) == (1.5, 8.0)
    assert settings.desk_max_open == 25
    assert settings.desk_auto_assign is False
    assert settings.desk_user_max_open == 1
    assert settings.consultants_chat_id == -1001234567890


def test_always_and_an_empty_group_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_HOURS", "always")
    monkeypatch.setenv("CONSULTANTS_CHAT_ID", "")
    settings = load_settings(_env_file=None)
    assert settings.desk_hours is ALWAYS
    assert settings.consultants_chat_id is None
    assert settings.model_dump()["desk_hours"] == "always"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DESK_HOURS", "Mon-Fri 9-18", "Invalid setting DESK_HOURS: '9' is not a time of day"),
        ("DESK_HOURS", "weekdays", "Invalid setting DESK_HOURS: cannot read 'weekdays'"),
        ("DESK_CLOSED_DAYS", "31.02.2027", "Invalid setting DESK_CLOSED_DAYS: '31.02.2027'"),
        ("SLA_UNCLAIMED", "0", "Invalid setting SLA_UNCLAIMED: "),
        ("SLA_UNCLAIMED", "two", "Invalid setting SLA_UNCLAIMED: "),
        ("SLA_ANSWER", "-4", "Invalid setting SLA_ANSWER: "),
        ("DESK_MAX_OPEN", "0", "Invalid setting DESK_MAX_OPEN: "),
        ("DESK_AUTO_ASSIGN", "sometimes", "Invalid setting DESK_AUTO_ASSIGN: "),
        ("DESK_USER_MAX_OPEN", "1.5", "Invalid setting DESK_USER_MAX_OPEN: "),
        (
            "CONSULTANTS_CHAT_ID",
            "consultants",
            "Invalid setting CONSULTANTS_CHAT_ID: must be the consultants' forum supergroup id",
        ),
        ("CONSULTANTS_CHAT_ID", "123456", "Invalid setting CONSULTANTS_CHAT_ID: must be the"),
    ],
)
def test_wrong_value_is_one_line_naming_the_setting(
    variable: str, value: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)
