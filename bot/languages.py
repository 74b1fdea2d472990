"""The bot's two languages, as plain data: services need them without the i18n machinery."""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["kk", "ru"]
LANGUAGES: Final[tuple[Lang, ...]] = ("kk", "ru")
DEFAULT_LANGUAGE: Final[Lang] = "ru"


def as_lang(language: str | None) -> Lang:
    """A stored or guessed language as one of ours; anything else reads Russian."""
    return "kk" if language == "kk" else "ru"
