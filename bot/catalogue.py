"""The gettext catalogues read directly, for texts needed in a language other than the current one.

aiogram's I18n translates into the language of the update being handled. Some texts are needed in
a language named explicitly, outside any update (region names for sorting and for recognising what
an admin typed in either language, files built for download); they are read here from the same
`.po` files, without aiogram.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translations(lang: str) -> Mapping[str, str]:
    """msgid → translation for one language; empty for a language without a catalogue."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not lang.isalpha() or not path.is_file():
        return {}
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    return {
        str(message.id): message.string
        for message in catalog
        if isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.string
        and not message.fuzzy  # as in the compiled .mo files the bot uses
    }


def translate(msgid: str, lang: str) -> str:
    """The translation of `msgid` into `lang`, or the msgid itself when there is none."""
    return translations(lang).get(msgid, msgid)
