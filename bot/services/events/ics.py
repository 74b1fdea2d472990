"""An iCalendar file for one event, so users can put it into their own calendar app."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as IcsEvent

from bot.services.events.model import STATUS_CANCELLED
from bot.services.events.planner import ahead_until
from db.repositories.events import EventDTO

PRODUCT_ID = "-//Kenes//NGO events//KK-RU"
UID_DOMAIN = "kenes.bot"


def ics_filename(event: EventDTO) -> str:
    return f"event-{event.id}.ics"


def build_ics(event: EventDTO, lang: str, tz: ZoneInfo, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = IcsEvent()
    # A stable UID with the revision as SEQUENCE: re-importing after a change updates the entry.
    item.add("uid", f"event-{event.id}@{UID_DOMAIN}")
    item.add("sequence", event.revision)
    item.add("dtstamp", now)
    item.add("summary", event.title(lang))
    if event.all_day:
        # DATE values: calendars show a deadline as a whole day, in the user's own time zone.
        item.add("dtstart", event.starts_at.astimezone(tz).date())
        end = event.ends_at or ahead_until(event.starts_at, True, tz)
        item.add("dtend", end.astimezone(tz).date())
    else:
        item.add("dtstart", event.starts_at)
        if event.ends_at is not None:
            item.add("dtend", event.ends_at)
    description = event.description(lang)
    if event.url:
        description = f"{description}\n\n{event.url}".strip()
        item.add("url", event.url)
    if description:
        item.add("description", description)
    if event.place:
        item.add("location", event.place)
    item.add("status", "CANCELLED" if event.status == STATUS_CANCELLED else "CONFIRMED")
    calendar.add_component(item)
    return bytes(calendar.to_ical())
