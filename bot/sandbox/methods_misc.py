"""Bot-level methods of the fake server: identity, updates, webhook, commands, callbacks, chats."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods_messages import Handler

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

MAX_ALERT = 200
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


def get_me(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    return {
        **server.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(server: FakeTelegramServer, params: dict[str, Any]) -> list[dict[str, Any]]:
    if server.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = min(max(int(params.get("limit", 100)), 1), 100)
    server.updates.set_allowed(params.get("allowed_updates"))
    return await server.updates.poll(params.get("offset"), limit, float(params.get("timeout", 0)))


def set_webhook(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    url: str = params["url"]
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_RE.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        server.updates.clear()
    server.updates.set_allowed(params.get("allowed_updates"))
    if not url:
        server.set_webhook(None)
        return True
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    server.set_webhook(
        {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections", 40),
            "allowed_updates": params.get("allowed_updates"),
        }
    )
    return True


def delete_webhook(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    if params.get("drop_pending_updates"):
        server.updates.clear()
    server.set_webhook(None)
    return True


def get_webhook_info(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    hook = server.webhook
    info: dict[str, Any] = {
        "url": hook["url"] if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(server.updates),
    }
    if hook:
        info["max_connections"] = hook["max_connections"]
        if hook["allowed_updates"] is not None:
            info["allowed_updates"] = hook["allowed_updates"]
        if server.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = server.webhook_last_error
    return info


def always_true(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    return True


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")


def set_my_commands(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    server.commands[_scope_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


def get_my_commands(server: FakeTelegramServer, params: dict[str, Any]) -> list[dict[str, Any]]:
    return list(server.commands.get(_scope_key(params), []))


def delete_my_commands(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    server.commands.pop(_scope_key(params), None)
    return True


def _profile_text(kind: str, limit: int) -> tuple[Handler, Handler]:
    def setter(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
        value = params.get(kind, "")
        if len(value) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        server.profile[(kind, params.get("language_code", ""))] = value
        return True

    def getter(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
        key = (kind, params.get("language_code", ""))
        value = server.profile.get(key) or server.profile.get((kind, ""), "")
        if kind == "name" and not value:
            value = server.bot_user["first_name"]
        return {kind: value}

    return setter, getter


def answer_callback_query(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    query = server.callback_queries.get(params["callback_query_id"])
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    if server.callback_query_expired(query):
        server.faults.stats.expired_callback_answers += 1
        raise bad_request(QUERY_TOO_OLD)
    text = params.get("text") or ""
    if len(text) > MAX_ALERT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer(text, bool(params.get("show_alert")), params.get("url"))
    server.notify_user(query.user_id)
    return True


def get_chat(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.chat(params["chat_id"])
    extra: dict[str, Any] = {}
    if chat.pinned:
        pinned = chat.messages[chat.pinned[-1]].raw
        extra["pinned_message"] = {k: v for k, v in pinned.items() if k != "reply_to_message"}
    return {
        **chat.chat,
        **extra,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def set_chat_menu_button(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    button = params.get("menu_button") or {"type": "default"}
    if "chat_id" in params:
        server.chat(params["chat_id"]).menu_button = button
    else:
        server.default_menu_button = button
    return True


def get_chat_menu_button(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    if "chat_id" in params:
        button = server.chat(params["chat_id"]).menu_button
        if button is not None:
            return button
    return server.default_menu_button


_set_description, _get_description = _profile_text("description", 512)
_set_short, _get_short = _profile_text("short_description", 120)
_set_name, _get_name = _profile_text("name", 64)

HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "logOut": always_true,
    "close": always_true,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short,
    "getMyShortDescription": _get_short,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "answerCallbackQuery": answer_callback_query,
    "getChat": get_chat,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}
