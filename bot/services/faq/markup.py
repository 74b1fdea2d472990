"""The small subset of Telegram HTML that FAQ answers may use: checking, measuring, trimming.

Telegram rejects a whole message when its HTML is malformed, and counts the 4096-character limit
on the text *after* entity parsing, so the loader checks answers up front and the renderer measures
and trims on the parsed text rather than on the raw markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

TELEGRAM_TEXT_LIMIT: Final = 4096

# Tags Telegram understands that make sense in an FAQ answer (no <br>: newlines are literal).
ALLOWED_TAGS: Final = frozenset({"b", "strong", "i", "em", "u", "s", "code", "a", "blockquote"})
_SAFE_SCHEMES: Final = ("https://", "http://", "tg://", "mailto:")

_TOKEN_RE: Final = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|&(?P<entity>lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});"
    r"|(?P<text>[^<&]+)"
    r"|(?P<bad>[<&])"
)
# ``{mrp:6.5}``: an amount in monthly calculation indices, expanded to tenge at render time.
MRP_PLACEHOLDER_RE: Final = re.compile(r"\{mrp:(\d+(?:[.,]\d+)?)\}")
# ``{button:ask_consultant}``: a bot button named in an answer. The caller supplies the labels from
# the same catalogue entries as the buttons themselves, so the text and the button cannot drift.
BUTTON_PLACEHOLDER_RE: Final = re.compile(r"\{button:([a-z_]+)\}")
BUTTON_NAMES: Final = frozenset(
    {
        "ask_consultant",  # ✍️ Ask a consultant
        "faq_topics",  # 📚 Questions and answers (main menu)
        "all_topics",  # 📚 All topics (under search results)
        "events",  # 📅 Events and deadlines
        "reminders",  # 🔔 Reminders
        "my_region",  # 📍 My region
        "language",  # 🌐 Language
        "help",  # ℹ️ Help
        "helpful",  # 👍 Helpful
        "not_helpful",  # 👎 Not helpful
        "main_menu",  # 🏠 Main menu
    }
)
# Anything that looks like a placeholder, so the loader can reject misspelt ones.
ANY_PLACEHOLDER_RE: Final = re.compile(r"\{[a-zA-Z_]+(?::[^{}]*)?\}")
_HREF_RE: Final = re.compile(r"""^\s+href\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$""")


def bad_placeholders(text: str) -> list[tuple[str, str]]:
    """The placeholders in an answer that cannot be filled in, each as ``(placeholder, kind)``:
    ``button`` for ``{button:NAME}`` with an unknown name, ``unknown`` for anything else that is
    neither ``{mrp:AMOUNT}`` nor a known button."""
    out: list[tuple[str, str]] = []
    for m in ANY_PLACEHOLDER_RE.finditer(text):
        placeholder = m.group(0)
        button = BUTTON_PLACEHOLDER_RE.fullmatch(placeholder)
        if button is not None:
            if button.group(1) not in BUTTON_NAMES:
                out.append((placeholder, "button"))
        elif not MRP_PLACEHOLDER_RE.fullmatch(placeholder):
            out.append((placeholder, "unknown"))
    return out


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    text: str  # what Telegram shows for this token ("" for tags)
    tag: str | None = None
    closing: bool = False


def _tokens(markup: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN_RE.finditer(markup):
        if m.group("tag") is not None:
            out.append(_Token(m.group(0), "", m.group("tag").lower(), bool(m.group("close"))))
        elif m.group("entity") is not None:
            out.append(_Token(m.group(0), html.unescape(m.group(0))))
        elif m.group("text") is not None:
            out.append(_Token(m.group(0), m.group(0)))
        else:
            out.append(_Token(m.group(0), m.group(0), tag="#bad"))
    return out


def check_html(markup: str) -> list[str]:
    """Problems that would make Telegram reject (or mis-render) this markup; empty if fine."""
    problems: list[str] = []
    stack: list[str] = []
    for tok in _tokens(markup):
        if tok.tag == "#bad":
            problems.append(f"bare {tok.raw!r}: write &lt; or &amp;")
        elif tok.tag is None:
            continue
        elif tok.tag not in ALLOWED_TAGS:
            allowed = ", ".join(sorted(ALLOWED_TAGS))
            problems.append(f"tag <{tok.tag}> is not allowed (use {allowed})")
        elif tok.closing:
            if not stack or stack[-1] != tok.tag:
                problems.append(f"unexpected </{tok.tag}>")
            else:
                stack.pop()
        else:
            attrs = tok.raw[len(tok.tag) + 1 : -1]
            if tok.tag == "a":
                m = _HREF_RE.match(attrs)
                href = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
                if href is None:
                    problems.append(f"<a> needs exactly one href attribute: {tok.raw!r}")
                elif not html.unescape(href).startswith(_SAFE_SCHEMES):
                    problems.append(f"link must be http(s)/tg/mailto: {href!r}")
            elif attrs.strip():
                problems.append(f"<{tok.tag}> takes no attributes: {tok.raw!r}")
            stack.append(tok.tag)
    if stack:
        problems.append("unclosed " + ", ".join(f"<{t}>" for t in stack))
    return problems


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units; an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(markup: str) -> str:
    """The text Telegram displays for this markup (tags removed, entities decoded)."""
    return "".join(tok.text for tok in _tokens(markup))


@lru_cache(maxsize=512)
def rendered_length(markup: str) -> int:
    """Length of the displayed text in the units Telegram's 4096 limit uses.

    Cached: each answer shown measures the same few texts (an entry with and without its
    heading and hints) again, by a tokenizer in Python."""
    return utf16_len(plain_text(markup))


def trim_html(markup: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut markup so its displayed text fits ``limit``, never inside a tag or an entity.

    Tags left open at the cut are closed, so the result is still valid Telegram HTML.
    """
    if rendered_length(markup) <= limit:
        return markup
    budget = limit - utf16_len(ellipsis)
    out: list[str] = []
    stack: list[str] = []
    for tok in _tokens(markup):
        if tok.tag is not None and tok.tag != "#bad":
            if tok.closing:
                if stack and stack[-1] == tok.tag:
                    stack.pop()
            else:
                stack.append(tok.tag)
            out.append(tok.raw)
            continue
        size = utf16_len(tok.text)
        if size <= budget:
            out.append(tok.raw if tok.tag is None else html.escape(tok.raw))
            budget -= size
            continue
        if tok.raw.startswith("&"):
            break  # an entity is indivisible
        piece = tok.text
        while piece and utf16_len(piece) > budget:
            piece = piece[:-1]
        # Prefer to cut at a word boundary when one is reasonably close.
        cut = piece.rstrip()
        space = max(cut.rfind(" "), cut.rfind("\n"))
        if space >= len(cut) - 40 and space > 0:
            cut = cut[:space].rstrip()
        out.append(html.escape(cut, quote=False))
        break
    out.append(ellipsis)
    out.extend(f"</{tag}>" for tag in reversed(stack))
    return "".join(out)
