"""Chat with the bot from a terminal through the fake server.

Input and output are injected callables, so the loop is testable with scripted input; the
``stdin_reader`` helper provides the interactive version.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Awaitable, Callable

from bot.sandbox.client import SimUser
from bot.sandbox.errors import ApiError
from bot.sandbox.html_check import Span, parse_html
from bot.sandbox.models import BotMessage

HELP = (
    "Type a message and press Enter. A number presses that button of the latest keyboard "
    "(prefix with \\ to send the number as text). /quit or Ctrl-D leaves."
)

_MARKERS = {
    "bold": ("**", "**"),
    "italic": ("_", "_"),
    "underline": ("__", "__"),
    "strikethrough": ("~~", "~~"),
    "spoiler": ("||", "||"),
    "code": ("`", "`"),
    "pre": ("```\n", "\n```"),
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


def format_message(message: BotMessage, first_number: int = 1, edited: bool = False) -> str:
    head = f"🤖 #{message.message_id}" + (" (edited)" if edited else "")
    lines = [head]
    if message.document is not None:
        icon = "🖼" if message.kind == "photo" else "📎"
        lines.append(f"{icon} {message.document.filename} ({message.document.size} bytes)")
    body = render_html(message)
    if body:
        lines.extend("  " + line for line in body.splitlines())
    number = first_number
    for row in message.buttons:
        cells = []
        for button in row:
            suffix = f" → {button.url}" if button.url else ""
            cells.append(f"[{number}] {button.text}{suffix}")
            number += 1
        lines.append("  " + "  ".join(cells))
    if message.reply_keyboard:
        for labels in message.reply_keyboard:
            cells = []
            for label in labels:
                cells.append(f"[{number}] {label}")
                number += 1
            lines.append("  ⌨ " + "  ".join(cells))
    elif message.remove_keyboard:
        lines.append("  ⌨ (keyboard removed)")
    return "\n".join(lines)


class _Keyboard:
    """The buttons the user's number keys refer to: those of the last message shown with any."""

    def __init__(self) -> None:
        self.message: BotMessage | None = None

    def update(self, message: BotMessage) -> None:
        if message.has_buttons or message.reply_keyboard:
            self.message = message
        elif self.message is not None and self.message.message_id == message.message_id:
            self.message = None  # an edit removed the keyboard

    def target(self, number: int) -> tuple[str, str] | None:
        """("inline", callback_data), ("url", url) or ("reply", label) for a button number."""
        if self.message is None:
            return None
        flat: list[tuple[str, str]] = [
            ("inline", b.callback_data) if b.callback_data is not None else ("url", b.url or "")
            for row in self.message.buttons
            for b in row
        ]
        for labels in self.message.reply_keyboard or []:
            flat.extend(("reply", label) for label in labels)
        if 1 <= number <= len(flat):
            return flat[number - 1]
        return None


async def chat_loop(
    user: SimUser,
    read_line: Callable[[], Awaitable[str | None]],
    write: Callable[[str], None],
) -> None:
    """Print the bot's activity in ``user``'s chat and send what is typed until /quit or EOF.

    ``read_line`` is called (not awaited once) for every line. ``write`` gets whole lines ending
    in a newline, so ``sys.stdout.write`` fits.
    """
    keyboard = _Keyboard()
    out = _line_writer(write)
    out(HELP)
    printer = asyncio.get_running_loop().create_task(_print_activity(user, out, keyboard))
    try:
        while True:
            line = await read_line()
            if line is None:
                return
            line = line.rstrip("\r\n")
            if line.strip() == "/quit":
                return
            if not line.strip():
                continue
            await _handle_input(user, line, keyboard, out)
    finally:
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer


async def _handle_input(
    user: SimUser, line: str, keyboard: _Keyboard, write: Callable[[str], None]
) -> None:
    stripped = line.strip()
    if stripped.isdigit():
        target = keyboard.target(int(stripped))
        if target is None:
            write(f"(no button {stripped})")
            return
        kind, value = target
        if kind == "inline":
            assert keyboard.message is not None
            await user.press_data(value, keyboard.message.message_id)
        elif kind == "url":
            write(f"(a link button: {value})")
        else:
            await user.send(value)
        return
    if stripped.startswith("\\") and stripped[1:].isdigit():
        line = stripped[1:]
    await user.send(line)


async def _print_activity(user: SimUser, write: Callable[[str], None], keyboard: _Keyboard) -> None:
    cursor = len(user.state.events)
    for message in user.messages:  # what the bot already said, e.g. before the loop started
        keyboard.update(message)
        write(format_message(message, edited=message.edited))
    shown_alerts = len(user.alerts)
    while True:
        state = user.state
        changed = state.changed()
        events = state.events
        while cursor < len(events):
            event = events[cursor]
            cursor += 1
            if event.kind == "delete":
                write(f"🗑 #{event.message.message_id} deleted")
                continue
            keyboard.update(event.message)
            write(format_message(event.message, edited=event.kind == "edit"))
        alerts = user.alerts
        for text in alerts[shown_alerts:]:
            write(f"🔔 {text}")
        shown_alerts = len(alerts)
        await changed.wait()


def _line_writer(write: Callable[[str], None]) -> Callable[[str], None]:
    def out(text: str) -> None:
        write(text + "\n")

    return out


def _read_stdin_line(loop: asyncio.AbstractEventLoop, future: asyncio.Future[str | None]) -> None:
    line = sys.stdin.readline()
    result = line if line else None
    with contextlib.suppress(RuntimeError):  # the loop may be closed already
        loop.call_soon_threadsafe(_resolve, future, result)


def _resolve(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)


async def stdin_reader() -> str | None:
    """Read one line from stdin without blocking the loop; None at EOF.

    A daemon thread rather than ``run_in_executor``: an executor thread stuck in ``readline``
    would keep ``asyncio.run`` from exiting after /quit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()
    threading.Thread(target=_read_stdin_line, args=(loop, future), daemon=True).start()
    return await future
