"""Every message the code can show exists in Kazakh and Russian, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.catalogue import LOCALES_DIR
from bot.i18n import create_i18n
from bot.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "__": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:![rsa])?(?::[^}]*)?\}")
TAG = re.compile(r"</?([a-z-]+)")
PLURAL_FORMS = {"kk": 2, "ru": 3}


def code_messages() -> dict[str, str | tuple[str, str]]:
    found: dict[str, str | tuple[str, str]] = {}
    for package in ("bot", "handlers"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS
        ):
            key = message if isinstance(message, str) else message[0]
            found[key] = message if isinstance(message, str) else (message[0], message[1])
    return found


def catalogue(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def shape(text: str) -> tuple[list[str], list[str]]:
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


MESSAGES = code_messages()


def test_code_has_messages() -> None:
    assert len(MESSAGES) > 40


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_same_placeholders(language: str) -> None:
    cat = catalogue(language)
    problems = []
    for key, message in MESSAGES.items():
        entry = cat.get(message)
        if entry is None:
            problems.append(f"missing: {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if isinstance(message, str):
            translations = [entry.string] if isinstance(entry.string, str) else []
            sources = [message]
        else:
            translations = [str(form) for form in entry.string or ()]
            sources = [message[0]] + [message[1]] * (len(translations) - 1)
            if len(translations) != PLURAL_FORMS[language]:
                problems.append(f"plural forms {len(translations)}: {key!r}")
        for source, translation in zip(sources, translations, strict=False):
            if not translation or not translation.strip():
                problems.append(f"empty: {key!r}")
            elif shape(source) != shape(translation):
                problems.append(f"placeholders or tags differ: {key!r} -> {translation!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogues_are_used() -> None:
    i18n = create_i18n()
    assert set(i18n.available_locales) == set(LANGUAGES)
    assert i18n.gettext("⬅️ Back", locale="kk") == "⬅️ Артқа"
    assert i18n.gettext("⬅️ Back", locale="ru") == "⬅️ Назад"


def test_russian_has_three_plural_forms_and_kazakh_two() -> None:
    assert catalogue("ru").num_plurals == 3
    assert catalogue("kk").num_plurals == 2
