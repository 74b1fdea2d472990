"""Callback data factories; prefixes are short because callback_data is at most 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """A main-menu item: `main`, `faq`, `events`, `subs`, `region`, `lang`, `help`, `admin`,
    `ask` (a question to a consultant), `my` (the person's questions); `subs_region` is the
    region picker opened from Reminders (it returns there)."""

    action: str


# The region picker opened from Reminders: a choice there returns to Reminders.
REGION_FROM_REMINDERS = "subs_region"


class AdminCb(CallbackData, prefix="ad"):
    """An /admin section: `menu` (back to the admin menu); each area adds its own (e.g. the
    desk's consultants, broadcasts, the FAQ's questions without a good answer)."""

    section: str


class LanguageCb(CallbackData, prefix="lg"):
    code: str
    onboarding: bool = False


class RegionCb(CallbackData, prefix="rg"):
    code: str
    onboarding: bool = False


class RegionBackCb(CallbackData, prefix="rgb"):
    """A region chosen on the picker opened from another screen than the main menu; ``back``
    names that screen (a ``MenuCb`` action: ``subs`` is Reminders), where the choice returns."""

    code: str
    back: str
