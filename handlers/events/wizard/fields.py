"""The fields of the event wizard: how each is asked, read and kept in the dialog's data.

Dialog data is JSON (the storage is a database), so the draft travels as plain values and times
as ISO strings; `complete_draft` turns it back into a checked EventDraft.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.fsm.state import State
from aiogram.utils.i18n import gettext as _

from bot.services.events.examples import DateExamples
from bot.services.events.model import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    EventDraft,
    EventInputError,
    check_category,
    check_period,
    check_region,
    check_text,
    split_location,
)
from bot.services.events.timeparse import check_future, is_skip, parse_end, parse_local
from handlers.events.wizard.states import EventWizard

TIME_FIELDS = ("starts_at", "ends_at")


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # the field as offered in the edit menu
    state: State  # the wizard's window that asks it
    buttons: bool = False  # answered with buttons (category, region), not text
    optional: bool = False  # offers "Skip"


STEPS: tuple[Step, ...] = (
    Step("category", EventWizard.category, buttons=True),
    Step("title_kk", EventWizard.title_kk),
    Step("title_ru", EventWizard.title_ru),
    Step("description_kk", EventWizard.description_kk),
    Step("description_ru", EventWizard.description_ru),
    Step("start", EventWizard.start),
    Step("end", EventWizard.end, optional=True),
    Step("location", EventWizard.location, optional=True),
    Step("region", EventWizard.region, buttons=True),
)
STEP_BY_NAME = {step.name: step for step in STEPS}
STEP_BY_STATE = {step.state.state: step for step in STEPS}


def step_prompt(step: Step, examples: DateExamples) -> str:
    prompts = {
        "category": _("Choose the category:"),
        "title_kk": _("Send the title in <b>Kazakh</b> (up to {limit} characters).").format(
            limit=TITLE_MAX
        ),
        "title_ru": _("Send the title in <b>Russian</b> (up to {limit} characters).").format(
            limit=TITLE_MAX
        ),
        "description_kk": _(
            "Send the description in <b>Kazakh</b> (up to {limit} characters)."
        ).format(limit=DESCRIPTION_MAX),
        "description_ru": _(
            "Send the description in <b>Russian</b> (up to {limit} characters)."
        ).format(limit=DESCRIPTION_MAX),
        "start": _(
            "When does it start? Send the local date and time as <b>DD.MM.YYYY HH:MM</b>, "
            "e.g. {example}. For an all-day deadline send only the date, e.g. {example_date}."
        ).format(example=examples.start, example_date=examples.date),
        "end": _(
            "When does it end? Send <b>DD.MM.YYYY HH:MM</b>, a time on the same day "
            "(<b>HH:MM</b>, e.g. {example_time}) or a duration like <b>2h</b>, <b>90m</b>, "
            "<b>3d</b>. Or press Skip."
        ).format(example_time=examples.end_time),
        "location": _(
            "Where? Send the address, or the link for an online event (https://…). Or press Skip."
        ),
        "region": _("Which region is it for?"),
    }
    return prompts[step.name]


def field_title(name: str) -> str:
    titles = {
        "category": _("Category"),
        "title_kk": _("Title (kk)"),
        "title_ru": _("Title (ru)"),
        "description_kk": _("Description (kk)"),
        "description_ru": _("Description (ru)"),
        "start": _("Start"),
        "end": _("End"),
        "location": _("Place or link"),
        "region": _("Region"),
    }
    return titles[name]


def draft_to_data(draft: EventDraft) -> dict[str, Any]:
    data = asdict(draft)
    for name in TIME_FIELDS:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def complete_draft(data: dict[str, Any]) -> EventDraft:
    """The draft from FSM data; KeyError/ValueError when something is missing (stale state)."""
    starts_at = _time(data["starts_at"])
    if starts_at is None:
        raise ValueError("no start")
    return check_period(
        EventDraft(
            category=str(data["category"]),
            title_kk=str(data["title_kk"]),
            title_ru=str(data["title_ru"]),
            description_kk=str(data["description_kk"]),
            description_ru=str(data["description_ru"]),
            starts_at=starts_at,
            all_day=bool(data.get("all_day", False)),
            ends_at=_time(data.get("ends_at")),
            place=data.get("place"),
            url=data.get("url"),
            region=data.get("region"),
        )
    )


def read_text_field(
    name: str, text: str, draft: dict[str, Any], tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """Parse one typed answer into draft changes; raises EventInputError with a precise code."""
    if name in ("title_kk", "title_ru"):
        return {name: check_text(text, TITLE_MAX)}
    if name in ("description_kk", "description_ru"):
        return {name: check_text(text, DESCRIPTION_MAX)}
    if name == "start":
        starts_at, all_day = parse_local(text, tz)
        check_future(starts_at, now, all_day=all_day)
        changes: dict[str, Any] = {"starts_at": starts_at.isoformat(), "all_day": all_day}
        old_start, old_end = _time(draft.get("starts_at")), _time(draft.get("ends_at"))
        if old_start is not None and old_end is not None:
            # Moving an event keeps its length; switching to or from all-day drops the end.
            same_kind = all_day == bool(draft.get("all_day"))
            changes["ends_at"] = (
                (starts_at + (old_end - old_start)).isoformat() if same_kind else None
            )
        return changes
    if name == "end":
        if is_skip(text):
            return {"ends_at": None}
        current_start = _time(draft.get("starts_at"))
        if current_start is None:
            raise EventInputError("empty")
        end = parse_end(text, current_start, bool(draft.get("all_day")), tz)
        return {"ends_at": end.isoformat() if end else None}
    if name == "location":
        if is_skip(text):
            return {"place": None, "url": None}
        place, url = split_location(text)
        return {"place": place, "url": url}
    raise EventInputError("empty")


def read_choice(name: str, value: str) -> dict[str, Any]:
    if name == "category":
        return {"category": check_category(value)}
    if name == "region":
        return {"region": check_region(value)}
    raise EventInputError("empty")
