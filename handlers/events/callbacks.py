"""Callback data of the events area; prefixes are short because callback_data is ≤ 64 bytes."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Bounds make forged data fail to unpack (no handler matches) instead of reaching the database.
EventId = Annotated[int, Field(ge=0, le=2**31 - 1)]
PageNo = Annotated[int, Field(ge=0, le=10_000)]


class EventCb(CallbackData, prefix="ev"):
    """`list` (page), `card` (edit in place), `show` (new message), `ics`, `remind`."""

    action: str
    id: EventId = 0
    page: PageNo = 0


class SubsCb(CallbackData, prefix="sb"):
    """`cat` toggles a category, `region` toggles "only my region"."""

    action: str
    category: str = ""


class AdminEvCb(CallbackData, prefix="ae"):
    """`menu`, `list`, `card`, `new`, `import`, `template`, `edit`, `cancel`, `cancel_ok`,
    `delete`, `delete_ok`."""

    action: str
    id: EventId = 0
    page: PageNo = 0
