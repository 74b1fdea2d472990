"""Telegram's HTML parse mode, strict like the real server (modelled on TDLib's parse_html).

Telegram rejects a whole message when its HTML is malformed ("can't parse entities: ..."), which
in production means a user never gets an answer. Parsing the same way here makes an unescaped
``<`` in a translation or user-supplied text fail the tests instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.sandbox.errors import ApiError

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED = frozenset({*_SIMPLE_TAGS, "a", "span", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,8}));")
_TAG_NAME = re.compile(r"[^\s>]*")
_ATTR_NAME = re.compile(r"[a-zA-Z0-9_-]*")
_UNQUOTED = re.compile(r"[^\s>]*")


@dataclass(slots=True)
class Span:
    """An entity in Python string indices (end exclusive)."""

    type: str
    start: int
    end: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None


@dataclass(slots=True)
class Parsed:
    text: str
    spans: list[Span] = field(default_factory=list)

    def entities(self) -> list[dict[str, object]]:
        """MessageEntity objects as Telegram returns them (UTF-16 offsets)."""
        return to_message_entities(self.text, self.spans)


@dataclass(slots=True)
class _Open:
    tag: str
    start: int
    attrs: dict[str, str]


def _error(source: str, pos: int, text: str) -> ApiError:
    offset = len(source[:pos].encode("utf-8"))
    detail = text.replace("{offset}", str(offset))
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def parse_html(source: str) -> Parsed:
    """Parse Telegram HTML into plain text and entities; raise ApiError like Telegram does."""
    out: list[str] = []
    length = 0  # len("".join(out)), kept incrementally
    stack: list[_Open] = []
    spans: list[Span] = []
    pos = 0
    n = len(source)
    while True:
        m = _SPECIAL.search(source, pos)
        end = m.start() if m else n
        if end > pos:
            chunk = source[pos:end]
            out.append(chunk)
            length += len(chunk)
        if m is None:
            break
        pos = end
        if source[pos] == "&":
            em = _ENTITY.match(source, pos)
            char = _decode_entity(em) if em else None
            if char is None:
                out.append("&")
                length += 1
                pos += 1
            else:
                assert em is not None
                out.append(char)
                length += len(char)
                pos = em.end()
            continue
        if source.startswith("</", pos):
            close = source.find(">", pos)
            if close < 0:
                raise _error(source, pos, "Unclosed end tag at byte offset {offset}")
            name = source[pos + 2 : close].strip().lower()
            if not stack:
                raise _error(source, pos, "Unexpected end tag at byte offset {offset}")
            top = stack.pop()
            if name != top.tag:
                raise _error(
                    source,
                    pos,
                    "Unmatched end tag at byte offset {offset}, "
                    f'expected "</{top.tag}>", found "</{name}>"',
                )
            span = _make_span(top, length, stack)
            if span is not None:
                spans.append(span)
            pos = close + 1
            continue
        tag_start = pos
        nm = _TAG_NAME.match(source, pos + 1)
        assert nm is not None
        name = nm.group().lower()
        pos = nm.end()
        if pos >= n:
            raise _error(source, tag_start, "Unclosed start tag at byte offset {offset}")
        if name not in _SUPPORTED:
            raise _error(
                source, tag_start, f'Unsupported start tag "{name}" at byte offset {{offset}}'
            )
        attrs, pos = _parse_attrs(source, pos, name, tag_start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _error(
                source,
                tag_start,
                'Tag "span" must have class "tg-spoiler" at byte offset {offset}',
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise _error(
                source,
                tag_start,
                'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}',
            )
        stack.append(_Open(name, length, attrs))
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: "
            f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"',
        )
    return _strip(Parsed("".join(out), sorted(spans, key=lambda s: (s.start, -s.end))))


def _parse_attrs(source: str, pos: int, tag: str, tag_start: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise _error(source, tag_start, "Unclosed start tag at byte offset {offset}")
        if source[pos] == ">":
            return attrs, pos + 1
        am = _ATTR_NAME.match(source, pos)
        assert am is not None
        attr = am.group().lower()
        if not attr:
            raise _error(
                source, pos, f'Empty attribute name in the tag "{tag}" at byte offset {{offset}}'
            )
        pos = am.end()
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise _error(source, tag_start, "Unclosed start tag at byte offset {offset}")
        if source[pos] != "=":
            if tag == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                continue
            raise _error(
                source,
                pos,
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {{offset}}',
            )
        pos += 1
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise _error(source, tag_start, "Unclosed start tag at byte offset {offset}")
        quote = source[pos]
        if quote in "\"'":
            close = source.find(quote, pos + 1)
            if close < 0:
                raise _error(source, tag_start, "Unclosed start tag at byte offset {offset}")
            raw = source[pos + 1 : close]
            pos = close + 1
        else:
            um = _UNQUOTED.match(source, pos)
            assert um is not None
            raw = um.group()
            pos = um.end()
        attrs[attr] = _unescape(raw)


def _decode_entity(m: re.Match[str]) -> str | None:
    dec, hexa, named = m.groups()
    if named is not None:
        return _NAMED_ENTITIES.get(named)
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape(raw: str) -> str:
    if "&" not in raw:
        return raw

    def repl(m: re.Match[str]) -> str:
        char = _decode_entity(m)
        return m.group() if char is None else char

    return _ENTITY.sub(repl, raw)


def _make_span(top: _Open, end: int, stack: list[_Open]) -> Span | None:
    if end <= top.start:
        return None
    tag = top.tag
    if tag == "a":
        href = top.attrs.get("href", "")
        return Span("text_link", top.start, end, url=href) if href else None
    if tag == "span":
        return Span("spoiler", top.start, end)
    if tag == "tg-emoji":
        return Span("custom_emoji", top.start, end, custom_emoji_id=top.attrs["emoji-id"])
    if tag == "blockquote" and "expandable" in top.attrs:
        return Span("expandable_blockquote", top.start, end)
    if tag == "code" and stack and stack[-1].tag == "pre":
        lang = top.attrs.get("class", "")
        if lang.startswith("language-"):
            # Telegram folds <pre><code class="language-x"> into one pre entity with a language.
            stack[-1].attrs["language"] = lang[len("language-") :]
            return None
    if tag == "pre":
        return Span("pre", top.start, end, language=top.attrs.get("language"))
    return Span(_SIMPLE_TAGS[tag], top.start, end)


def _strip(parsed: Parsed) -> Parsed:
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    lead = len(text) - len(text.lstrip())
    limit = len(stripped)
    spans = []
    for s in parsed.spans:
        start, end = max(s.start - lead, 0), min(s.end - lead, limit)
        if end > start:
            s.start, s.end = start, end
            spans.append(s)
    return Parsed(stripped, spans)


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def to_message_entities(text: str, spans: list[Span]) -> list[dict[str, object]]:
    result: list[dict[str, object]] = []
    for s in spans:
        offset = utf16_len(text[: s.start])
        entity: dict[str, object] = {
            "type": s.type,
            "offset": offset,
            "length": utf16_len(text[s.start : s.end]),
        }
        if s.url is not None:
            entity["url"] = s.url
        if s.language:
            entity["language"] = s.language
        if s.custom_emoji_id is not None:
            entity["custom_emoji_id"] = s.custom_emoji_id
        result.append(entity)
    return result


def plain_text(source: str, parse_mode: str | None) -> Parsed:
    """Text as the user sees it for a given parse_mode (only HTML is interpreted)."""
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_html(source)
    return _strip(Parsed(source))
