"""Keyboards shared across areas: the main menu, language and region pickers, "back"."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.languages import LANGUAGES
from bot.regions import CITY_NAMES, regions_for
from bot.roles import Role
from handlers.callbacks import LanguageCb, MenuCb, RegionBackCb, RegionCb
from handlers.screens import button, grid, keyboard

# Each language is offered in its own name, so a user who reads only one of them finds it.
LANGUAGE_NAMES = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский"}
SKIP_REGION = "-"


def main_menu_label() -> str:
    return _("🏠 Main menu")


def back_label() -> str:
    return _("⬅️ Back")


def language_keyboard(*, onboarding: bool) -> InlineKeyboardMarkup:
    choices = [
        button(LANGUAGE_NAMES[code], LanguageCb(code=code, onboarding=onboarding))
        for code in LANGUAGES
    ]
    back = [] if onboarding else [button(back_label(), MenuCb(action="main"))]
    return keyboard(choices, back)


def region_keyboard(lang: str, *, onboarding: bool, back: str = "") -> InlineKeyboardMarkup:
    """The region picker; ``back`` (a ``MenuCb`` action, e.g. ``subs``) is the screen it was
    opened from, where a choice and Back return; empty: the main menu."""

    def choice(code: str) -> CallbackData:
        if back:
            return RegionBackCb(code=code, back=back)
        return RegionCb(code=code, onboarding=onboarding)

    places = [button(name, choice(code)) for code, name in regions_for(lang)]
    city_row, region_buttons = places[: len(CITY_NAMES)], places[len(CITY_NAMES) :]
    skip_text = _("Skip") if onboarding else _("All of Kazakhstan")
    last = [button(skip_text, choice(SKIP_REGION))]
    if not onboarding:
        last.append(button(back_label(), MenuCb(action=back or "main")))
    return keyboard(city_row, *grid(region_buttons, 2), last)


def main_menu_keyboard(role: Role | None = None) -> InlineKeyboardMarkup:
    rows = [
        [button(_("📚 Questions and answers"), MenuCb(action="faq"))],
        [button(_("📅 Events and deadlines"), MenuCb(action="events"))],
        [
            button(_("✍️ Ask a consultant"), MenuCb(action="ask")),
            button(_("🗂 My questions"), MenuCb(action="my")),
        ],
        [
            button(_("🔔 Reminders"), MenuCb(action="subs")),
            button(_("📍 My region"), MenuCb(action="region")),
        ],
        [
            button(_("🌐 Language"), MenuCb(action="lang")),
            button(_("ℹ️ Help"), MenuCb(action="help")),
        ],
    ]
    if role is Role.ADMIN:
        rows.append([button(_("🛠 Administration"), MenuCb(action="admin"))])
    return keyboard(*rows)


def back_to_menu_keyboard() -> InlineKeyboardMarkup:
    return keyboard([button(main_menu_label(), MenuCb(action="main"))])
