"""/broadcasts: scheduled and past broadcasts with their figures, and the buttons of the live
status message and the report (pause, resume, stop, cancel, edit or delete everywhere)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from bot.config import Settings
from bot.services.broadcasts.service import BroadcastService
from bot.services.broadcasts.texts import Progress
from db.repositories.broadcasts import BroadcastDTO, BroadcastStatus
from db.repositories.users import UserDTO
from handlers.broadcasts import dialog, edit_dialog, views
from handlers.broadcasts.callbacks import BcCb
from handlers.callbacks import AdminCb
from handlers.screens import Screen, button, keyboard, show, user_language


def list_screen(items: list[tuple[BroadcastDTO, Progress]], settings: Settings) -> Screen:
    lines = [_("📣 <b>Broadcasts</b>")]
    rows = []
    if not items:
        lines.append(_("No broadcasts yet."))
    for broadcast, progress in items:
        when = (
            broadcast.scheduled_at
            if broadcast.status == BroadcastStatus.SCHEDULED
            else (broadcast.started_at or broadcast.created_at)
        )
        lines.append(
            _(
                "#{id} · {status} · {when}\n{summary}\n"
                "✅ {delivered} · 🚫 {unreachable} · ⚠️ {failed}"
            ).format(
                id=broadcast.id,
                status=views.status_name(broadcast.status),
                when=views.when_text(when, settings.tz),
                summary=views.content_summary(broadcast),
                delivered=progress.delivered if progress.phase == "send" else "—",
                unreachable=progress.unreachable if progress.phase == "send" else "—",
                failed=progress.failed if progress.phase == "send" else "—",
            )
        )
        rows.append(
            [
                button(
                    f"#{broadcast.id} · {views.status_name(broadcast.status)}",
                    BcCb(action="show", id=broadcast.id),
                )
            ]
        )
    rows.append([button(_("➕ New broadcast"), BcCb(action="new"))])
    rows.append([button(_("⬅️ Administration"), AdminCb(section="menu"))])
    return Screen("\n\n".join(lines), keyboard(*rows))


def detail_screen(broadcast: BroadcastDTO, progress: Progress, settings: Settings) -> Screen:
    lines = [views.status_text(broadcast, progress)]
    lines.append(views.content_summary(broadcast))
    lines.append(
        _("👥 Audience: {who}").format(
            who="; ".join(views.audience_lines(broadcast.audience, user_language()))
        )
    )
    if broadcast.scheduled_at is not None and broadcast.status == BroadcastStatus.SCHEDULED:
        lines.append(
            _("🕒 Scheduled for {when}").format(
                when=views.when_text(broadcast.scheduled_at, settings.tz)
            )
        )
    lines.append(
        _("Created by {created}; sent by {sent}").format(
            created=broadcast.created_by, sent=broadcast.sent_by or "—"
        )
    )
    rows = []
    b_id = broadcast.id
    if broadcast.status == BroadcastStatus.SCHEDULED:
        rows.append([
            button(_("✏️ Edit"), BcCb(action="edit_draft", id=b_id)),
            button(_("✖️ Cancel it"), BcCb(action="cancel", id=b_id)),
        ])  # fmt: skip
    if broadcast.status == BroadcastStatus.SENDING:
        rows.append([button(_("⏸ Pause"), BcCb(action="pause", id=b_id))])
    if broadcast.status == BroadcastStatus.PAUSED:
        rows.append([button(_("▶️ Resume"), BcCb(action="resume", id=b_id))])
    if broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.PAUSED):
        rows.append([button(_("⏹ Stop"), BcCb(action="stop", id=b_id))])
    if (
        broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.STOPPED)
        and broadcast.followup_done
        and broadcast.followup != "delete"
    ):
        rows.append([
            button(_("✏️ Edit everywhere"), BcCb(action="edit_all", id=b_id)),
            button(_("🗑 Delete everywhere"), BcCb(action="delete_all", id=b_id)),
        ])  # fmt: skip
    rows.append([button(_("⬅️ All broadcasts"), BcCb(action="list"))])
    return Screen("\n".join(lines), keyboard(*rows))


def confirm_screen(text: str, yes: str, action: str, b_id: int) -> Screen:
    return Screen(
        text,
        keyboard(
            [button(yes, BcCb(action=action, id=b_id))],
            [button(_("⬅️ No, back"), BcCb(action="show", id=b_id))],
        ),
    )


# ----------------------------------------------------------------------------- navigation


async def cmd_broadcast(message: Message, dialog_manager: DialogManager) -> None:
    await dialog.start_new(dialog_manager)


async def on_new(callback: CallbackQuery, dialog_manager: DialogManager) -> None:
    await callback.answer()
    await dialog.start_new(dialog_manager)


async def cmd_broadcasts(
    message: Message, broadcasts: BroadcastService, db_user: UserDTO, settings: Settings
) -> None:
    await show(message, list_screen(await broadcasts.listing(db_user.id), settings))


async def on_list(
    callback: CallbackQuery, broadcasts: BroadcastService, db_user: UserDTO, settings: Settings
) -> None:
    await show(callback, list_screen(await broadcasts.listing(db_user.id), settings))


async def on_edit_draft(
    callback: CallbackQuery,
    callback_data: BcCb,
    broadcasts: BroadcastService,
    db_user: UserDTO,
    dialog_manager: DialogManager,
) -> None:
    broadcast = await broadcasts.get(callback_data.id, db_user.id)
    if broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.DRAFT):
        await callback.answer(
            _("It has started already; it can no longer be edited."), show_alert=True
        )
        return
    await callback.answer()
    await dialog.start_editing(dialog_manager, broadcast)


async def on_edit_all(
    callback: CallbackQuery,
    callback_data: BcCb,
    broadcasts: BroadcastService,
    db_user: UserDTO,
    dialog_manager: DialogManager,
) -> None:
    broadcast = await broadcasts.get(callback_data.id, db_user.id)
    if broadcast.status not in (BroadcastStatus.DONE, BroadcastStatus.STOPPED) or (
        broadcast.followup == "delete"
    ):
        await callback.answer(_("This is not possible for this broadcast now."), show_alert=True)
        return
    await callback.answer()
    await edit_dialog.start_edit(dialog_manager, broadcast)


def navigation_router() -> Router:
    router = Router(name="broadcasts.navigation")
    router.message.register(cmd_broadcast, Command("broadcast"))
    router.message.register(cmd_broadcasts, Command("broadcasts"))
    router.callback_query.register(on_list, AdminCb.filter(F.section == "broadcasts"))
    router.callback_query.register(on_list, BcCb.filter(F.action == "list"))
    router.callback_query.register(on_new, BcCb.filter(F.action == "new"))
    router.callback_query.register(on_edit_draft, BcCb.filter(F.action == "edit_draft"))
    router.callback_query.register(on_edit_all, BcCb.filter(F.action == "edit_all"))
    return router


# ----------------------------------------------------------------------------- actions


async def on_show(
    callback: CallbackQuery,
    callback_data: BcCb,
    broadcasts: BroadcastService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    broadcast = await broadcasts.get(callback_data.id, db_user.id)
    await show(callback, detail_screen(broadcast, await broadcasts.progress(broadcast), settings))


async def on_action(
    callback: CallbackQuery,
    callback_data: BcCb,
    broadcasts: BroadcastService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    b_id, action, admin = callback_data.id, callback_data.action, db_user.id
    if action == "pause":
        await broadcasts.pause(b_id, admin)
        await callback.answer(_("⏸ Paused."))
    elif action == "resume":
        await broadcasts.resume(b_id, admin)
        await callback.answer(_("▶️ Resumed."))
    elif action == "stop":
        await broadcasts.get(b_id, admin)
        await callback.answer()
        screen = confirm_screen(
            _("⏹ Stop broadcast #{id}? Nobody else will get it; copies already delivered "
              "stay.").format(id=b_id), _("⏹ Yes, stop"), "stop_ok", b_id,
        )  # fmt: skip
        if isinstance(callback.message, Message):
            await callback.message.answer(screen.text, reply_markup=screen.markup)
    elif action == "stop_ok":
        await broadcasts.stop(b_id, admin)
        await show(callback, Screen(_("⏹ Broadcast #{id} stopped.").format(id=b_id)))
    elif action == "cancel":
        await broadcasts.get(b_id, admin)
        await show(callback, confirm_screen(
            _("✖️ Cancel scheduled broadcast #{id}? It will not be sent.").format(id=b_id),
            _("✖️ Yes, cancel it"), "cancel_ok", b_id,
        ))  # fmt: skip
    elif action == "cancel_ok":
        await broadcasts.cancel(b_id, admin)
        await show(
            callback, Screen(_("✖️ Broadcast #{id} cancelled; it will not be sent.").format(id=b_id))
        )
    elif action == "delete_all":
        await broadcasts.get(b_id, admin)
        await callback.answer()
        screen = confirm_screen(
            _("🗑 Delete every delivered copy of broadcast #{id} from people's chats? This cannot "
              "be undone. Telegram allows it within 48 hours of sending.").format(id=b_id),
            _("🗑 Yes, delete everywhere"), "delete_ok", b_id,
        )  # fmt: skip
        if isinstance(callback.message, Message):
            await callback.message.answer(screen.text, reply_markup=screen.markup)
    elif action == "delete_ok":
        count = await broadcasts.delete_everywhere(b_id, admin)
        await show(callback, Screen(
            _("🗑 Deleting {n} copies. The progress follows below.").format(n=count)
        ))  # fmt: skip
    else:
        await callback.answer()


def router() -> Router:
    router = Router(name="broadcasts")
    router.callback_query.register(on_show, BcCb.filter(F.action == "show"))
    router.callback_query.register(
        on_action,
        BcCb.filter(
            F.action.in_(
                {
                    "pause",
                    "resume",
                    "stop",
                    "stop_ok",
                    "cancel",
                    "cancel_ok",
                    "delete_all",
                    "delete_ok",
                }
            )
        ),
    )
    return router
