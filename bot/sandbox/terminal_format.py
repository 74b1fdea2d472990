"""How the terminal sandbox shows messages: a phone-width column with numbered buttons.

Text is wrapped at ``PHONE_WIDTH`` columns, about what a phone shows in portrait, so a long
message looks long. Callback answers (toasts and alerts) get their own ``[toast]`` lines, apart
from anything the bot writes itself.
"""

from __future__ import annotations

import textwrap

from bot.sandbox.errors import ApiError
from bot.sandbox.html_check import Span, parse_html
from bot.sandbox.models import BotMessage
from bot.sandbox.state import CallbackQueryState

PHONE_WIDTH = 40
INDENT = "  "

_MARKERS = {
    "bold": ("**", "**"),
    "italic": ("_", "_"),
    "underline": ("__", "__"),
    "strikethrough": ("~~", "~~"),
    "spoiler": ("||", "||"),
    "code": ("`", "`"),
    "pre": ("```\n", "\n```"),
}
_MEDIA_ICONS = {
    "photo": "🖼",
    "document": "📎",
    "voice": "🎤",
    "video": "🎬",
    "audio": "🎵",
    "sticker": "🏷",
}


def render_html(message: BotMessage) -> str:
    """The message text with ANSI-free markers (**bold**, _italic_, `code`, links as (url))."""
    try:
        parsed = parse_html(message.html)
    except ApiError:
        return message.text
    if parsed.text != message.text:
        return message.text  # not sent as HTML: show the plain text
    return _with_markers(parsed.text, parsed.spans)


def _with_markers(text: str, spans: list[Span]) -> str:
    inserts: list[tuple[int, int, int, str]] = []
    for s in spans:
        if s.type == "text_link":
            opening, closing = "", f" ({s.url})"
        elif s.type in ("blockquote", "expandable_blockquote"):
            opening, closing = "「", "」"
        else:
            opening, closing = _MARKERS.get(s.type, ("", ""))
        # At one position, closings go before openings; inner spans close first, open last.
        inserts.append((s.start, 1, -s.end, opening))
        inserts.append((s.end, 0, -s.start, closing))
    inserts.sort()
    out: list[str] = []
    pos = 0
    for at, _, _, marker in inserts:
        out.append(text[pos:at])
        out.append(marker)
        pos = at
    out.append(text[pos:])
    return "".join(out)


def wrap(text: str, width: int = PHONE_WIDTH) -> list[str]:
    """Lines of at most ``width`` characters; the text's own line breaks are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""]
        )
    return lines


def media_line(message: BotMessage) -> str | None:
    icon = _MEDIA_ICONS.get(message.kind)
    if message.document is not None:
        return f"{icon or '📎'} {message.document.filename} ({message.document.size} bytes)"
    if icon is not None:
        return f"{icon} {message.kind}"
    if message.kind not in ("text", "service"):
        return f"[{message.kind}]"
    return None


def format_message(
    message: BotMessage, first_number: int = 1, edited: bool = False, width: int = PHONE_WIDTH
) -> str:
    """The bot's message: ``🤖 #id``, media, wrapped text, then buttons numbered from
    ``first_number`` (inline first, then the reply keyboard's)."""
    lines = [f"🤖 #{message.message_id}" + (" (edited)" if edited else "")]
    media = media_line(message)
    if media is not None:
        lines.append(INDENT + media)
    body = render_html(message)
    if body:
        lines.extend(INDENT + line for line in wrap(body, width))
    number = first_number
    for row in message.buttons:
        cells = []
        for button in row:
            suffix = f" → {button.url}" if button.url else ""
            cells.append(f"[{number}] {button.text}{suffix}")
            number += 1
        lines.append(INDENT + "  ".join(cells))
    if message.reply_keyboard:
        for labels in message.reply_keyboard:
            cells = []
            for label in labels:
                cells.append(f"[{number}] {label}")
                number += 1
            lines.append(INDENT + "⌨ " + "  ".join(cells))
    elif message.remove_keyboard:
        lines.append(INDENT + "⌨ (keyboard removed)")
    return "\n".join(lines)


def format_answer(query: CallbackQueryState, width: int = PHONE_WIDTH) -> str:
    """A callback answer as the phone shows it: a toast, or an alert box to dismiss."""
    label = "[alert]" if query.show_alert else "[toast]"
    lines = wrap(query.text, width - len(label) - 1)
    first, rest = lines[0], lines[1:]
    pad = " " * (len(label) + 1)
    return "\n".join([f"{INDENT}{label} {first}", *(f"{INDENT}{pad}{line}" for line in rest)])
