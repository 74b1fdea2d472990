"""The windows of the FAQ content dialog (aiogram-dialog states)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class FaqContent(StatesGroup):
    """What the FAQ fails on, the drafts, and one draft's editor; each window has a way back."""

    gaps = State()
    drafts = State()
    pick_category = State()
    pick_entry = State()
    draft = State()
    edit = State()
    category = State()
    confirm_publish = State()
    confirm_delete = State()
