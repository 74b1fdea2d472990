"""A PostgreSQL server that asks for a password and refuses it, as a real one with
`password` or `scram-sha-256` authentication does (the local test server trusts everyone)."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_CLEARTEXT_PASSWORD = 3


def _error_response(code: str, message: str) -> bytes:
    fields = b"".join(
        kind + value.encode() + b"\0"
        for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


async def _refuse_login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:  # the client may first ask for encryption; the answer is "N" (no)
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            payload = await reader.readexactly(length - 4)
            (code,) = struct.unpack("!i", payload[:4])
            if code not in (_SSL_REQUEST, _GSSENC_REQUEST):
                break
            writer.write(b"N")
        items = payload[4:].split(b"\0")
        params = dict(zip(items[0::2], items[1::2], strict=False))
        user = params.get(b"user", b"").decode()
        writer.write(b"R" + struct.pack("!ii", 8, _CLEARTEXT_PASSWORD))
        await writer.drain()
        kind = await reader.readexactly(1)
        (length,) = struct.unpack("!i", await reader.readexactly(4))
        await reader.readexactly(length - 4)
        if kind == b"p":
            message = f'password authentication failed for user "{user}"'
            writer.write(_error_response("28P01", message))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@asynccontextmanager
async def password_checking_postgres() -> AsyncIterator[int]:
    """Serves on 127.0.0.1; yields the port."""
    server = await asyncio.start_server(_refuse_login, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]
