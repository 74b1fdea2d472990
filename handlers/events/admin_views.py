"""Admin screens: menu, events list and card, dialog steps, previews, confirmations."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.regions import ALL_REGIONS
from bot.services.events import formatting
from bot.services.events.model import CATEGORIES, STATUS_CANCELLED, EventDraft
from bot.services.events.service import Page
from db.repositories.events import EventDTO
from handlers.callbacks import MenuCb
from handlers.events.callbacks import AdminEvCb, DialogCb
from handlers.events.dialog import STEPS, Step, field_title, step_prompt
from handlers.events.views import Screen, button, pager
from handlers.keyboards import SKIP_REGION


def events_admin_button() -> InlineKeyboardButton:
    """For a shared admin menu, should another area own /admin."""
    return button(_("📅 Events and deadlines"), AdminEvCb(action="list"))


def admin_menu() -> Screen:
    builder = InlineKeyboardBuilder()
    builder.row(events_admin_button())
    builder.row(button(_("🏠 Main menu"), MenuCb(action="main")))
    return Screen(_("🛠 <b>Administration</b>\n\nChoose a section:"), builder.as_markup())


def admin_list(page: Page, *, lang: str, tz: ZoneInfo) -> Screen:
    builder = InlineKeyboardBuilder()
    for event in page.events:
        builder.row(
            button(
                formatting.list_button_text(event, lang, tz),
                AdminEvCb(action="card", id=event.id, page=page.page),
            )
        )
    pager(builder, page, lambda number: AdminEvCb(action="list", page=number))
    builder.row(
        button(_("➕ New event"), AdminEvCb(action="new")),
        button(_("📥 Import a file"), AdminEvCb(action="import")),
    )
    builder.row(button(_("⬅️ Back"), AdminEvCb(action="menu")))
    text = _("📅 <b>Events and deadlines</b> (administration)")
    if not page.events:
        text += "\n\n" + _("There are no events yet.")
    return Screen(text, builder.as_markup())


def bilingual_text(draft: EventDraft | EventDTO, *, lang: str, tz: ZoneInfo) -> str:
    """Everything an admin must check, in both languages."""
    lines = [
        f"🏷 {formatting.category_name(draft.category)}",
        f"🗓 {formatting.format_when(draft, lang, tz)}",
        *formatting.where_lines(draft.place, draft.url),
        f"🌍 {html.escape(formatting.region_label(draft.region))}",
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
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✏️ Edit"), callback_data=AdminEvCb(action="edit", id=event.id, page=page))
    if event.status != STATUS_CANCELLED:
        builder.button(
            text=_("🚫 Cancel the event"),
            callback_data=AdminEvCb(action="cancel", id=event.id, page=page),
        )
    if not event.builtin_key:
        builder.button(
            text=_("🗑 Delete"), callback_data=AdminEvCb(action="delete", id=event.id, page=page)
        )
    builder.button(text=_("⬅️ Back"), callback_data=AdminEvCb(action="list", page=page))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


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
    builder = InlineKeyboardBuilder()
    builder.button(text=yes, callback_data=AdminEvCb(action=f"{action}_ok", id=event.id, page=page))
    builder.button(
        text=_("⬅️ No, back"), callback_data=AdminEvCb(action="card", id=event.id, page=page)
    )
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def _dialog_footer(builder: InlineKeyboardBuilder, *, back: bool = True) -> None:
    row = [button(_("✖️ Cancel"), DialogCb(action="cancel"))]
    if back:
        row.insert(0, button(_("⬅️ Back"), DialogCb(action="back")))
    builder.row(*row)


def step_screen(step: Step, *, number: int | None, error: str | None = None) -> Screen:
    builder = InlineKeyboardBuilder()
    if step.name == "category":
        for category in CATEGORIES:
            builder.button(
                text=f"{formatting.CATEGORY_EMOJI[category]} {formatting.category_name(category)}",
                callback_data=DialogCb(action="pick", value=category),
            )
        builder.adjust(1)
    elif step.name == "region":
        builder.button(
            text=_("🇰🇿 All of Kazakhstan"), callback_data=DialogCb(action="pick", value=SKIP_REGION)
        )
        for code, name in ALL_REGIONS.items():
            builder.button(text=str(name), callback_data=DialogCb(action="pick", value=code))
        builder.adjust(1, 3, *([2] * 9))
    if step.optional:
        builder.row(button(_("⏭ Skip"), DialogCb(action="skip")))
    _dialog_footer(builder)
    lines = []
    if error:
        lines += [error, ""]
    if number is not None:
        lines.append(_("<b>New event</b> · step {n} of {total}").format(n=number, total=len(STEPS)))
    else:
        lines.append(_("<b>Editing</b> · {field}").format(field=field_title(step.name)))
    lines.append(step_prompt(step))
    return Screen("\n".join(lines), builder.as_markup())


def preview_screen(draft: EventDraft, *, lang: str, tz: ZoneInfo, editing: bool) -> Screen:
    text = _("👀 <b>Preview</b>: check everything, then save.") + "\n\n"
    text += bilingual_text(draft, lang=lang, tz=tz)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Save"), callback_data=DialogCb(action="save"))
    builder.button(text=_("✏️ Change a field"), callback_data=DialogCb(action="fields"))
    builder.adjust(1)
    _dialog_footer(builder, back=not editing)
    return Screen(text, builder.as_markup())


def fields_screen(*, editing: bool) -> Screen:
    builder = InlineKeyboardBuilder()
    for step in STEPS:
        builder.button(
            text=field_title(step.name), callback_data=DialogCb(action="field", value=step.name)
        )
    builder.adjust(2)
    if editing:
        builder.row(button(_("👀 Preview"), DialogCb(action="preview")))
    _dialog_footer(builder, back=not editing)
    return Screen(_("✏️ Which field do you want to change?"), builder.as_markup())


def import_prompt() -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✖️ Cancel"), callback_data=DialogCb(action="cancel"))
    text = _(
        "📥 <b>Import events</b>\n\nSend a <b>.yaml</b> or <b>.csv</b> file (up to 512 KB). "
        "Columns: <code>category, title_kk, title_ru, description_kk, description_ru, start</code> "
        "(required) and <code>end, duration, place, url, region</code>.\n"
        "Categories: <code>{categories}</code>. Dates: <code>31.03.2027 10:00</code> (local time), "
        "a date alone for an all-day deadline, or ISO <code>2027-03-31T10:00</code>. "
        "Region: a code like <code>almaty</code>, empty for all of Kazakhstan.\n\n"
        "Every row is checked first: if one is wrong, nothing is imported and I tell you "
        "which row and field to fix."
    ).format(categories=", ".join(CATEGORIES))
    return Screen(text, builder.as_markup())
