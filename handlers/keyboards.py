"""Keyboards shared across handlers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGES
from bot.regions import CITIES, REGIONS
from handlers.callbacks import LanguageCb, MenuCb, RegionCb

# Each language is offered in its own name, so a user who reads only one of them finds it.
LANGUAGE_NAMES = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский"}
SKIP_REGION = "-"


def language_keyboard(*, onboarding: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in LANGUAGES:
        builder.button(
            text=LANGUAGE_NAMES[code], callback_data=LanguageCb(code=code, onboarding=onboarding)
        )
    if not onboarding:
        builder.button(text=_("⬅️ Back"), callback_data=MenuCb(action="main"))
    builder.adjust(2, 1)
    return builder.as_markup()


def region_keyboard(*, onboarding: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in {**CITIES, **REGIONS}.items():
        builder.button(text=str(name), callback_data=RegionCb(code=code, onboarding=onboarding))
    builder.adjust(3, *([2] * 9))
    skip_text = _("Skip") if onboarding else _("All of Kazakhstan")
    builder.row()
    builder.button(text=skip_text, callback_data=RegionCb(code=SKIP_REGION, onboarding=onboarding))
    if not onboarding:
        builder.button(text=_("⬅️ Back"), callback_data=MenuCb(action="main"))
    return builder.as_markup()


def main_menu_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📚 Questions and answers"), callback_data=MenuCb(action="faq"))
    builder.button(text=_("📅 Events and deadlines"), callback_data=MenuCb(action="events"))
    builder.button(text=_("🔔 Reminders"), callback_data=MenuCb(action="subs"))
    builder.button(text=_("📍 My region"), callback_data=MenuCb(action="region"))
    builder.button(text=_("🌐 Language"), callback_data=MenuCb(action="lang"))
    builder.button(text=_("ℹ️ Help"), callback_data=MenuCb(action="help"))
    builder.adjust(1, 1, 2, 2)
    return builder.as_markup()


def back_to_menu_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🏠 Main menu"), callback_data=MenuCb(action="main"))
    return builder.as_markup()
