"""Callback data of the admin screens (the user-facing ones live in bot.services.events)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.services.events.callbacks import EventId, PageNo


class AdminEvCb(CallbackData, prefix="ae"):
    """`menu`, `list`, `card`, `new`, `import`, `edit`, `cancel`, `cancel_ok`, `delete`,
    `delete_ok`."""

    action: str
    id: EventId = 0
    page: PageNo = 0


class DialogCb(CallbackData, prefix="ad"):
    """Buttons inside the create/edit dialogs: `back`, `cancel`, `skip`, `save`, `pick`
    (value: a category or region code), `field` (value: the field to edit)."""

    action: str
    value: str = ""
