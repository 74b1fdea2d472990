"""/broadcast: the admin's guided dialog (aiogram-dialog) — content, audience with a live count,
preview (exactly what recipients get), then Send now / Schedule / Edit / Cancel.

Admins only: the router's filter refuses anyone else's messages and buttons, and every service
call checks the admin again on the server.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.enums import ContentType
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.config import Settings
from bot.regions import regions_for
from bot.services.broadcasts.content import BroadcastInputError, check_version, parse_buttons
from bot.services.broadcasts.service import BroadcastService, BroadcastStateError
from bot.services.events.model import CATEGORIES, EventInputError
from bot.services.events.timeparse import parse_local
from db.repositories.broadcasts import AudienceFilter, BroadcastDTO, Version
from db.repositories.users import UserDTO
from handlers.broadcasts import views
from handlers.dialogs import Tr
from handlers.events.formatting import category_name
from handlers.screens import user_language

ASKED_STEPS = (None, 7, 30, 90)


class BroadcastDialog(StatesGroup):
    content = State()
    compose = State()
    second = State()
    buttons = State()
    audience = State()
    regions = State()
    categories = State()
    preview = State()
    confirm = State()
    schedule = State()


# ----------------------------------------------------------------------------- content


def version_of(message: Message) -> Version:
    """The message as a broadcast version; raises BroadcastInputError for what cannot be sent."""
    if message.media_group_id is not None:
        raise BroadcastInputError("unsupported")
    caption = message.html_text if (message.text or message.caption) else None
    if message.text is not None:
        return check_version(Version("text", message.html_text))
    if message.photo:
        return check_version(Version("photo", caption, message.photo[-1].file_id))
    if message.video is not None:
        return check_version(Version("video", caption, message.video.file_id))
    if message.document is not None:
        return check_version(Version("document", caption, message.document.file_id))
    raise BroadcastInputError("unsupported")


def other_language(lang: str) -> str:
    return "ru" if lang == "kk" else "kk"


def markup_of(buttons: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b["text"], url=b["url"]) for b in row] for row in buttons
        ]
    )


async def send_version(
    bot: Bot, chat_id: int, version: Version, buttons: list[list[dict[str, str]]]
) -> Message:
    """Sends what a recipient gets — the same calls the outbox makes for a copy."""
    markup = markup_of(buttons)
    if version.kind == "text":
        return await bot.send_message(chat_id, version.text or "", reply_markup=markup)
    file_id = version.file_id or ""
    if version.kind == "photo":
        return await bot.send_photo(chat_id, file_id, caption=version.text, reply_markup=markup)
    if version.kind == "video":
        return await bot.send_video(chat_id, file_id, caption=version.text, reply_markup=markup)
    return await bot.send_document(chat_id, file_id, caption=version.text, reply_markup=markup)


def _data(manager: DialogManager) -> dict[str, Any]:
    return manager.dialog_data


def _versions(manager: DialogManager) -> dict[str, Version]:
    return {k: Version.from_json(v) for k, v in _data(manager).get("versions", {}).items()}


def _audience(manager: DialogManager) -> AudienceFilter:
    return AudienceFilter.from_json(_data(manager).get("audience"))


def _set_audience(manager: DialogManager, audience: AudienceFilter) -> None:
    _data(manager)["audience"] = audience.as_json()


def _service(manager: DialogManager) -> BroadcastService:
    service: BroadcastService = manager.middleware_data["broadcasts"]
    return service


def _admin(manager: DialogManager) -> int:
    user: UserDTO = manager.middleware_data["db_user"]
    return user.id


def _problem(manager: DialogManager, text: str | None) -> None:
    _data(manager)["problem"] = text


def _with_problem(manager: DialogManager, text: str) -> str:
    problem = _data(manager).pop("problem", None)
    return f"{problem}\n\n{text}" if problem else text


async def on_content(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    try:
        version = version_of(message)
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        return
    data = _data(manager)
    first = data.setdefault("first_lang", user_language())
    versions = data.setdefault("versions", {})
    versions[first] = version.as_json()
    await manager.switch_to(BroadcastDialog.compose)


async def on_second(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    try:
        version = version_of(message)
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        return
    data = _data(manager)
    data["versions"][other_language(data["first_lang"])] = version.as_json()
    await manager.switch_to(BroadcastDialog.compose)


async def on_buttons(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    try:
        _data(manager)["buttons"] = parse_buttons(message.text or "")
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        return
    await manager.switch_to(BroadcastDialog.compose)


async def on_not_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    _problem(manager, _("⚠️ Send the buttons as text, or press Back."))


async def content_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    prompt = _(
        "📣 <b>New broadcast</b>\n\nSend me the message exactly as recipients should see it: "
        "formatted text, or a photo, video or document with a caption.\n\n"
        "Next you can add a version in the other language and link buttons, then choose who "
        "gets it."
    )
    return {"text": _with_problem(dialog_manager, prompt)}


async def compose_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    data = _data(dialog_manager)
    first = data.get("first_lang", "ru")
    second = other_language(first)
    versions = _versions(dialog_manager)
    lines = [_("📣 <b>New broadcast</b>")]
    icons = {"text": "📝", "photo": "🖼", "video": "🎬", "document": "📄"}
    for lang in (first, second):
        if lang in versions:
            v = versions[lang]
            lines.append(
                _("{icon} Version in {language}: ready").format(
                    icon=icons[v.kind], language=views.language_name(lang)
                )
            )
    if second not in versions:
        lines.append(_("Without a {language} version everyone gets the one above.").format(
            language=views.language_name(second)))  # fmt: skip
    buttons = data.get("buttons") or []
    count = sum(len(row) for row in buttons)
    lines.append(_("🔗 Link buttons: {n}").format(n=count))
    return {
        "text": _with_problem(dialog_manager, "\n".join(lines)),
        "first_name": views.language_name(first),
        "second_name": views.language_name(second),
        "has_second": second in versions,
        "no_second": second not in versions,
        "can_toggle": second not in versions,
        "has_buttons": bool(buttons),
        "add_second_label": _("➕ Version in {language}").format(
            language=views.language_name(second)
        ),
        "rm_second_label": _("🗑 Remove the {language} version").format(
            language=views.language_name(second)
        ),
    }


async def on_toggle_first(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    data = _data(manager)
    old = data.get("first_lang", "ru")
    new = other_language(old)
    versions = data.get("versions", {})
    if old in versions and new not in versions:
        versions[new] = versions.pop(old)
        data["first_lang"] = new


async def on_remove_second(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    data = _data(manager)
    data.get("versions", {}).pop(other_language(data.get("first_lang", "ru")), None)


async def on_remove_buttons(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    _data(manager)["buttons"] = []


async def second_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    second = other_language(_data(dialog_manager).get("first_lang", "ru"))
    prompt = _(
        "Send the version in {language}: text, or a photo, video or document with a caption. "
        "People whose language is {language} get it; everyone else gets the first version."
    ).format(language=views.language_name(second))
    return {"text": _with_problem(dialog_manager, prompt)}


async def buttons_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    prompt = _(
        "Send the link buttons, one per line:\n<code>Label - https://example.kz</code>\n"
        "Several on one line: separate them with <code>|</code>."
    )
    return {"text": _with_problem(dialog_manager, prompt)}


# ----------------------------------------------------------------------------- audience


async def audience_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    audience = _audience(dialog_manager)
    count = await _service(dialog_manager).count(audience, _admin(dialog_manager))
    lang = user_language()
    lines = [_("👥 <b>Who gets it?</b>"), *views.audience_lines(audience, lang)]
    lines.append(_("Reachable people: <b>{n}</b>").format(n=count))
    asked = audience.asked_days
    mark = "✅ "
    return {
        "text": _with_problem(dialog_manager, "\n".join(lines)),
        "kk_mark": mark if "kk" in audience.languages else "",
        "ru_mark": mark if "ru" in audience.languages else "",
        "regions_label": _("📍 Regions ({n})").format(n=len(audience.regions)),
        "categories_label": _("🏷 Subscribers ({n})").format(n=len(audience.categories)),
        "asked_label": (
            _("💬 Asked consultants: filter off")
            if asked is None
            else _("💬 Asked consultants: last {n} days").format(n=asked)
        ),
        "consultants_label": mark * audience.consultants + _("🧑‍💼 Consultants only"),
        "test_label": mark * (audience.only_user is not None) + _("🧪 Test: only me"),
        "count": count,
    }


def _toggle(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != value) if value in values else (*values, value)


async def on_everyone(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    _set_audience(manager, AudienceFilter())


async def on_language(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    audience = _audience(manager)
    code = "kk" if button.widget_id == "lang_kk" else "ru"
    _set_audience(
        manager,
        AudienceFilter(**{**_fields(audience), "languages": _toggle(audience.languages, code)}),
    )


def _fields(audience: AudienceFilter) -> dict[str, Any]:
    return {
        "languages": audience.languages,
        "regions": audience.regions,
        "categories": audience.categories,
        "asked_days": audience.asked_days,
        "consultants": audience.consultants,
        "only_user": audience.only_user,
    }


async def on_asked(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    audience = _audience(manager)
    index = ASKED_STEPS.index(audience.asked_days) if audience.asked_days in ASKED_STEPS else 0
    following = ASKED_STEPS[(index + 1) % len(ASKED_STEPS)]
    _set_audience(manager, AudienceFilter(**{**_fields(audience), "asked_days": following}))


async def on_consultants(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    audience = _audience(manager)
    _set_audience(
        manager, AudienceFilter(**{**_fields(audience), "consultants": not audience.consultants})
    )


async def on_test(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    audience = _audience(manager)
    only = None if audience.only_user is not None else _admin(manager)
    _set_audience(manager, AudienceFilter(**{**_fields(audience), "only_user": only}))


async def regions_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    chosen = _audience(dialog_manager).regions
    items = [
        (code, ("✅ " if code in chosen else "") + name)
        for code, name in regions_for(user_language())
    ]
    return {"text": _("📍 Choose one or more regions, then press Done."), "items": items}


async def categories_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    chosen = _audience(dialog_manager).categories
    items = [(code, ("✅ " if code in chosen else "") + category_name(code)) for code in CATEGORIES]
    return {
        "text": _("🏷 People subscribed to reminders of which events? Choose, then press Done."),
        "items": items,
    }


async def on_region(callback: CallbackQuery, _w: Any, manager: DialogManager, code: str) -> None:
    if code not in dict(regions_for("ru")):
        return
    audience = _audience(manager)
    _set_audience(
        manager, AudienceFilter(**{**_fields(audience), "regions": _toggle(audience.regions, code)})
    )


async def on_category(callback: CallbackQuery, _w: Any, manager: DialogManager, code: str) -> None:
    if code not in CATEGORIES:
        return
    audience = _audience(manager)
    _set_audience(
        manager,
        AudienceFilter(**{**_fields(audience), "categories": _toggle(audience.categories, code)}),
    )


# ----------------------------------------------------------------------------- preview


async def _save_draft(manager: DialogManager) -> BroadcastDTO:
    data = _data(manager)
    service = _service(manager)
    admin = _admin(manager)
    versions = _versions(manager)
    first = data.get("first_lang", "ru")
    buttons = data.get("buttons") or []
    audience = _audience(manager)
    hold = bool(data.get("hold"))
    if data.get("id"):
        return await service.update_draft(
            data["id"],
            admin,
            versions=versions,
            default_language=first,
            buttons=buttons,
            audience=audience,
            hold_quiet=hold,
        )
    draft = await service.create_draft(
        admin,
        versions,
        default_language=first,
        buttons=buttons,
        audience=audience,
        hold_quiet=hold,
    )
    data["id"] = draft.id
    return draft


async def on_preview(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    """Sends the admin every version exactly as recipients will get it; nothing is saved yet
    (a draft is stored when it is sent or scheduled)."""
    data = _data(manager)
    versions = _versions(manager)
    first = data.get("first_lang", "ru")
    if first not in versions:
        _problem(manager, views.input_error(BroadcastInputError("empty")))
        await manager.switch_to(BroadcastDialog.content)
        return
    try:
        for version in versions.values():
            check_version(version)
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        return
    bot: Bot = manager.middleware_data["bot"]
    buttons = data.get("buttons") or []
    await callback.answer()
    order = [first, *(k for k in versions if k != first)]
    for lang in order:
        if len(order) > 1:
            await bot.send_message(
                callback.from_user.id,
                _("👁 Version in {language}:").format(language=views.language_name(lang)),
            )
        await send_version(bot, callback.from_user.id, versions[lang], buttons)
    await manager.switch_to(BroadcastDialog.preview, show_mode=ShowMode.SEND)


async def preview_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    audience = _audience(dialog_manager)
    count = await _service(dialog_manager).count(audience, _admin(dialog_manager))
    lines = [
        _("👁 Above is exactly what recipients get."),
        _("👥 Audience: {who}").format(
            who="; ".join(views.audience_lines(audience, user_language()))
        ),
        _("Reachable people: <b>{n}</b>").format(n=count),
    ]
    settings: Settings = dialog_manager.middleware_data["settings"]
    hours = f"{settings.quiet_hours_start:%H:%M}–{settings.quiet_hours_end:%H:%M}"
    hold = bool(_data(dialog_manager).get("hold"))
    label = (
        _("🌙 Hold in quiet hours ({hours}): on")
        if hold
        else _("🌙 Hold in quiet hours ({hours}): off")
    ).format(hours=hours)
    return {
        "text": _with_problem(dialog_manager, "\n".join(lines)),
        "count": count,
        "hold_label": label,
    }


async def on_hold(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    _data(manager)["hold"] = not _data(manager).get("hold")


async def confirm_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    count = await _service(dialog_manager).count(_audience(dialog_manager), _admin(dialog_manager))
    return {"text": _("🚀 Send this broadcast to {n} people now?").format(n=count)}


async def on_send(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    data = _data(manager)
    service = _service(manager)
    try:
        await _save_draft(manager)
        result = await service.start(data["id"], _admin(manager))
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        await manager.switch_to(BroadcastDialog.compose)
        return
    except BroadcastStateError:
        result = None
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    if result is None or not result.started:
        note = _("This broadcast was started already: it is sent only once.")
    else:
        note = _("🚀 Sending to {n} people. The progress follows below.").format(n=result.queued)
        held = service.held_until(
            result.broadcast, result.broadcast.started_at or result.broadcast.created_at
        )
        if held is not None:
            settings: Settings = manager.middleware_data["settings"]
            note += "\n" + _("🌙 It is quiet hours now: the copies go out at {time}.").format(
                time=held.astimezone(settings.tz).strftime("%H:%M")
            )
    await callback.answer()
    if callback.message is not None and isinstance(callback.message, Message):
        await callback.message.edit_text(note)


async def schedule_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    settings: Settings = dialog_manager.middleware_data["settings"]
    prompt = _(
        "🕒 When should it go out? Send the date and time ({zone}), "
        "e.g. <code>25.12.2026 10:00</code>."
    ).format(zone=settings.timezone)
    return {"text": _with_problem(dialog_manager, prompt)}


async def on_schedule_time(message: Message, _w: MessageInput, manager: DialogManager) -> None:
    settings: Settings = manager.middleware_data["settings"]
    data = _data(manager)
    try:
        moment, all_day = parse_local(message.text or "", settings.tz)
        if all_day:
            raise EventInputError("bad_datetime_format")
        await _save_draft(manager)
        scheduled = await _service(manager).schedule(data["id"], _admin(manager), moment)
    except EventInputError:
        _problem(
            manager, _("⚠️ I could not read that time. Write it as <code>25.12.2026 10:00</code>.")
        )
        return
    except BroadcastInputError as exc:
        _problem(manager, views.input_error(exc))
        return
    except BroadcastStateError:
        _problem(manager, _("⚠️ This broadcast has started already; it can no longer be edited."))
        return
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await message.answer(
        _("🕒 Broadcast #{id} is scheduled for {when} ({zone}). /broadcasts shows it; it can be "
          "cancelled or edited until then.").format(
            id=scheduled.id, when=views.when_text(scheduled.scheduled_at, settings.tz),
            zone=settings.timezone,
        )
    )  # fmt: skip


async def on_cancel(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    data = _data(manager)
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await callback.answer(_("❌ Cancelled."))
    if callback.message is not None and isinstance(callback.message, Message):
        if data.get("editing_scheduled"):
            note = _("❌ Editing cancelled; the scheduled broadcast stays as it was.")
        else:
            note = _("❌ Broadcast cancelled. Nothing was sent.")
        await callback.message.edit_text(note)


async def on_other_input(message: Message, _w: MessageInput, manager: DialogManager) -> None:
    _problem(manager, _("⚠️ Use the buttons below, or /cancel to leave."))


def _cancel() -> Button:
    return Button(Tr("✖️ Cancel"), id="cancel", on_click=on_cancel)


def _back(state: State) -> SwitchTo:
    return SwitchTo(Tr("⬅️ Back"), id="back", state=state)


async def _on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def _choice_window(
    text: Format, widget_id: str, on_click: Any, state: State, getter: Any, width: int
) -> Window:
    """A list to tick several of (regions, categories), then back to the audience."""
    return Window(
        text,
        Group(
            Select(
                Format("{item[1]}"),
                id=widget_id,
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_click,
            ),
            width=width,
        ),
        SwitchTo(Tr("✅ Done"), id=f"{widget_id}_done", state=BroadcastDialog.audience),
        MessageInput(on_other_input),
        state=state,
        getter=getter,
    )


def broadcast_dialog() -> Dialog:
    text = Format("{text}")
    return Dialog(
        Window(
            text,
            _cancel(),
            MessageInput(on_content),
            state=BroadcastDialog.content,
            getter=content_getter,
        ),
        Window(
            text,
            Button(
                Format("🔁 {first_name} ⇄ {second_name}"),
                id="toggle_first",
                on_click=on_toggle_first,
                when="can_toggle",
            ),
            SwitchTo(
                Format("{add_second_label}"),
                id="add_second",
                state=BroadcastDialog.second,
                when="no_second",
            ),
            Button(
                Format("{rm_second_label}"),
                id="rm_second",
                on_click=on_remove_second,
                when="has_second",
            ),
            SwitchTo(Tr("🔗 Link buttons"), id="add_buttons", state=BroadcastDialog.buttons),
            Button(
                Tr("🗑 Remove link buttons"),
                id="rm_buttons",
                on_click=on_remove_buttons,
                when="has_buttons",
            ),
            SwitchTo(Tr("➡️ Choose the audience"), id="to_audience", state=BroadcastDialog.audience),
            _cancel(),
            MessageInput(on_content),
            state=BroadcastDialog.compose,
            getter=compose_getter,
        ),
        Window(
            text,
            _back(BroadcastDialog.compose),
            MessageInput(on_second),
            state=BroadcastDialog.second,
            getter=second_getter,
        ),
        Window(
            text,
            _back(BroadcastDialog.compose),
            MessageInput(on_buttons, content_types=ContentType.TEXT),
            MessageInput(on_not_text),
            state=BroadcastDialog.buttons,
            getter=buttons_getter,
        ),
        Window(
            text,
            Button(Tr("🌍 Everyone"), id="everyone", on_click=on_everyone),
            Row(
                Button(Format("{kk_mark}Қазақша"), id="lang_kk", on_click=on_language),
                Button(Format("{ru_mark}Русский"), id="lang_ru", on_click=on_language),
            ),
            Row(
                SwitchTo(Format("{regions_label}"), id="to_regions", state=BroadcastDialog.regions),
                SwitchTo(
                    Format("{categories_label}"),
                    id="to_categories",
                    state=BroadcastDialog.categories,
                ),
            ),
            Button(Format("{asked_label}"), id="asked", on_click=on_asked),
            Button(Format("{consultants_label}"), id="consultants", on_click=on_consultants),
            Button(Format("{test_label}"), id="test", on_click=on_test),
            Button(Tr("👁 Preview"), id="preview", on_click=on_preview),
            _back(BroadcastDialog.compose),
            MessageInput(on_other_input),
            state=BroadcastDialog.audience,
            getter=audience_getter,
        ),
        _choice_window(text, "region", on_region, BroadcastDialog.regions, regions_getter, 2),
        _choice_window(
            text, "category", on_category, BroadcastDialog.categories, categories_getter, 1
        ),
        Window(
            text,
            SwitchTo(Tr("🚀 Send now"), id="send_now", state=BroadcastDialog.confirm),
            SwitchTo(Tr("🕒 Schedule"), id="to_schedule", state=BroadcastDialog.schedule),
            Button(Format("{hold_label}"), id="hold", on_click=on_hold),
            SwitchTo(Tr("✏️ Edit"), id="edit", state=BroadcastDialog.compose),
            _cancel(),
            MessageInput(on_other_input),
            state=BroadcastDialog.preview,
            getter=preview_getter,
        ),
        Window(
            text,
            Button(Tr("✅ Yes, send"), id="send", on_click=on_send),
            _back(BroadcastDialog.preview),
            MessageInput(on_other_input),
            state=BroadcastDialog.confirm,
            getter=confirm_getter,
        ),
        Window(
            text,
            _back(BroadcastDialog.preview),
            MessageInput(on_schedule_time, content_types=ContentType.TEXT),
            MessageInput(on_other_input),
            state=BroadcastDialog.schedule,
            getter=schedule_getter,
        ),
        on_start=_on_start,
    )


async def start_new(dialog_manager: DialogManager) -> None:
    await dialog_manager.start(BroadcastDialog.content, mode=StartMode.RESET_STACK)


async def start_editing(dialog_manager: DialogManager, broadcast: BroadcastDTO) -> None:
    """Edit a scheduled broadcast (or a draft) before it starts."""
    data = {
        "id": broadcast.id,
        "editing_scheduled": True,
        "first_lang": broadcast.default_language,
        "versions": {k: v.as_json() for k, v in broadcast.versions.items()},
        "buttons": broadcast.buttons,
        "audience": broadcast.audience.as_json(),
        "hold": broadcast.hold_quiet,
    }
    await dialog_manager.start(BroadcastDialog.compose, data=data, mode=StartMode.RESET_STACK)
