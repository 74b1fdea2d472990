"""A Bot API stand-in that answers each request with the next scripted step, down to the bytes:
an HTML error page, a JSON error, or a connection closed without an answer. (The project's fake
server answers like Telegram itself; these are the faults of the road in between.)"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

_LENGTH = re.compile(rb"(?im)^content-length:\s*(\d+)\s*$")
_CHUNKED = re.compile(rb"(?im)^transfer-encoding:\s*chunked\s*$")


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


DROP: Final = None  # close the connection after reading the request, without answering
Step = Answer | None

NGINX_502 = Answer(
    502,
    "text/html",
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n",
)


def json_answer(status: int, body: dict[str, Any]) -> Answer:
    return Answer(status, "application/json", json.dumps(body).encode())


def error(status: int, description: str) -> Answer:
    return json_answer(status, {"ok": False, "error_code": status, "description": description})


def ok(result: Any) -> Answer:
    return json_answer(200, {"ok": True, "result": result})


def sent_message(chat_id: int, text: str) -> Answer:
    chat = {"id": chat_id, "type": "private", "first_name": "Test"}
    return ok({"message_id": 1, "date": 1_700_000_000, "chat": chat, "text": text})


class ScriptedBotApi:
    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps: deque[Step] = deque(steps)
        self.methods: list[str] = []  # the Bot API method of every request, in order
        self.base_url = ""

    async def _read_body(self, reader: asyncio.StreamReader, head: bytes) -> None:
        if _CHUNKED.search(head):
            while size := int((await reader.readline()).strip() or b"0", 16):
                await reader.readexactly(size + 2)
            await reader.readline()
            return
        match = _LENGTH.search(head)
        await reader.readexactly(int(match.group(1)) if match else 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                await self._read_body(reader, head)
                path = head.split(b" ", 2)[1].decode()
                self.methods.append(path.rsplit("/", 1)[-1])
                step = self.steps.popleft()
                if step is DROP:
                    return
                writer.write(
                    f"HTTP/1.1 {step.status} Scripted\r\nContent-Type: {step.content_type}\r\n"
                    f"Content-Length: {len(step.body)}\r\n\r\n".encode()
                    + step.body
                )
                await writer.drain()
        finally:
            writer.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ScriptedBotApi]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        async with server:
            host, port = server.sockets[0].getsockname()[:2]
            self.base_url = f"http://{host}:{port}"
            yield self
        assert not self.steps, f"steps left unused: {list(self.steps)}"
