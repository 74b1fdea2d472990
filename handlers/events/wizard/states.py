"""The windows of the event wizard (aiogram-dialog states)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class EventWizard(StatesGroup):
    """One window per field, then a preview; `fields` picks one field to change."""

    category = State()
    title_kk = State()
    title_ru = State()
    description_kk = State()
    description_ru = State()
    start = State()
    end = State()
    location = State()
    region = State()
    preview = State()
    fields = State()
