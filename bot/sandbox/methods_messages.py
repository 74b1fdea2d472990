"""Message methods of the fake server: send, edit, delete, copy, forward, files.

Each handler runs synchronously inside one request (no awaits), so checks and the state change
they guard cannot interleave with another request.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.sandbox.content import (
    ALBUM_KINDS,
    HOMOGENEOUS_ALBUM_KINDS,
    media_object,
    new_media_group_id,
    strip_content,
)
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.forum import Placement, place
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
    placement: Placement,
    document: DocumentInfo | None = None,
    take_slot: bool = True,
) -> dict[str, Any]:
    if take_slot:
        server.take_send_slot(chat, method)
    raw: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": server.bot_user,
        "chat": chat.chat,
        "date": server.now(),
        **placement.fields,
        **content,
    }
    inline = _inline_only(markup)
    if inline is not None:
        raw["reply_markup"] = inline
    reply_keyboard = parse_reply_keyboard(markup)
    remove = bool(markup and markup.get("remove_keyboard"))
    if reply_keyboard is not None:
        chat.reply_keyboard = reply_keyboard
        chat.reply_keyboard_raw = markup["keyboard"] if markup else None
    elif remove:
        chat.reply_keyboard = None
        chat.reply_keyboard_raw = None
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
            thread_id=placement.thread_id,
        )
    )
    server.stats.record_sent(method)
    return raw


def send_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    text: str = params["text"]
    parsed = _parse(text, params, "entities")
    if not parsed.text:
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    markup = check_markup(params.get("reply_markup"))
    placement = place(chat, params)
    content: dict[str, Any] = {"text": parsed.text}
    entities = _entities(parsed, params, "entities")
    if entities:
        content["entities"] = entities
    return _commit(
        server,
        chat,
        "sendMessage",
        content,
        kind="text",
        parsed=parsed,
        html=text,
        markup=markup,
        placement=placement,
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


def file_info(stored: StoredFile) -> DocumentInfo:
    return DocumentInfo(stored.filename, stored.data, stored.mime_type, stored.file_id)


# Send method -> (its file parameter = the Message field, the folder of its file_path).
MEDIA_METHODS: dict[str, tuple[str, str]] = {
    "sendDocument": ("document", "documents"),
    "sendPhoto": ("photo", "photos"),
    "sendVoice": ("voice", "voice"),
    "sendVideo": ("video", "videos"),
    "sendAudio": ("audio", "music"),
    "sendSticker": ("sticker", "stickers"),
}
_MEDIA_EXTRAS = ("duration", "width", "height", "emoji", "title", "performer")


def _media_sender(method: str) -> Handler:
    kind, folder = MEDIA_METHODS[method]

    def send_media(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
        chat = server.target_chat(params["chat_id"])
        stored = server.resolve_file(params[kind], folder)
        parsed, content = _caption(params)
        markup = check_markup(params.get("reply_markup"))
        placement = place(chat, params)
        extras = {k: params[k] for k in _MEDIA_EXTRAS if k in params}
        content[kind] = media_object(kind, stored, **extras)
        if params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        return _commit(
            server,
            chat,
            method,
            content,
            kind=kind,
            parsed=parsed,
            html=params.get("caption") or "",
            markup=markup,
            placement=placement,
            document=file_info(stored),
        )

    return send_media


MAX_ALBUM = 10


def send_media_group(server: FakeTelegramServer, params: dict[str, Any]) -> list[dict[str, Any]]:
    chat = server.target_chat(params["chat_id"])
    items: list[dict[str, Any]] = params["media"]
    if len(items) > MAX_ALBUM:
        raise bad_request("too many messages to send as an album")
    if not items:
        raise bad_request("there are no messages to send")
    kinds = {item["type"] for item in items}
    if len(kinds) > 1:
        for kind in sorted(kinds & HOMOGENEOUS_ALBUM_KINDS):
            raise bad_request(f"{kind} can't be mixed with other media types")
    prepared = []
    for item in items:
        kind = item["type"]
        if kind not in ALBUM_KINDS:
            raise bad_request("Can't parse InputMedia: invalid message content type")
        media = item["media"]
        if isinstance(media, str) and media.startswith("attach://"):
            raise bad_request("Can't parse InputMedia: media not found")
        stored = server.resolve_file(media, MEDIA_METHODS[f"send{kind.title()}"][1])
        parsed, caption = _caption(item)
        prepared.append((kind, stored, parsed, caption, item))
    placement = place(chat, params)
    server.take_send_slots(chat, "sendMediaGroup", len(prepared))
    group_id = new_media_group_id() if len(prepared) > 1 else None
    sent = []
    for kind, stored, parsed, caption, item in prepared:
        content = {**caption, kind: media_object(kind, stored)}
        if group_id is not None:
            content["media_group_id"] = group_id
        sent.append(
            _commit(
                server,
                chat,
                "sendMediaGroup",
                content,
                kind=kind,
                parsed=parsed,
                html=item.get("caption") or "",
                markup=None,
                placement=placement,
                document=file_info(stored),
                take_slot=False,
            )
        )
    return sent


def _source(server: FakeTelegramServer, params: dict[str, Any], verb: str) -> BotMessage:
    source_chat = server.chat(params["from_chat_id"])
    message = source_chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request(f"message to {verb} not found")
    return message


def _check_ids(params: dict[str, Any]) -> None:
    ids: list[int] = params["message_ids"]
    if not ids:
        raise bad_request("message identifiers are not specified")
    if len(ids) > 100:
        raise bad_request("too many message identifiers specified")


def _sources(server: FakeTelegramServer, params: dict[str, Any]) -> list[BotMessage]:
    """copyMessages/forwardMessages: ids strictly increasing; missing ones are skipped."""
    ids: list[int] = params["message_ids"]
    if any(b <= a for a, b in itertools.pairwise(ids)):
        raise bad_request("message identifiers must be in a strictly increasing order")
    source_chat = server.chat(params["from_chat_id"])
    found = [source_chat.messages[i] for i in ids if i in source_chat.messages]
    found = [m for m in found if m.kind != "service" and m.kind != "users_shared"]
    if not found:
        raise bad_request("there are no messages to forward")
    return found


def _copy_one(
    server: FakeTelegramServer,
    chat: ChatState,
    source: BotMessage,
    params: dict[str, Any],
    method: str,
    *,
    placement: Placement,
    media_group_id: str | None = None,
) -> dict[str, Any]:
    if source.kind in ("service", "users_shared"):
        raise bad_request("message can't be copied")
    content = strip_content(source.raw, remove_caption=bool(params.get("remove_caption")))
    parsed = Parsed(content.get("caption", content.get("text", "")))
    html = source.html
    if "caption" in params and "text" not in content:
        parsed, caption = _caption(params)
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(caption)
        html = params.get("caption") or ""
    elif "caption" not in content and source.kind != "text":
        html = ""
    if media_group_id is not None:
        content["media_group_id"] = media_group_id
    return _commit(
        server,
        chat,
        method,
        content,
        kind=source.kind,
        parsed=parsed,
        html=html,
        markup=check_markup(params.get("reply_markup")),
        placement=placement,
        document=source.document,
    )


def copy_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    placement = place(chat, params)
    source = _source(server, params, "copy")
    raw = _copy_one(server, chat, source, params, "copyMessage", placement=placement)
    return {"message_id": raw["message_id"]}


def _album_ids(sources: list[BotMessage]) -> dict[str, str]:
    """New media_group_ids for albums copied or forwarded together (two or more messages)."""
    counts: dict[str, int] = {}
    for message in sources:
        if message.media_group_id is not None:
            counts[message.media_group_id] = counts.get(message.media_group_id, 0) + 1
    return {old: new_media_group_id() for old, n in counts.items() if n > 1}


def copy_messages(server: FakeTelegramServer, params: dict[str, Any]) -> list[dict[str, Any]]:
    _check_ids(params)
    chat = server.target_chat(params["chat_id"])
    placement = place(chat, params)
    sources = _sources(server, params)
    albums = _album_ids(sources)
    return [
        {
            "message_id": _copy_one(
                server,
                chat,
                source,
                {"remove_caption": params.get("remove_caption")},
                "copyMessages",
                placement=placement,
                media_group_id=albums.get(source.media_group_id or ""),
            )["message_id"]
        }
        for source in sources
    ]


def _forward_one(
    server: FakeTelegramServer,
    chat: ChatState,
    source: BotMessage,
    method: str,
    placement: Placement,
    media_group_id: str | None = None,
) -> dict[str, Any]:
    content = strip_content(source.raw)
    content["forward_origin"] = source.raw.get("forward_origin") or {
        "type": "user",
        "sender_user": source.raw.get("from", server.bot_user),
        "date": source.raw.get("date", server.now()),
    }
    if media_group_id is not None:
        content["media_group_id"] = media_group_id
    return _commit(
        server,
        chat,
        method,
        content,
        kind=source.kind,
        parsed=Parsed(source.text),
        html=source.html,
        markup=None,
        placement=placement,
        document=source.document,
    )


def forward_message(server: FakeTelegramServer, params: dict[str, Any]) -> dict[str, Any]:
    chat = server.target_chat(params["chat_id"])
    placement = place(chat, params)
    source = _source(server, params, "forward")
    if source.kind in ("service", "users_shared"):
        raise bad_request("message can't be forwarded")
    return _forward_one(server, chat, source, "forwardMessage", placement)


def forward_messages(server: FakeTelegramServer, params: dict[str, Any]) -> list[dict[str, Any]]:
    _check_ids(params)
    chat = server.target_chat(params["chat_id"])
    placement = place(chat, params)
    sources = _sources(server, params)
    albums = _album_ids(sources)
    return [
        {
            "message_id": _forward_one(
                server,
                chat,
                source,
                "forwardMessages",
                placement,
                albums.get(source.media_group_id or ""),
            )["message_id"]
        }
        for source in sources
    ]


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
    message = chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    # In groups only admins with the right delete other people's messages.
    if not (message.from_bot or chat.is_private or chat.bot_can("can_delete_messages")):
        raise bad_request("message can't be deleted")
    chat.delete(message.message_id)
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
    **{method: _media_sender(method) for method in MEDIA_METHODS},
    "sendMediaGroup": send_media_group,
    "copyMessage": copy_message,
    "copyMessages": copy_messages,
    "forwardMessage": forward_message,
    "forwardMessages": forward_messages,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
}
