"""gettext catalogues: compiled from `.po` on start-up, picked per user from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.catalogue import DOMAIN, LOCALES_DIR
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DOMAIN", "LOCALES_DIR", "UserLanguageMiddleware", "compile_catalogues", "create_i18n"]


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Build every stale `.mo` from its `.po`; returns the files written."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)
        written.append(mo_path)
    return written


def create_i18n(locales_dir: Path = LOCALES_DIR) -> I18n:
    compile_catalogues(locales_dir)
    return I18n(path=locales_dir, default_locale=DEFAULT_LANGUAGE, domain=DOMAIN)


def guess_language(telegram_code: str | None) -> str | None:
    """Telegram's language_code is only a first guess; None means: ask."""
    if not telegram_code:
        return None
    code = telegram_code.lower().split("-")[0]
    return code if code in LANGUAGES else None


class UserLanguageMiddleware(I18nMiddleware):
    """The stored choice wins; otherwise Telegram's language_code; otherwise Russian."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        db_user = data.get("db_user")
        if db_user is not None and db_user.language:
            return str(db_user.language)
        tg_user: User | None = data.get("event_from_user")
        return guess_language(tg_user.language_code if tg_user else None) or DEFAULT_LANGUAGE
