"""What the bot tells people about events on its own: reminders and change/cancel notices.

Implements `bot.services.events.notices.EventTexts`: the services decide who hears what and
queue it; this view renders it in each recipient's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.delivery.messages import Button, Keyboard, MessageContent
from db.repositories.events import EventDTO
from handlers.events import formatting
from handlers.events.callbacks import EventCb


class EventNoticeTexts:
    def __init__(self, i18n: I18n, tz: ZoneInfo) -> None:
        self._i18n = i18n
        self._tz = tz

    @contextmanager
    def _speaking(self, language: str) -> Iterator[None]:
        with self._i18n.context(), self._i18n.use_locale(language):
            yield

    def _buttons(self, event_id: int) -> Keyboard:
        return (
            (
                Button(_("ℹ️ Details"), callback_data=EventCb(action="show", id=event_id).pack()),
                Button(
                    _("📅 Add to calendar"), callback_data=EventCb(action="ics", id=event_id).pack()
                ),
            ),
        )

    def reminder(self, event: EventDTO, language: str, now: datetime) -> MessageContent:
        with self._speaking(language):
            text = formatting.reminder_text(event, language, self._tz, now)
            return MessageContent(text, self._buttons(event.id))

    def change_notice(self, current: EventDTO, previous: EventDTO, language: str) -> MessageContent:
        with self._speaking(language):
            text = formatting.change_notice(current, previous, language, self._tz)
            return MessageContent(text, self._buttons(current.id))

    def cancel_notice(self, event: EventDTO, language: str) -> MessageContent:
        # No buttons: there is nothing to add to a calendar or to be reminded of.
        with self._speaking(language):
            return MessageContent(formatting.cancel_notice(event, language, self._tz))
