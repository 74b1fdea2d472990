"""Admin screens: menu, events list and card, confirmations, the import prompt."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.regions import CODES
from bot.services.events.examples import DateExamples
from bot.services.events.model import CATEGORIES, STATUS_CANCELLED, EventDraft
from bot.services.events.service import Page
from db.repositories.events import EventDTO
from handlers.events import formatting
from handlers.events.callbacks import AdminEvCb
from handlers.events.views import NUMBERS_PER_ROW, numbered_lines
from handlers.keyboards import back_label
from handlers.screens import Screen, button, column, grid, keyboard, pager


def with_note(screen: Screen, note: str) -> Screen:
    return Screen(f"{note}\n\n{screen.text}", screen.markup)


def admin_list(page: Page, *, lang: str, tz: ZoneInfo) -> Screen:
    text = _("📅 <b>Events and deadlines</b> (administration)")
    if page.events:
        lines, numbers = numbered_lines(
            page, lang, tz, lambda e: AdminEvCb(action="card", id=e.id, page=page.page)
        )
        text += "\n" + _("Tap a number to open an event.") + "\n" + "\n".join(lines)
    else:
        numbers = []
        text += "\n\n" + _("There are no events yet.")
    markup = keyboard(
        *grid(numbers, NUMBERS_PER_ROW),
        pager(page.page, page.pages, lambda n: AdminEvCb(action="list", page=n)),
        [
            button(_("➕ New event"), AdminEvCb(action="new", page=page.page)),
            button(_("📥 Import a file"), AdminEvCb(action="import")),
        ],
        [button(back_label(), AdminEvCb(action="menu"))],
    )
    return Screen(text, markup)


def bilingual_text(draft: EventDraft | EventDTO, *, lang: str, tz: ZoneInfo) -> str:
    """Everything an admin must check, in both languages."""
    lines = [
        f"🏷 {formatting.category_name(draft.category)}",
        f"🗓 {formatting.format_when(draft, lang, tz)}",
        *formatting.where_lines(draft.place, draft.url),
        f"🌍 {html.escape(formatting.region_label(draft.region, lang))}",
        "",
        f"🇰🇿 <b>{html.escape(draft.title_kk)}</b>",
        html.escape(draft.description_kk),
        "",
        f"🇷🇺 <b>{html.escape(draft.title_ru)}</b>",
        html.escape(draft.description_ru),
    ]
    return "\n".join(lines)


def admin_card(event: EventDTO, *, page: int, lang: str, tz: ZoneInfo) -> Screen:
    head = [f"#{event.id}"]
    if event.status == STATUS_CANCELLED:
        head.append(_("❌ <b>Cancelled</b>"))
    if event.builtin_key:
        head.append(_("🔁 Built-in yearly deadline"))
    text = " · ".join(head) + "\n\n" + bilingual_text(event, lang=lang, tz=tz)
    buttons = [button(_("✏️ Edit"), AdminEvCb(action="edit", id=event.id, page=page))]
    if event.status != STATUS_CANCELLED:
        buttons.append(
            button(_("🚫 Cancel the event"), AdminEvCb(action="cancel", id=event.id, page=page))
        )
    if not event.builtin_key:
        buttons.append(button(_("🗑 Delete"), AdminEvCb(action="delete", id=event.id, page=page)))
    buttons.append(button(back_label(), AdminEvCb(action="list", page=page)))
    return Screen(text, keyboard(*column(buttons)))


def confirm_screen(event: EventDTO, *, action: str, page: int, lang: str) -> Screen:
    title = html.escape(event.title(lang))
    if action == "cancel":
        text = _(
            "🚫 Cancel «{title}»?\n\nPending reminders are withdrawn, and everyone who was "
            "already reminded or asked to be reminded gets a notice."
        ).format(title=title)
        yes = _("✅ Yes, cancel it")
    else:
        text = _(
            "🗑 Delete «{title}» for good?\n\nPending reminders are withdrawn, and everyone who "
            "was already reminded or asked to be reminded gets a notice."
        ).format(title=title)
        yes = _("✅ Yes, delete it")
    return Screen(
        text,
        keyboard(
            [button(yes, AdminEvCb(action=f"{action}_ok", id=event.id, page=page))],
            [button(_("⬅️ No, back"), AdminEvCb(action="card", id=event.id, page=page))],
        ),
    )


def region_codes_text() -> str:
    return ", ".join(f"<code>{code}</code>" for code in CODES)


def import_prompt(examples: DateExamples) -> Screen:
    text = _(
        "📥 <b>Import events</b>\n\nSend an Excel workbook (<b>.xlsx</b>), a <b>.csv</b> or a "
        "<b>.yaml</b> file (up to 512 KB); the template below shows how. "
        "Columns: <code>category, title_kk, title_ru, description_kk, description_ru, start</code> "
        "(required) and <code>end, duration, place, url, region</code>.\n"
        "Categories: <code>{categories}</code>. Dates: <code>{example}</code> (local time), "
        "a date alone for an all-day deadline (<code>{example_date}</code>), or ISO.\n"
        "Region: empty for all of Kazakhstan, the region's name in Kazakh or Russian, or one "
        "of {regions}.\n\n"
        "Every row is checked first: if one is wrong, nothing is imported and I tell you "
        "which row and field to fix."
    ).format(
        categories=", ".join(CATEGORIES),
        example=examples.start,
        example_date=examples.date,
        regions=region_codes_text(),
    )
    return Screen(text)
