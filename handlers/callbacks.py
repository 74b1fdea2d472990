"""Callback data factories; prefixes are short because callback_data is at most 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """A main-menu item: `main`, `faq`, `events`, `subs`, `region`, `lang`, `help`, `admin`."""

    action: str


class LanguageCb(CallbackData, prefix="lg"):
    code: str
    onboarding: bool = False


class RegionCb(CallbackData, prefix="rg"):
    code: str
    onboarding: bool = False
