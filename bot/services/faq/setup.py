"""Wiring: the FAQ service in the Dispatcher's workflow data, synced with the YAML at start-up."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LOCALES_DIR
from bot.services.faq.service import FaqService

log = logging.getLogger(__name__)

KNOWLEDGE_BASE_DIR: Final = LOCALES_DIR / "faq"
WORKFLOW_KEY: Final = "faq"


def setup_faq(dispatcher: Dispatcher, *, kb_path: Path | None = None) -> FaqService:
    """Make ``faq: FaqService`` available to handlers; sync the database on start-up.

    Call after ``create_dispatcher`` (it reads ``settings`` and ``clock`` from the workflow
    data). The service is published at once and filled by the start-up hook, which aiogram runs
    before the first update is handled.
    """
    settings: Settings = dispatcher["settings"]
    clock: Clock = dispatcher["clock"]
    # Looked up at call time, so tests and demos can point it at another directory.
    service = FaqService(kb_path or KNOWLEDGE_BASE_DIR, clock=clock, tz=settings.tz)
    dispatcher[WORKFLOW_KEY] = service

    async def sync_faq_knowledge_base(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        async with sessionmaker() as session:
            await service.sync_from_files(session)
            await session.commit()
        log.info(
            "FAQ: %d categories, %d entries", len(service.categories()), len(service.knowledge_base)
        )

    dispatcher.startup.register(sync_faq_knowledge_base)
    return service
