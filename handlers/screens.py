"""The views toolkit every area uses: a screen (text + keyboard), buttons, pages, and showing it.

Keyboards are built as plain lists of rows: aiogram's InlineKeyboardBuilder deep-copies the
whole keyboard on every `button()` call, which costs more than the rest of rendering together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n

from bot.languages import Lang, as_lang

Row = Sequence[InlineKeyboardButton]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None


def user_language() -> Lang:
    """The language the user reads: the one the i18n middleware chose for this update."""
    return as_lang(get_i18n().current_locale)


def button(text: str, data: CallbackData | str) -> InlineKeyboardButton:
    packed = data if isinstance(data, str) else data.pack()
    return InlineKeyboardButton(text=text, callback_data=packed)


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, url=url)


def keyboard(*rows: Row) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in rows if row])


def column(buttons: Iterable[InlineKeyboardButton]) -> list[Row]:
    """One button per row: long labels stay readable on a phone."""
    return [[b] for b in buttons]


def grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[Row]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a longer list; `number` is clamped, so forged or stale numbers land on a page."""

    number: int
    count: int
    start: int
    size: int

    @classmethod
    def of(cls, requested: int, total: int, size: int) -> Page:
        count = max(1, -(-total // size))
        number = min(max(requested, 0), count - 1)
        return cls(number, count, number * size, size)

    def slice(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.start : self.start + self.size]


def pager(number: int, count: int, make: Callable[[int], CallbackData]) -> Row:
    """A ◀️ n/m ▶️ row, or nothing when there is one page."""
    if count <= 1:
        return []
    row = []
    if number > 0:
        row.append(button("◀️", make(number - 1)))
    row.append(button(f"{number + 1}/{count}", make(number)))
    if number + 1 < count:
        row.append(button("▶️", make(number + 1)))
    return row


async def show(
    event: Message | CallbackQuery,
    screen: Screen,
    *,
    toast: str | None = None,
    alert: bool = False,
) -> None:
    """A message gets a new reply; a pressed button edits its own message.

    A callback query is answered exactly once (a second answer is an API error), before the edit
    so the spinner stops whatever happens next; `toast` is shown as that answer.
    """
    if isinstance(event, Message):
        await event.answer(screen.text, reply_markup=screen.markup, disable_web_page_preview=True)
        return
    await event.answer(toast, show_alert=alert)
    message = event.message
    if isinstance(message, Message):
        try:
            await message.edit_text(
                screen.text, reply_markup=screen.markup, disable_web_page_preview=True
            )
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
    # Too old to edit, or inaccessible: a fresh message is better than a silent button.
    if event.bot is not None:
        await event.bot.send_message(
            event.from_user.id,
            screen.text,
            reply_markup=screen.markup,
            disable_web_page_preview=True,
        )


async def show_below(event: Message | CallbackQuery, screen: Screen) -> None:
    """A new message under the one pressed: that one (an answer, a reminder) stays in view."""
    if isinstance(event, Message):
        await event.answer(screen.text, reply_markup=screen.markup, disable_web_page_preview=True)
        return
    await event.answer()
    if event.bot is not None:
        await event.bot.send_message(
            event.from_user.id,
            screen.text,
            reply_markup=screen.markup,
            disable_web_page_preview=True,
        )
