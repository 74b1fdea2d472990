"""FSM states of the events area."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class EventCreate(StatesGroup):
    """The guided dialog, one state per question, then a preview to confirm."""

    category = State()
    title_kk = State()
    title_ru = State()
    description_kk = State()
    description_ru = State()
    start = State()
    end = State()
    location = State()
    region = State()
    confirm = State()


class EventEdit(StatesGroup):
    """Edit an existing event: pick a field, give the new value, confirm the preview."""

    field = State()
    value = State()
    confirm = State()


class EventImport(StatesGroup):
    waiting_file = State()
