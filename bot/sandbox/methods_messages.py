"""Message methods of the fake server: send, edit, delete, copy, forward, files.

Each handler runs synchronously inside one request (no awaits), so checks and the state change
they guard cannot interleave with another request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.html_check import Parsed, plain_text
from bot.sandbox.models import BotMessage, DocumentInfo
from bot.sandbox.state import ChatState, StoredFile, parse_reply_keyboard

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegramServer

Handler = Callable[["FakeTelegramServer", dict[str, Any]], Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _parse(text: str, params: dict[str, Any], entities_key: str) -> Parsed:
    mode = params.get("parse_mode")
    if mode is not None and mode.lower() not in PARSE_MODES:
        raise bad_request(f"unsupported parse_mode {mode}")
    if params.get(entities_key):
        return Parsed(text.strip())
    return plain_text(text, mode)


def _entities(parsed: Parsed, params: dict[str, Any], key: str) -> list[dict[str, Any]]:
    given = params.get(key)
    if given:
        return list(given)
    return parsed.entities()


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Telegram's runtime checks on keyboards (the spec check already ran)."""
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard", ()):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not url.startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            if len(button) == 1:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
    return markup


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _commit(
    server: FakeTelegramServer,
    chat: ChatState,
    method: str,
    content: dict[str, Any],
    *,
    kind: str,
    parsed: Parsed,
    html: str,
    markup: dict[str, Any] | None,
    document: DocumentInfo | None = None,
) -> dict[str, Any]:
    server.take_send_slot(chat, method)
    raw: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": server.bot_user,
        "chat": chat.chat,
        "date": server.now(),
        **content,
    }
    inline = _inline_only(markup)
    if inline is not None:
        raw["reply_markup"] = inline
    reply_keyboard = parse_reply_keyboard(markup)
    remove = bool(markup and markup.get("remove_keyboard"))
    if reply_keyboard is not None:
        chat.reply_keyboard = reply_keyboard
    elif remove:
        chat.reply_keyboard = None
    chat.add(
        BotMessage(
            message_id=raw["message_id"],
            chat_id=chat.id,
            kind=kind,
            text=parsed.text,
            html=html,
            reply_keyboard=reply_keyboard,
            remove_keyboard=remove,
            document=document,
            raw=raw,
        )
    )
    server.stats.record_sent(method)
    return raw


def _reply_to(chat: ChatState, params: dict[str, Any]) -> dict[str, Any]:
    """The reply_to_message part of the result; Telegram rejects replies to missing messages."""
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None or reply.get("chat_id", chat.id) != chat.id:
        return {}
    target = chat.messages.get(message_id)
    if target is None:
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": {k: v for k, v in target.raw.items() if k != "reply_to_message"}}


def send_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    text: str = params["text"]
    parsed = _parse(text, params, "entities")
    if not parsed.text:
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    markup = check_markup(params.get("reply_markup"))
    content: dict[str, Any] = {**_reply_to(chat, params), "text": parsed.text}
    entities = _entities(parsed, params, "entities")
    if entities:
        content["entities"] = entities
    return _commit(
        server, chat, "sendMessage", content, kind="text", parsed=parsed, html=text, markup=markup
    )


def _caption(params: dict[str, Any]) -> tuple[Parsed, dict[str, Any]]:
    caption = params.get("caption")
    if not caption:
        return Parsed(""), {}
    parsed = _parse(caption, params, "caption_entities")
    if len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {"caption": parsed.text} if parsed.text else {}
    entities = _entities(parsed, params, "caption_entities")
    if entities and parsed.text:
        content["caption_entities"] = entities
    return parsed, content


def _file_info(stored: StoredFile) -> DocumentInfo:
    return DocumentInfo(stored.filename, stored.data, stored.mime_type, stored.file_id)


def send_document(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    stored = server.resolve_file(params["document"], "documents")
    parsed, content = _caption(params)
    content.update(_reply_to(chat, params))
    markup = check_markup(params.get("reply_markup"))
    content["document"] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }
    return _commit(
        server,
        chat,
        "sendDocument",
        content,
        kind="document",
        parsed=parsed,
        html=params.get("caption") or "",
        markup=markup,
        document=_file_info(stored),
    )


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 800,
            "height": 600,
            "file_size": len(stored.data),
        }
    ]


