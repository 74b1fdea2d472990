"""The FAQ content dialog's sentences, in the admin's language."""

from __future__ import annotations

import html

from aiogram.utils.i18n import gettext as _

from bot.services.faq.editor import EditorError, Field
from bot.services.faq.markup import BUTTON_NAMES, plain_text

FLAGS = {"kk": "🇰🇿", "ru": "🇷🇺"}
PREVIEW_CHARS = 400


def short(text: str, limit: int) -> str:
    """One line of plain text (e.g. a button's label), cut at ``limit`` characters."""
    if "<" in text or "&" in text:
        text = plain_text(text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def quoted(text: str, limit: int = 120) -> str:
    """A short plain-text quote, escaped for Telegram HTML."""
    return html.escape(short(text, limit))


def language_name(lang: str) -> str:
    return _("in Kazakh") if lang == "kk" else _("in Russian")


def field_label(name: str, lang: str | None) -> str:
    flag = FLAGS.get(lang or "", "")
    labels = {
        Field.QUESTION: _("❓ Question {flag}"),
        Field.ANSWER: _("💬 Answer {flag}"),
        Field.PHRASINGS: _("🔎 Phrasings {flag}"),
        Field.SOURCES: _("🔗 Sources"),
        "category": _("📂 Topic"),
    }
    return labels[name].format(flag=flag).strip()


def missing_text(missing: tuple[str, ...]) -> str:
    parts = []
    for item in missing:
        name, _dot, lang = item.partition(".")
        parts.append(field_label(name, lang or None))
    return _("Still to write: {fields}.").format(fields=", ".join(parts))


def error_text(exc: EditorError) -> str:
    if exc.reason == "incomplete":
        return "⚠️ " + missing_text(exc.missing)
    if exc.reason == "invalid":
        problems = "\n".join("• " + html.escape(p) for p in exc.problems[:5])
        return "⚠️ " + _("The entry cannot be published as it is:") + "\n" + problems
    if exc.reason in ("bad_placeholder", "bad_button"):
        return "⚠️ " + placeholder_text(exc)
    messages = {
        "not_admin": _("Only administrators can do this."),
        "no_draft": _("This draft is no longer there: it was published or deleted."),
        "no_entry": _("This entry is no longer in the knowledge base."),
        "no_search": _("This search is no longer in the log."),
        "no_category": _("This topic is no longer in the knowledge base."),
        "empty": _("The text is empty. Send it again, or press Back."),
        "too_long": _("This is too long. Shorten it and send it again."),
        "bad_html": _("Telegram could not show this formatting. Send the text again."),
        "bad_sources": _(
            "Send one source per line, each with a link starting with https:// (at most 10)."
        ),
    }
    return "⚠️ " + messages.get(exc.reason, _("Something went wrong. Try again."))


def placeholder_text(exc: EditorError) -> str:
    """Which field has an insertion the bot cannot fill in, and what may be used instead."""
    name, _dot, lang = (exc.missing[0] if exc.missing else Field.ANSWER).partition(".")
    field = field_label(name, lang or None)
    placeholder = f"<code>{html.escape(exc.placeholder)}</code>"
    names = ", ".join(f"<code>{n}</code>" for n in sorted(BUTTON_NAMES))
    if exc.reason == "bad_button":
        head = _("«{field}» names the button {placeholder}, which the bot does not have.").format(
            field=field, placeholder=placeholder
        )
    else:
        head = _("«{field}» contains {placeholder}, which the bot cannot fill in.").format(
            field=field, placeholder=placeholder
        )
    allowed = _(
        "Only these insertions can be used: {mrp} — an amount in MRP (6.5 is the number of MRP), "
        "{button} — a button of the bot, where NAME is one of: {names}."
    ).format(mrp="<code>{mrp:6.5}</code>", button="<code>{button:NAME}</code>", names=names)
    return "\n".join([head, allowed, _("Correct the answer and send it again.")])


def edit_prompt(name: str, lang: str) -> str:
    language = language_name(lang)
    if name == Field.QUESTION:
        return _("Send the question {language}, as people would ask it.").format(language=language)
    if name == Field.ANSWER:
        return _(
            "Send the answer {language}. Bold, italics and links are kept. Amounts in MRP can "
            "be written as {{mrp:6.5}}."
        ).format(language=language)
    if name == Field.PHRASINGS:
        return _(
            "Send other ways people ask this {language}, one per line. They help the search "
            "find the entry."
        ).format(language=language)
    return _(
        "Send the sources, one per line: a title and a link, e.g.\n"
        "<code>Закон о НКО https://adilet.zan.kz/rus/docs/Z010000142_</code>"
    )
