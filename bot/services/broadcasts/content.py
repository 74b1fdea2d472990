"""What a broadcast says, checked against Telegram's limits before anything is queued."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.delivery.messages import MAX_CAPTION, MAX_TEXT, visible_length
from db.repositories.broadcasts import Version

KINDS = ("text", "photo", "video", "document")
MAX_BUTTONS = 8
MAX_BUTTON_TEXT = 64
_SCHEMES = ("http", "https", "tg")


class BroadcastInputError(ValueError):
    """Bad input, with a code the view turns into a sentence; ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_version(version: Version) -> Version:
    if version.kind not in KINDS:
        raise BroadcastInputError("unsupported")
    length = visible_length(version.text) if version.text else 0
    if version.kind == "text":
        if length == 0:
            raise BroadcastInputError("empty")
        if length > MAX_TEXT:
            raise BroadcastInputError("text_too_long", length=length, limit=MAX_TEXT)
    else:
        if not version.file_id:
            raise BroadcastInputError("unsupported")
        if length > MAX_CAPTION:
            raise BroadcastInputError("caption_too_long", length=length, limit=MAX_CAPTION)
    return version


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc or " " in url:
        raise BroadcastInputError("bad_url", url=url[:100])
    if parts.scheme.lower() != "tg" and "." not in parts.netloc:
        raise BroadcastInputError("bad_url", url=url[:100])
    return url


@dataclass(frozen=True, slots=True)
class UrlButton:
    text: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "url": self.url}


def parse_buttons(text: str) -> list[list[dict[str, str]]]:
    """One button per line: ``Label - https://…``; several on a line are separated by ``|``."""
    rows: list[list[dict[str, str]]] = []
    count = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        row: list[dict[str, str]] = []
        for part in line.split("|"):
            label, sep, url = part.strip().rpartition(" - ")
            if not sep or not label.strip() or not url.strip():
                raise BroadcastInputError("bad_button", line=part.strip()[:100])
            label = label.strip()
            if len(label) > MAX_BUTTON_TEXT:
                raise BroadcastInputError("button_text_too_long", limit=MAX_BUTTON_TEXT)
            row.append(UrlButton(label, check_url(url)).as_dict())
            count += 1
        rows.append(row)
    if count == 0:
        raise BroadcastInputError("bad_button", line=text.strip()[:100])
    if count > MAX_BUTTONS:
        raise BroadcastInputError("too_many_buttons", count=count, limit=MAX_BUTTONS)
    return rows
