"""A fake Telegram Bot API server speaking real HTTP, for end-to-end tests and benchmarks.

aiogram's real AiohttpSession talks to it, so the whole client stack (form encoding, multipart
uploads, error mapping by HTTP status) is exercised. Calls are checked against the Bot API spec;
calls only a buggy bot would make are collected in ``violations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiohttp import web

from bot.sandbox import methods_messages, methods_misc
from bot.sandbox.errors import (
    BLOCKED,
    CHAT_NOT_FOUND,
    DEACTIVATED,
    ApiError,
    bad_request,
    forbidden,
)
from bot.sandbox.methods_messages import Handler
from bot.sandbox.models import BotMessage, Call, Upload
from bot.sandbox.ratelimit import RateLimiter, RateLimits
from bot.sandbox.spec_check import ApiSpec, default_spec
from bot.sandbox.state import CallbackQueryState, ChatState, StoredFile
from bot.sandbox.stats import ServerStats
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookDelivery

if TYPE_CHECKING:
    from bot.sandbox.client import SimGroup, SimUser

T = TypeVar("T")
DEFAULT_TOKEN = "123456:TEST-token"
MAX_UPLOAD = 50 * 1024 * 1024
# Methods that create messages: the only ones Telegram's flood control applies to.
_NOT_SENDS = frozenset({"sendchataction", "sendmessagedraft", "sendrichmessagedraft"})
_ALSO_SENDS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def is_send_method(name: str) -> bool:
    lower = name.lower()
    return (lower.startswith("send") and lower not in _NOT_SENDS) or lower in _ALSO_SENDS


class FakeTelegramServer:
    """The fake Bot API. Start it, point aiogram at ``base_url``, drive it via ``user()``."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        spec: ApiSpec | None = None,
        bot_name: str = "Kenes Test Bot",
        bot_username: str = "kenes_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        record_calls: bool = True,
    ) -> None:
        self.token = token
        # Benchmarks turn this off: 10,000s of Call records only feed the garbage collector.
        self.record_calls = record_calls
        self.spec = spec or default_spec()
        self.limiter = RateLimiter(limits, clock) if limits is not None else None
        self.host = host
        self.port = port
        self.base_url = ""
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.stats = ServerStats()
        self.updates = UpdateQueue()
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.webhook: dict[str, Any] | None = None
        self.webhook_last_error: tuple[int, str] | None = None
        self._chats: dict[int, ChatState] = {}
        self._bulk_users: set[int] = set()
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._failures: dict[str, deque[tuple[int, str, int | None]]] = {}
        self._ids = itertools.count(1)
        self._handlers: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {**methods_messages.HANDLERS, **methods_misc.HANDLERS}.items()
        }
        self._runner: web.AppRunner | None = None
        self._activity: asyncio.Event | None = None
        self.updates.on_park = self._notify_activity
        self._webhook_delivery = WebhookDelivery(self)

    # ----------------------------------------------------------------- lifecycle

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self) -> Self:
        self.updates.reopen()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = port
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        # Pending long polls would otherwise hold the shutdown until their timeout.
        self.updates.close()
        await self._webhook_delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._reply(name, {}, ApiError(401, "Unauthorized"))
        spec = self.spec.method(name)
        if spec is None:
            if name.lower() in self.spec.newer_methods:
                error = ApiError(
                    400, f"Bad Request: fake server: method {name} not implemented", violation=True
                )
            else:
                error = ApiError(404, "Not Found", violation=True)
            return self._reply(name, {}, error)
        name = spec.name
        self.stats.requests[name] += 1
        params: dict[str, Any] = {}
        try:
            raw = await self._read_params(request, spec.fields)
            params = raw
            params = self.spec.validate(spec, raw)
            handler = self._handlers.get(name.lower())
            if handler is None:
                raise ApiError(
                    400, f"Bad Request: fake server: method {name} not implemented", violation=True
                )
            self._injected_failure(name)
            result = handler(self, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return self._reply(name, params, error)
        if self.record_calls:
            self.calls.append(Call(name, params, 200))
        self._notify_activity()
        return _json_response({"ok": True, "result": result}, 200)

    def _reply(self, method: str, params: dict[str, Any], error: ApiError) -> web.Response:
        if self.record_calls or error.violation:
            self.calls.append(Call(method, params, error.status, error.description))
        self._notify_activity()
        self.stats.errors_by_status[error.status] += 1
        if error.violation:
            self.violations.append(f"{method}: {error.description}")
        if error.status == 429:
            self.stats.record_rate_limited(method)
        return _json_response(error.envelope(), error.status)

    async def _read_params(self, request: web.Request, fields: Any) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return raw
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected", violation=True)
                raw.update(body)
                return raw
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError:
            raise bad_request("can't parse JSON", violation=True) from None
        files: dict[str, Upload] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                with value.file:
                    data = value.file.read()
                files[key] = Upload(value.filename, value.content_type, data)
            else:
                raw[key] = value
        for key, value in raw.items():
            if isinstance(value, str) and value.startswith("attach://"):
                upload = files.pop(value[len("attach://") :], None)
                if upload is not None:
                    raw[key] = upload
        for key, upload in files.items():
            if key in fields:  # a file posted directly under the parameter's name
                raw[key] = upload
        return raw

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ----------------------------------------------------------------- waiting

    def _notify_activity(self) -> None:
        event = self._activity
        if event is not None:
            self._activity = None
            event.set()

    async def wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - same call style as SimUser.wait_for
        what: str = "condition",
    ) -> T:
        """Wait until ``check()`` is not None, re-checking after every call the bot makes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            if self._activity is None:
                self._activity = asyncio.Event()
            event = self._activity
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()

    async def wait_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is parked (the bot is idle and listening)."""
        await self.wait_until(lambda: True if self.updates.waiting else None, timeout, "a poller")

    async def wait_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> Call:
        """The first recorded call of ``method`` at index >= ``since`` in ``calls``."""
        lower = method.lower()

        def find() -> Call | None:
            for call in itertools.islice(self.calls, since, None):
                if call.method.lower() == lower:
                    return call
            return None

        return await self.wait_until(find, timeout, f"a {method} call")

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self, method: str | None = None, status: int = 502, count: int = 1, description: str = ""
    ) -> None:
        """Make the next ``count`` calls of ``method`` (any method when None) fail."""
        text = description or HTTPStatus(status).phrase
        queue = self._failures.setdefault((method or "*").lower(), deque())
        queue.extend([(status, text, None)] * count)

    def force_retry_after(self, seconds: int, count: int = 1, method: str | None = None) -> None:
        """Answer the next ``count`` message sends (or calls of ``method``) with 429."""
        queue = self._failures.setdefault((method or "send*").lower(), deque())
        queue.extend([(429, f"Too Many Requests: retry after {seconds}", seconds)] * count)

    def _injected_failure(self, method: str) -> None:
        if not self._failures:
            return
        lower = method.lower()
        keys = [lower, "*"]
        if is_send_method(lower):
            keys.append("send*")
        for key in keys:
            queue = self._failures.get(key)
            if queue:
                status, text, retry_after = queue.popleft()
                if not queue:
                    del self._failures[key]
                if retry_after is not None:
                    raise ApiError(status, text, parameters={"retry_after": retry_after})
                raise ApiError(status, text)

    # ----------------------------------------------------------------- users and chats

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> SimUser:
        """A simulated user with a private chat (chat id == user id); cached per id."""
        from bot.sandbox.client import SimUser

        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        if language_code:
            info["language_code"] = language_code
        chat = {k: v for k, v in info.items() if k in ("id", "first_name", "last_name", "username")}
        chat["type"] = "private"
        state = self._chats.get(user_id)
        if state is None:
            self._chats[user_id] = ChatState(user_id, chat)
        else:  # a bulk user the bot already wrote to: keep the transcript
            state.chat.clear()
            state.chat.update(chat)
        sim = SimUser(self, info)
        self._users[user_id] = sim
        return sim

    def group(
        self, chat_id: int = -100123, title: str = "Group", *, username: str | None = None
    ) -> SimGroup:
        from bot.sandbox.client import SimGroup

        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            chat["username"] = username
        self._chats[chat_id] = ChatState(chat_id, chat)
        sim = SimGroup(self, chat_id)
        self._groups[chat_id] = sim
        return sim

    def add_users(self, user_ids: Iterable[int]) -> None:
        """Make many users reachable cheaply (benchmarks); chats are created on first use."""
        self._bulk_users.update(user_ids)

    def chat(self, chat_id: int | str) -> ChatState:
        """The chat, or the 400 "chat not found" Telegram gives for unknown ones."""
        if isinstance(chat_id, int):
            state = self._chats.get(chat_id)
            if state is not None:
                return state
            if chat_id in self._bulk_users:
                chat = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
                state = self._chats[chat_id] = ChatState(chat_id, chat)
                return state
        elif chat_id.startswith("@"):
            for state in self._chats.values():
                if state.chat.get("username") == chat_id[1:]:
                    return state
        raise bad_request(CHAT_NOT_FOUND)

    def has_chat(self, chat_id: int) -> bool:
        return chat_id in self._chats or chat_id in self._bulk_users

    def target_chat(self, chat_id: int | str) -> ChatState:
        """A chat the bot is about to write to: also enforces blocks."""
        state = self.chat(chat_id)
        if state.blocked is not None:
            raise forbidden(state.blocked)
        return state

    def block(self, user_id: int) -> None:
        self.chat(user_id).blocked = BLOCKED

    def unblock(self, user_id: int) -> None:
        self.chat(user_id).blocked = None

    def deactivate(self, user_id: int) -> None:
        self.chat(user_id).blocked = DEACTIVATED

    def transcript(self, chat_id: int) -> list[BotMessage]:
        """What the bot shows in a chat now (edits applied, deletions gone)."""
        return self.chat(chat_id).bot_messages()

    def notify_user(self, user_id: int) -> None:
        state = self._chats.get(user_id)
        if state is not None:
            state.notify()

    # ----------------------------------------------------------------- used by method handlers

    def now(self) -> int:
        return int(time.time())

    def next_id(self) -> int:
        return next(self._ids)

    def take_send_slot(self, chat: ChatState, method: str) -> None:
        if self.limiter is None:
            return
        retry_after = self.limiter.acquire(chat.id)
        if retry_after is not None:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                parameters={"retry_after": retry_after},
            )

    def store_file(self, data: bytes, filename: str, mime_type: str, folder: str) -> StoredFile:
        n = self.next_id()
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{n:06d}",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"{folder}/file_{n}.{ext}",
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def resolve_file(self, value: Upload | str, folder: str) -> StoredFile:
        if isinstance(value, Upload):
            mime = value.content_type
            if mime in ("", "application/octet-stream"):
                mime = _guess_mime(value.filename)
            return self.store_file(value.data, value.filename, mime, folder)
        known = self.files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.store_file(b"", name, _guess_mime(name), folder)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def webhook_retry_delay(self, seconds: float) -> None:
        """Pause between webhook delivery attempts after a failure (tests make it short)."""
        self._webhook_delivery.retry_delay = seconds

    def set_webhook(self, hook: dict[str, Any] | None) -> None:
        self.webhook = hook
        self.webhook_last_error = None
        if hook is None:
            self._webhook_delivery.cancel()
        else:
            self._webhook_delivery.ensure_running()

    # ----------------------------------------------------------------- updates

    def push_update(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue a raw update (``kind`` is the Update field, e.g. "message")."""
        return self.updates.push(kind, payload)

    def new_callback_query(self, user_id: int, message: BotMessage, data: str) -> str:
        query_id = str(4_000_000_000_000 + self.next_id())
        self.callback_queries[query_id] = CallbackQueryState(
            query_id, user_id, message.chat_id, message.message_id, data
        )
        return query_id

    def violations_report(self) -> str:
        return "\n".join(self.violations) or "no violations"


def _json_response(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


_MIME = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar",
    "zip": "application/zip",
}


def _guess_mime(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _MIME.get(ext, "application/octet-stream")
