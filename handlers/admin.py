"""/admin: the administrators' menu. Each area (events, the desk, broadcasts, the FAQ) adds its
row to `admin_menu` and handles its own button; everything here is for admins only."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AdminCb, MenuCb
from handlers.events.callbacks import AdminEvCb
from handlers.filters import admins_only
from handlers.keyboards import main_menu_label
from handlers.screens import Screen, button, keyboard, show


def admin_menu() -> Screen:
    return Screen(
        _("🛠 <b>Administration</b>\n\nChoose a section:"),
        keyboard(
            [button(_("📅 Events and deadlines"), AdminEvCb(action="list"))],
            [button(_("📣 Broadcasts"), AdminCb(section="broadcasts"))],
            [button(_("👩‍💼 Consultants"), AdminCb(section="consultants"))],
            [button(_("❓ Questions without a good answer"), AdminCb(section="faq_gaps"))],
            [button(_("📝 FAQ drafts"), AdminCb(section="faq_drafts"))],
            [button(main_menu_label(), MenuCb(action="main"))],
        ),
    )


async def cmd_admin(message: Message) -> None:
    await show(message, admin_menu())


async def open_admin_menu(callback: CallbackQuery) -> None:
    await show(callback, admin_menu())


def navigation_router() -> Router:
    """/admin and the ways back to it; they leave any open dialog (see handlers.dialog_exit)."""
    router = admins_only(Router(name="admin.navigation"))
    router.message.register(cmd_admin, Command("admin"))
    router.callback_query.register(open_admin_menu, MenuCb.filter(F.action == "admin"))
    router.callback_query.register(open_admin_menu, AdminCb.filter(F.section == "menu"))
    router.callback_query.register(open_admin_menu, AdminEvCb.filter(F.action == "menu"))
    return router
