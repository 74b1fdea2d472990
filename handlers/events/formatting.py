"""Event texts in the current gettext locale: cards, list lines, reminders and notices.

Call inside an i18n context (a handler, or `handlers.events.notices` for a proactive message).
Admin-entered text is escaped here, once.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date

from bot.regions import region_name
from bot.services.events.model import STATUS_CANCELLED
from db.repositories.events import EventDTO

CATEGORY_EMOJI = {
    "forum": "🏛",
    "seminar": "🎓",
    "grant-round": "💰",
    "reporting-deadline": "📝",
    "other": "📌",
}


class Timed(Protocol):
    """An event or a draft: anything with a start, an optional end and the all-day flag."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def all_day(self) -> bool: ...


def category_name(category: str) -> str:
    names = {
        "forum": _("Forums"),
        "seminar": _("Seminars"),
        "grant-round": _("Grant rounds"),
        "reporting-deadline": _("Reporting deadlines"),
        "other": _("Other events"),
    }
    return names.get(category, category)


def _date(moment: datetime, lang: str, tz: ZoneInfo, style: str = "long") -> str:
    return format_date(moment.astimezone(tz).date(), style, locale=lang)


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def format_when(event: Timed, lang: str, tz: ZoneInfo) -> str:
    """`31 марта 2026 г., 10:00–12:00`; an all-day deadline shows its date only."""
    start = event.starts_at
    if event.all_day:
        text = _date(start, lang, tz)
        if event.ends_at is not None:
            last_day = event.ends_at - timedelta(days=1)
            if last_day.astimezone(tz).date() > start.astimezone(tz).date():
                text += " – " + _date(last_day, lang, tz)
        return text
    text = f"{_date(start, lang, tz)}, {_clock(start, tz)}"
    end = event.ends_at
    if end is not None:
        if end.astimezone(tz).date() == start.astimezone(tz).date():
            text += f"–{_clock(end, tz)}"
        else:
            text += f" – {_date(end, lang, tz)}, {_clock(end, tz)}"
    return text


def short_when(event: EventDTO, lang: str, tz: ZoneInfo) -> str:
    day = format_date(event.starts_at.astimezone(tz).date(), "d MMM", locale=lang)
    return day if event.all_day else f"{day} {_clock(event.starts_at, tz)}"


def list_line(event: EventDTO, lang: str, tz: ZoneInfo) -> str:
    """`15 дек. 10:00 · 🎓 Full title`: the date first, the whole title (escaped)."""
    mark = "❌" if event.status == STATUS_CANCELLED else CATEGORY_EMOJI.get(event.category, "📌")
    return f"{short_when(event, lang, tz)} · {mark} {html.escape(event.title(lang))}"


def where_lines(place: str | None, url: str | None) -> list[str]:
    lines = []
    if place:
        lines.append(f"📍 {html.escape(place)}")
    if url:
        lines.append(f"🔗 {html.escape(url)}")
    return lines


def region_label(region: str | None, lang: str) -> str:
    return region_name(region, lang) or _("All of Kazakhstan")


def event_card(event: EventDTO, lang: str, tz: ZoneInfo) -> str:
    emoji = CATEGORY_EMOJI.get(event.category, "📌")
    lines = [f"{emoji} <b>{html.escape(event.title(lang))}</b>"]
    if event.status == STATUS_CANCELLED:
        lines.append(_("❌ <b>Cancelled</b>"))
    lines.append(f"🗓 {format_when(event, lang, tz)}")
    lines.extend(where_lines(event.place, event.url))
    lines.append(f"🌍 {html.escape(region_label(event.region, lang))}")
    lines.append(f"🏷 {category_name(event.category)}")
    description = event.description(lang)
    if description:
        lines.extend(["", html.escape(description)])
    return "\n".join(lines)


def _half_up(value: float) -> int:
    # round() rounds 14.5 to 14 (to even); people expect 15.
    return int(value + 0.5)


def time_left(event: EventDTO, now: datetime, tz: ZoneInfo) -> str:
    """ "in 7 days", "tomorrow", "today", "in 3 hours": measured at sending time, so a late
    reminder after downtime still tells the truth. A day or more away counts calendar days,
    which reads naturally (09:00 today for 23:30 tomorrow is "tomorrow")."""
    days = (event.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    left = event.starts_at - now
    if event.all_day or (left >= timedelta(hours=20) and days >= 1):
        if days <= 0:
            return _("today")
        if days == 1:
            return _("tomorrow")
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    if left >= timedelta(minutes=55):
        hours = max(1, _half_up(left / timedelta(hours=1)))
        return ngettext("in {n} hour", "in {n} hours", hours).format(n=hours)
    minutes = max(1, _half_up(left / timedelta(minutes=1)))
    return ngettext("in {n} minute", "in {n} minutes", minutes).format(n=minutes)


def reminder_text(event: EventDTO, lang: str, tz: ZoneInfo, now: datetime) -> str:
    if event.all_day:
        head = _("🔔 <b>Deadline {when}</b>").format(when=time_left(event, now, tz))
    else:
        head = _("🔔 <b>Reminder: {when}</b>").format(when=time_left(event, now, tz))
    lines = [head, "", f"<b>{html.escape(event.title(lang))}</b>"]
    lines.append(f"🗓 {format_when(event, lang, tz)}")
    lines.extend(where_lines(event.place, event.url))
    return "\n".join(lines)


def change_notice(event: EventDTO, previous: EventDTO, lang: str, tz: ZoneInfo) -> str:
    lines = [
        _("✏️ <b>Event changed</b>"),
        "",
        f"<b>{html.escape(event.title(lang))}</b>",
        _("🗓 Now: {when}").format(when=format_when(event, lang, tz)),
    ]
    old_when = format_when(previous, lang, tz)
    if old_when != format_when(event, lang, tz):
        lines.append(_("Was: {when}").format(when=old_when))
    lines.extend(where_lines(event.place, event.url))
    return "\n".join(lines)


def cancel_notice(event: EventDTO, lang: str, tz: ZoneInfo) -> str:
    return "\n".join(
        [
            _("❌ <b>Event cancelled</b>"),
            "",
            f"<b>{html.escape(event.title(lang))}</b>",
            _("It was planned for {when}.").format(when=format_when(event, lang, tz)),
        ]
    )


def offset_phrase(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("{n} day", "{n} days", days).format(n=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def offsets_text(offsets: tuple[int, ...]) -> str:
    return ", ".join(offset_phrase(m) for m in sorted(offsets, reverse=True))
