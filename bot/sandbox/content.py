"""Message content objects (document, photo, voice...) as Telegram puts them in a Message.

Both sides build them here: the bot's sends (sendVoice...) and the simulated users' messages, so
a file a user sent and one the bot sent look the same to aiogram.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.sandbox.state import StoredFile

# Message fields that carry content: what copyMessage and forwardMessage take over.
CONTENT_KEYS = frozenset(
    {
        "text",
        "entities",
        "link_preview_options",
        "caption",
        "caption_entities",
        "show_caption_above_media",
        "has_media_spoiler",
        "animation",
        "audio",
        "document",
        "photo",
        "sticker",
        "video",
        "video_note",
        "voice",
        "contact",
        "location",
        "venue",
        "poll",
        "dice",
    }
)
# Kinds a message can have, in the order Telegram's Message lists them (the first present wins).
MEDIA_KINDS = ("animation", "audio", "document", "photo", "sticker", "video", "video_note", "voice")
OTHER_KINDS = ("contact", "location", "venue", "poll", "dice", "users_shared")
# Albums: photos and videos mix; documents and audio files only group with their own kind.
ALBUM_KINDS = frozenset({"photo", "video", "document", "audio"})
HOMOGENEOUS_ALBUM_KINDS = frozenset({"document", "audio"})

_album_ids = itertools.count(13_800_000_000_000_000)


def new_media_group_id() -> str:
    return str(next(_album_ids))


def kind_of(raw: dict[str, Any]) -> str:
    """The kind of a raw Message: text, photo, voice... or service for anything else."""
    if "text" in raw:
        return "text"
    for kind in (*MEDIA_KINDS, *OTHER_KINDS):
        if kind in raw:
            return kind
    return "service"


def file_fields(stored: StoredFile) -> dict[str, Any]:
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}


def media_object(kind: str, stored: StoredFile, **extra: Any) -> Any:
    """The value of the Message field ``kind`` for a stored file (a list of sizes for photos).

    ``extra`` holds what the sender may choose: duration, width, height, emoji, title...
    """
    size = len(stored.data)
    if kind == "photo":
        # Telegram lists several sizes, smallest first; one size keeps every file_id resolvable.
        return [{**file_fields(stored), "width": 800, "height": 600, "file_size": size}]
    obj: dict[str, Any] = file_fields(stored)
    if kind == "sticker":
        obj.update(
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            emoji=extra.get("emoji") or "👍",
            file_size=size,
        )
        return obj
    if kind in ("voice", "audio", "video", "video_note", "animation"):
        obj["duration"] = int(extra.get("duration") or 1)
    if kind in ("video", "animation"):
        obj["width"] = int(extra.get("width") or 640)
        obj["height"] = int(extra.get("height") or 360)
    if kind == "video_note":
        obj["length"] = int(extra.get("length") or 240)
    if kind == "audio":
        for key in ("title", "performer"):
            if extra.get(key):
                obj[key] = extra[key]
    if kind in ("document", "audio", "video", "animation"):
        obj["file_name"] = stored.filename
    if kind != "video_note":
        obj["mime_type"] = stored.mime_type
    obj["file_size"] = size
    return obj


def stored_file_id(raw: dict[str, Any]) -> str | None:
    """The file id of a message's media (the largest photo size), if it has any."""
    for kind in MEDIA_KINDS:
        value = raw.get(kind)
        if value is None:
            continue
        if isinstance(value, list):
            return str(value[-1]["file_id"]) if value else None
        return str(value["file_id"])
    return None


def strip_content(raw: dict[str, Any], *, remove_caption: bool = False) -> dict[str, Any]:
    """The content part of a Message, for a copy or a forward."""
    content = {k: v for k, v in raw.items() if k in CONTENT_KEYS}
    if remove_caption:
        content.pop("caption", None)
        content.pop("caption_entities", None)
    return content
