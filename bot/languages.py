"""The bot's two languages, as plain data: services need them without the i18n machinery."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

Lang = Literal["kk", "ru"]
LANGUAGES: Final[tuple[Lang, ...]] = ("kk", "ru")
DEFAULT_LANGUAGE: Final[Lang] = "ru"
# gettext catalogues and the FAQ knowledge base live here.
LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"


def as_lang(language: str | None) -> Lang:
    """A stored or guessed language as one of ours; anything else reads Russian."""
    return "kk" if language == "kk" else "ru"
