"""Chat with the bot from a terminal through the fake server.

The terminal shows one place at a time: the private chat with the bot, or a group (for a forum,
one topic of it). Activity elsewhere is announced in one line, and ``/chat NAME`` or
``/topic N`` switches. A place pairs a chat with the simulated user who types there, so a
second identity (say, a consultant next to a founder) is one more ``Place``.

Input and output are injected callables, so the loop is testable with scripted input;
``stdin_reader`` provides the interactive version.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.client import FAKE_JPEG, SimUser
from bot.sandbox.groups import SimGroup
from bot.sandbox.models import BotMessage
from bot.sandbox.terminal_format import format_answer, format_message, render_html
from bot.sandbox.views import ChatView, TopicView

__all__ = ["HELP", "Place", "Terminal", "chat_loop", "format_message", "render_html"]

HELP = """\
Type a message and press Enter. Also:
  N        press button N of the latest keyboard
  M.N      press button N of message #M
  /file PATH, /photo [PATH], /sticker, /voice
           send a document, a photo, a sticker, a voice note
  /chat NAME, /topic N
           switch chats (without an argument: list them)
  \\text    send the line as typed (\\3, \\/file)
  /sandbox this help; /quit or Ctrl-D leaves"""
RECENT = 5  # messages shown when switching to a chat

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Place:
    """A chat the terminal can show, and the simulated user who types in it."""

    name: str
    user: SimUser
    chat: ChatView  # the user itself for the private chat, or a SimGroup


class Terminal:
    def __init__(self, places: list[Place], write: Write) -> None:
        if not places:
            raise ValueError("the terminal needs at least one place")
        self.places = {p.name: p for p in places}
        self.place = places[0]
        self.view = self._home_view(self.place)
        self.server = self.place.user.server
        self._write = write
        self._cursors = {p.chat.chat_id: len(p.chat.state.events) for p in places}
        self._shown_answers: set[str] = set()
        self._keyboard: BotMessage | None = None
        self._commands: dict[str, Callable[[str], Awaitable[None]]] = {
            "/sandbox": self._help,
            "/chat": self._switch_chat,
            "/topic": self._switch_topic,
            "/topics": self._switch_topic,
            "/file": self._send_file,
            "/photo": self._send_photo,
            "/sticker": self._send_sticker,
            "/voice": self._send_voice,
        }

    def out(self, text: str) -> None:
        self._write(text + "\n")

    # ------------------------------------------------------------- showing

    def show_current(self, recent: int | None = None) -> None:
        """Print the current view's messages (the last ``recent`` of them)."""
        messages = self.view.messages
        if recent is not None:
            messages = messages[-recent:]
        for message in messages:
            self._show(message, edited=message.edited)

    def _show(self, message: BotMessage, edited: bool) -> None:
        if message.has_buttons or message.reply_keyboard:
            self._keyboard = message
        elif self._keyboard is not None and self._keyboard.message_id == message.message_id:
            self._keyboard = None  # an edit removed the keyboard
        self.out(format_message(message, edited=edited))

    def flush(self) -> None:
        """Print what happened since the last flush: here in full, elsewhere as one line."""
        elsewhere: dict[str, None] = {}
        for chat_id in self._cursors:
            state = self.server.chat(chat_id)
            events = state.events
            for event in events[self._cursors[chat_id] :]:
                message = event.message
                if not self._in_view(message):
                    elsewhere[self._where(message)] = None
                elif event.kind == "delete":
                    self.out(f"🗑 #{message.message_id} deleted")
                else:
                    self._show(message, edited=event.kind == "edit")
            self._cursors[chat_id] = len(events)
        for where in elsewhere:
            self.out(f"  · new in {where}")
        for user in {id(p.user): p.user for p in self.places.values()}.values():
            for query in user.answered_queries:
                if query.id not in self._shown_answers:
                    self._shown_answers.add(query.id)
                    if query.text:
                        self.out(format_answer(query))

    def _in_view(self, message: BotMessage) -> bool:
        view = self.view
        return message.chat_id == view.chat_id and (
            view.thread == "any" or message.thread_id == view.thread
        )

    def _where(self, message: BotMessage) -> str:
        place = next(p for p in self.places.values() if p.chat.chat_id == message.chat_id)
        if not place.chat.state.is_forum:
            return f"{place.name} (/chat {place.name})"
        topic = TopicView(self.server, message.chat_id, message.thread_id)
        hint = f"/chat {place.name}, /topic {message.thread_id or 'general'}"
        return f"{place.name} · {self._topic_title(topic)} ({hint})"

    @staticmethod
    def _topic_title(topic: TopicView) -> str:
        if topic.thread_id is None:
            return f"General «{topic.name}»" if topic.name != "General" else "General"
        closed = " (closed)" if topic.closed else ""
        return f"topic #{topic.thread_id} «{topic.name}»{closed}"

    @staticmethod
    def _home_view(place: Place) -> ChatView:
        chat = place.chat
        if isinstance(chat, SimGroup) and chat.is_forum:
            return chat.general
        return chat

    def _header(self) -> None:
        title = self.place.name
        if isinstance(self.place.chat, SimGroup):
            title += f" «{self.place.chat.title}»"
        if isinstance(self.view, TopicView):
            title += " · " + self._topic_title(self.view)
        self.out(f"── {title} ──")

    # ------------------------------------------------------------- input

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        text = line.rstrip("\r\n")
        stripped = text.strip()
        if not stripped:
            return True
        if stripped == "/quit":
            return False
        if stripped.startswith("\\"):
            await self._say(stripped[1:])
        elif stripped.isdigit():
            await self._press_latest(int(stripped))
        elif re.fullmatch(r"\d+\.\d+", stripped):
            message_id, number = (int(part) for part in stripped.split("."))
            await self._press_old(message_id, number)
        else:
            command, _, argument = stripped.partition(" ")
            handler = self._commands.get(command)
            if handler is not None:
                await handler(argument.strip())
            else:
                await self._say(text)
        return True

    async def _say(self, text: str) -> None:
        if text.strip():
            await self.place.user.send(text, chat=self.view)

    async def _press_latest(self, number: int) -> None:
        if self._keyboard is None:
            self.out(f"(no button {number})")
            return
        await self._press(self._keyboard, number)

    async def _press_old(self, message_id: int, number: int) -> None:
        message = self.view.state.messages.get(message_id)
        if message is None or not message.from_bot or not self._in_view(message):
            self.out(f"(no message #{message_id} here)")
            return
        await self._press(message, number)

    async def _press(self, message: BotMessage, number: int) -> None:
        targets: list[tuple[str, str]] = [
            ("inline", b.callback_data) if b.callback_data is not None else ("url", b.url or "")
            for row in message.buttons
            for b in row
        ]
        targets.extend(("reply", label) for row in message.reply_keyboard or [] for label in row)
        if not 1 <= number <= len(targets):
            self.out(f"(no button {number})")
            return
        kind, value = targets[number - 1]
        user = self.place.user
        if kind == "inline":
            await user.press_data(value, message.message_id, chat=self.view)
        elif kind == "url":
            self.out(f"(a link button: {value})")
        else:
            await user.send(value, chat=self.view)

    # ------------------------------------------------------------- commands

    async def _help(self, argument: str) -> None:
        self.out(HELP)

    async def _switch_chat(self, argument: str) -> None:
        place = self.places.get(argument)
        if place is None:
            names = ", ".join(self.places)
            current = self.place.name
            self.out(f"(chats: {names}; now in {current}. Switch with /chat NAME)")
            return
        self.place = place
        self.view = self._home_view(place)
        self._enter()

    async def _switch_topic(self, argument: str) -> None:
        group = self.place.chat
        if not isinstance(group, SimGroup) or not group.is_forum:
            self.out("(this chat has no topics)")
            return
        if not argument:
            lines = [f"  {self._topic_title(t)}: /topic {t.id}" for t in group.topics]
            self.out("\n".join(["(topics)", "  General: /topic general", *lines]))
            return
        if argument.lower() in ("general", "0"):
            self.view = group.general
        elif argument.isdigit() and int(argument) in group.state.topics:
            self.view = group.topic(int(argument))
        else:
            self.out(f"(no topic {argument}; /topic lists them)")
            return
        self._enter()

    def _enter(self) -> None:
        self._keyboard = None
        self._header()
        if not self.view.messages:
            self.out("  (nothing here yet)")
        self.show_current(RECENT)

    async def _send_file(self, argument: str) -> None:
        found = self._read(argument)
        if found is None:
            return
        name, data = found
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        await self.place.user.send_document(name, data, mime_type=mime, chat=self.view)
        self.out(f"  (you sent {name}, {len(data)} bytes)")

    async def _send_photo(self, argument: str) -> None:
        found = self._read(argument) if argument else ("photo.jpg", FAKE_JPEG)
        if found is None:
            return
        await self.place.user.send_photo(data=found[1], chat=self.view)
        self.out(f"  (you sent a photo, {len(found[1])} bytes)")

    async def _send_sticker(self, argument: str) -> None:
        await self.place.user.send_sticker(argument or "👍", chat=self.view)
        self.out("  (you sent a sticker)")

    async def _send_voice(self, argument: str) -> None:
        seconds = int(argument) if argument.isdigit() else 3
        await self.place.user.send_voice(duration=seconds, chat=self.view)
        self.out(f"  (you sent a {seconds} s voice message)")

    def _read(self, argument: str) -> tuple[str, bytes] | None:
        """The file's name and bytes (a small local file: reading it blocks only briefly)."""
        if not argument:
            self.out("(which file? /file PATH)")
            return None
        path = Path(argument).expanduser()
        try:
            return path.name, path.read_bytes()
        except OSError as error:
            self.out(f"(cannot read {argument}: {error.strerror or error})")
            return None

    # ------------------------------------------------------------- running

    async def run(self, read_line: ReadLine) -> None:
        self.out(HELP)
        if len(self.places) > 1:
            self._header()
        self.show_current()
        printer = asyncio.get_running_loop().create_task(self._print_activity())
        try:
            while True:
                line = await read_line()
                if line is None or not await self.handle(line):
                    return
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer

    async def _print_activity(self) -> None:
        while True:
            changed = self.server.next_activity()
            self.flush()
            await changed.wait()


async def chat_loop(
    user: SimUser,
    read_line: ReadLine,
    write: Write,
    *,
    group: SimGroup | None = None,
) -> None:
    """Print the bot's activity in ``user``'s chat (and ``group``, switchable) and send what is
    typed until /quit or EOF.

    ``read_line`` is called (not awaited once) for every line. ``write`` gets whole lines ending
    in a newline, so ``sys.stdout.write`` fits.
    """
    places = [Place("private", user, user)]
    if group is not None:
        places.append(Place("group", user, group))
    await Terminal(places, write).run(read_line)


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
