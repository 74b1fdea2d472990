"""Turn an FAQ entry into the Telegram HTML message sent to the user."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from bot.services.faq.markup import (
    BUTTON_PLACEHOLDER_RE,
    MRP_PLACEHOLDER_RE,
    TELEGRAM_TEXT_LIMIT,
    rendered_length,
    trim_html,
)
from bot.services.faq.models import FaqEntry, Lang

__all__ = ["format_mrp", "mrp_year", "render_answer", "rendered_length"]

# No-break spaces keep "28 112,5 ₸" on one line in Telegram's narrow bubbles.
_NBSP: Final = "\u00a0"
_MRP_NAME: Final[Mapping[str, str]] = {"ru": "МРП", "kk": "АЕК"}
_YEAR_SUFFIX: Final[Mapping[str, str]] = {"ru": "", "kk": " ж."}
_SOURCES_LABEL: Final[Mapping[str, str]] = {"ru": "Источники", "kk": "Дереккөздер"}
_VERIFIED_LABEL: Final[Mapping[str, str]] = {"ru": "Проверено", "kk": "Тексерілген күні"}
# Room left for the footer at most; the answer itself always keeps the rest.
_FOOTER_BUDGET: Final = 1500


def _format_number(value: Decimal) -> str:
    """Russian/Kazakh style: groups of three split by a no-break space, decimal comma."""
    value = value.quantize(Decimal("0.01"))
    whole, _, frac = f"{value:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    frac = frac.rstrip("0")
    return sign + _NBSP.join(groups or ["0"]) + ("," + frac if frac else "")


def mrp_year(mrp: Mapping[int, int], today: date) -> int | None:
    """The year whose MRP applies today: this year, else the latest earlier known year."""
    if not mrp:
        return None
    if today.year in mrp:
        return today.year
    earlier = [year for year in mrp if year <= today.year]
    return max(earlier) if earlier else min(mrp)


def format_mrp(amount: str, lang: Lang, *, mrp: Mapping[int, int], today: date) -> str:
    """``"6.5"`` → ``"6,5 МРП (28 112,5 ₸, 2026)"`` (ru) / ``"6,5 АЕК (28 112,5 ₸, 2026 ж.)"``."""
    count = Decimal(amount.replace(",", "."))
    label = f"{_format_number(count)}{_NBSP}{_MRP_NAME[lang]}"
    year = mrp_year(mrp, today)
    if year is None:
        return label
    tenge = _format_number(count * mrp[year])
    return f"{label} ({tenge}{_NBSP}₸, {year}{_YEAR_SUFFIX[lang]})"


def _footer(entry: FaqEntry, lang: Lang, max_sources: int) -> str:
    lines = [f"<b>{_SOURCES_LABEL[lang]}:</b>"] if entry.sources and max_sources else []
    for source in entry.sources[:max_sources]:
        url = html.escape(source.url_in(lang), quote=True)
        lines.append(f'• <a href="{url}">{html.escape(source.title_in(lang), quote=False)}</a>')
    lines.append(f"<i>{_VERIFIED_LABEL[lang]}: {entry.verified_on:%d.%m.%Y}</i>")
    return "\n".join(lines)


def _button_label(name: str, buttons: Mapping[str, str]) -> str:
    label = buttons.get(name)
    if label is None:
        raise ValueError(f"no label given for {{button:{name}}}")
    return f"<b>{html.escape(label, quote=False)}</b>"


def render_answer(
    entry: FaqEntry,
    lang: Lang,
    *,
    mrp: Mapping[int, int],
    today: date,
    buttons: Mapping[str, str],
    limit: int = TELEGRAM_TEXT_LIMIT,
) -> str:
    """The answer in ``lang`` as Telegram HTML, placeholders expanded, sources and date appended.

    ``buttons`` maps the names of :data:`~bot.services.faq.markup.BUTTON_NAMES` to the labels
    the user's keyboards show; ``{button:NAME}`` becomes that label in bold.

    The result never exceeds ``limit`` (Telegram's 4096 characters; less leaves room for
    what the caller adds): too many sources are dropped first, then the answer body is cut at a
    safe point with its open tags closed.
    """
    body = MRP_PLACEHOLDER_RE.sub(
        lambda m: format_mrp(m.group(1), lang, mrp=mrp, today=today), entry.answer[lang]
    )
    body = BUTTON_PLACEHOLDER_RE.sub(lambda m: _button_label(m.group(1), buttons), body)
    max_sources = len(entry.sources)
    footer = _footer(entry, lang, max_sources)
    while max_sources > 1 and rendered_length(footer) > _FOOTER_BUDGET:
        max_sources -= 1
        footer = _footer(entry, lang, max_sources)
    separator = "\n\n"
    budget = limit - rendered_length(footer) - len(separator)
    return trim_html(body, budget) + separator + footer
