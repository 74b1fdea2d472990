"""The one place that builds the services an update needs, on that update's session.

The composition root (`bot.app.Application.create`) makes one `ServiceFactory` from the
long-lived objects; a middleware asks it for an `UpdateServices` per update and hands each field
to handlers as a keyword argument of the same name (``faq: FaqService``, ``events: EventService``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.staff import StaffDeskService
from bot.services.desk.tickets import DeskContext, DeskService
from bot.services.events.notices import EventTexts
from bot.services.events.service import EventService
from bot.services.events.subscriptions import SubscriptionService
from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.editor import FaqEditor
from bot.services.faq.service import FaqService
from bot.services.privacy import PrivacyService, Pseudonyms
from bot.services.profile import ProfileService


@dataclass(frozen=True, slots=True)
class UpdateServices:
    """Field names are the handler parameter names."""

    profile: ProfileService
    privacy: PrivacyService
    faq: FaqService
    faq_editor: FaqEditor
    events: EventService
    subscriptions: SubscriptionService
    desk: DeskService
    desk_staff: StaffDeskService
    consultants: ConsultantAdmin

    def as_kwargs(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class ServiceFactory:
    settings: Settings
    clock: Clock
    outbox: Outbox
    faq_catalog: FaqCatalog
    event_texts: EventTexts
    pseudonyms: Pseudonyms
    desk: DeskContext

    def for_session(self, session: AsyncSession) -> UpdateServices:
        return UpdateServices(
            profile=ProfileService(session),
            privacy=PrivacyService(session, self.pseudonyms),
            faq=FaqService(session, self.faq_catalog, self.clock, self.pseudonyms),
            faq_editor=FaqEditor(session, self.faq_catalog, self.clock, self.settings),
            events=EventService(
                session,
                settings=self.settings,
                clock=self.clock,
                outbox=self.outbox,
                texts=self.event_texts,
            ),
            subscriptions=SubscriptionService(session, self.clock),
            desk=DeskService(session, self.desk),
            desk_staff=StaffDeskService(session, self.desk),
            consultants=ConsultantAdmin(session, self.desk),
        )