def send_photo(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    stored = server.resolve_file(params["photo"], "photos")
    parsed, content = _caption(params)
    content.update(_reply_to(chat, params))
    markup = check_markup(params.get("reply_markup"))
    content["photo"] = photo_sizes(stored)
    return _commit(
        server,
        chat,
        "sendPhoto",
        content,
        kind="photo",
        parsed=parsed,
        html=params.get("caption") or "",
        markup=markup,
        document=_file_info(stored),
    )


_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "document", "photo", "sticker")


def _source(server: FakeTelegramServer, params: dict[str, Any], verb: str) -> BotMessage:
    source_chat = server.chat(params["from_chat_id"])
    message = source_chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request(f"message to {verb} not found")
    return message


def copy_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    source = _source(server, params, "copy")
    chat = server.target_chat(params["chat_id"])
    content = {k: v for k, v in source.raw.items() if k in _CONTENT_KEYS}
    parsed = Parsed(source.text)
    html = source.html
    if "caption" in params and "text" not in content:
        parsed, caption = _caption(params)
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(caption)
        html = params.get("caption") or ""
    markup = check_markup(params.get("reply_markup"))
    raw = _commit(
        server,
        chat,
        "copyMessage",
        content,
        kind=source.kind,
        parsed=parsed,
        html=html,
        markup=markup,
        document=source.document,
    )
    return {"message_id": raw["message_id"]}


def forward_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    source = _source(server, params, "forward")
    chat = server.target_chat(params["chat_id"])
    content = {k: v for k, v in source.raw.items() if k in _CONTENT_KEYS}
    content["forward_origin"] = {
        "type": "user",
        "sender_user": source.raw.get("from", server.bot_user),
        "date": source.raw.get("date", server.now()),
    }
    return _commit(
        server,
        chat,
        "forwardMessage",
        content,
        kind=source.kind,
        parsed=Parsed(source.text),
        html=source.html,
        markup=None,
        document=source.document,
    )


def _editable(server: FakeTelegramServer, params: dict[str, Any]) -> tuple[ChatState, BotMessage]:
    if "inline_message_id" in params:
        raise ApiError(
            400, "Bad Request: fake server: inline messages are not implemented", violation=True
        )
    if "chat_id" not in params or "message_id" not in params:
        raise ApiError(400, "Bad Request: message identifier is not specified", violation=True)
    chat = server.chat(params["chat_id"])
    message = chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    server: FakeTelegramServer,
    chat: ChatState,
    old: BotMessage,
    raw: dict[str, Any],
    **changes: Any,
) -> dict[str, Any]:
    raw["edit_date"] = server.now()
    chat.replace(replace(old, edited=True, raw=raw, **changes))
    server.stats.record_edit()
    return raw


def _with_markup(raw: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    # Like Telegram, an edit without reply_markup removes the inline keyboard.
    markup = _inline_only(check_markup(params.get("reply_markup")))
    if markup is None:
        raw.pop("reply_markup", None)
    else:
        raw["reply_markup"] = markup
    return raw


def _without_edit_date(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "edit_date"}


def edit_message_text(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat, old = _editable(server, params)
    if old.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text = params.get("text")
    if not text:
        raise bad_request("message text is empty")
    parsed = _parse(text, params, "entities")
    if not parsed.text:
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    raw = _without_edit_date(old.raw)
    raw["text"] = parsed.text
    raw.pop("entities", None)
    entities = _entities(parsed, params, "entities")
    if entities:
        raw["entities"] = entities
    _with_markup(raw, params)
    old_cmp = _without_edit_date(old.raw)
    if raw == old_cmp:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(server, chat, old, raw, text=parsed.text, html=text)


def edit_message_caption(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat, old = _editable(server, params)
    if old.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    parsed, caption = _caption(params)
    raw = _without_edit_date(old.raw)
    raw.pop("caption", None)
    raw.pop("caption_entities", None)
    raw.update(caption)
    _with_markup(raw, params)
    if raw == _without_edit_date(old.raw):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        server,
        chat,
        old,
        raw,
        text=parsed.text,
        html=params.get("caption") or "",
    )


def edit_message_reply_markup(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat, old = _editable(server, params)
    raw = _with_markup(_without_edit_date(old.raw), params)
    if raw == _without_edit_date(old.raw):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(server, chat, old, raw)


def delete_message(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.chat(params["chat_id"])
    if chat.delete(params["message_id"]) is None:
        raise bad_request("message to delete not found")
    return True


CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def send_chat_action(server: FakeTelegramServer, params: dict[str, Any]) -> bool:
    chat = server.target_chat(params["chat_id"])
    action = params["action"]
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True


def get_file(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    stored = server.files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
}
