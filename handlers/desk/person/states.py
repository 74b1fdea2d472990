"""The windows of the ask dialog (aiogram-dialog states)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class AskDialog(StatesGroup):
    write = State()  # messages of the question, as many as the person likes
    suggest = State()  # up to three FAQ answers that may already answer it
    topic = State()
    summary = State()
    drop = State()  # "delete this unfinished question?"


class DeskFeedback(StatesGroup):
    comment = State()  # an optional comment after the stars
