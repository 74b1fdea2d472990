"""What each window of the event wizard shows, computed in the admin's language."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from bot.clock import Clock
from bot.config import Settings
from bot.regions import regions_for
from bot.services.events.examples import date_examples
from bot.services.events.model import CATEGORIES, EventInputError
from handlers.events import admin_views, formatting
from handlers.events.errors_text import input_error_text
from handlers.events.wizard.fields import (
    STEP_BY_STATE,
    STEPS,
    complete_draft,
    field_title,
    step_prompt,
)
from handlers.screens import user_language

Data = dict[str, Any]


def _deps(manager: DialogManager) -> tuple[Settings, Clock]:
    data = manager.middleware_data
    return data["settings"], data["clock"]


def _mode(manager: DialogManager) -> str:
    return str(manager.dialog_data.get("mode", "create"))


def _nav(manager: DialogManager) -> Data:
    jump = bool(manager.dialog_data.get("jump"))
    first = manager.current_context().state == STEPS[0].state
    return {
        "can_back": not (first and not jump),
        "editing": _mode(manager) == "edit",
        "creating": _mode(manager) == "create",
    }


async def step_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    settings, clock = _deps(dialog_manager)
    step = STEP_BY_STATE[dialog_manager.current_context().state.state]
    data = dialog_manager.dialog_data
    lines = []
    error = data.get("error")
    if error:
        lines += [str(error), ""]
    if _mode(dialog_manager) == "create" and not data.get("jump"):
        header = _("<b>New event</b> · step {n} of {total}").format(
            n=STEPS.index(step) + 1, total=len(STEPS)
        )
    else:
        header = _("<b>Editing</b> · {field}").format(field=field_title(step.name))
    lines += [header, step_prompt(step, date_examples(clock.now(), settings.tz))]
    lang = user_language()
    return {
        "text": "\n".join(lines),
        "optional": step.optional,
        "categories": [
            (c, f"{formatting.CATEGORY_EMOJI[c]} {formatting.category_name(c)}") for c in CATEGORIES
        ],
        "regions": [("-", _("🇰🇿 All of Kazakhstan")), *regions_for(lang)],
        **_nav(dialog_manager),
    }


async def preview_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    settings, _clock = _deps(dialog_manager)
    draft = complete_draft(dialog_manager.dialog_data["draft"])
    text = _("👀 <b>Preview</b>: check everything, then save.") + "\n\n"
    text += admin_views.bilingual_text(draft, lang=user_language(), tz=settings.tz)
    return {"text": text, **_nav(dialog_manager)}


async def fields_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    return {
        "text": _("✏️ Which field do you want to change?"),
        "fields": [(step.name, field_title(step.name)) for step in STEPS],
        **_nav(dialog_manager),
    }


def error_text(error: EventInputError, manager: DialogManager) -> str:
    settings, clock = _deps(manager)
    return input_error_text(error, date_examples(clock.now(), settings.tz))
