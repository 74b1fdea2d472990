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
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiohttp import web

from bot.sandbox import methods_chats, methods_messages, methods_misc
from bot.sandbox.content import stored_file_id
from bot.sandbox.errors import (
    BLOCKED,
    CHAT_NOT_FOUND,
    DEACTIVATED,
    ApiError,
    bad_request,
    forbidden,
)
from bot.sandbox.faults import (
    NGINX_502,
    Fault,
    FaultPlan,
    Faults,
    Hook,
    HookAction,
    HookedCall,
)
from bot.sandbox.forum import chat_member
from bot.sandbox.methods_messages import Handler
from bot.sandbox.models import BotMessage, Call, DocumentInfo, Upload
from bot.sandbox.ratelimit import RateLimiter, RateLimits
from bot.sandbox.spec_check import ApiSpec, default_spec
from bot.sandbox.state import CallbackQueryState, ChatState, StoredFile
from bot.sandbox.stats import ServerStats
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookDelivery

if TYPE_CHECKING:
    from bot.sandbox.client import SimGroup, SimUser

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_TOKEN = "123456:TEST-token"
MAX_UPLOAD = 50 * 1024 * 1024
CALLBACK_QUERY_TIMEOUT = 15.0  # seconds after which Telegram refuses answerCallbackQuery
# A message Telegram would never send: aiogram's Update model fails to parse it.
MALFORMED_MESSAGE: dict[str, Any] = {"message_id": "one", "date": "yesterday", "text": 42}
# Methods that create messages: the only ones Telegram's flood control applies to.
_NOT_SENDS = frozenset({"sendchataction", "sendmessagedraft", "sendrichmessagedraft"})
_ALSO_SENDS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def is_send_method(name: str) -> bool:
    lower = name.lower()
    return (lower.startswith("send") and lower not in _NOT_SENDS) or lower in _ALSO_SENDS


class FakeTelegramServer:
    """The fake Bot API. Start it, point aiogram at ``base_url``, drive it via ``user()``.

    ``clock`` (seconds, monotonic) drives flood control and the 15 s life of callback queries,
    so a test can move time on; ``faults`` sets the injected faults from the start.
    """

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
        faults: FaultPlan | None = None,
        callback_query_timeout: float | None = CALLBACK_QUERY_TIMEOUT,
    ) -> None:
        self.token = token
        # Benchmarks turn this off: 10,000s of Call records only feed the garbage collector.
        self.record_calls = record_calls
        self.spec = spec or default_spec()
        self.clock = clock
        self.limiter = RateLimiter(limits, clock) if limits is not None else None
        self.faults = Faults(faults)
        self.faults.on_fire = self.notify_activity
        self.callback_query_timeout = callback_query_timeout
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
            for name, handler in {
                **methods_messages.HANDLERS,
                **methods_misc.HANDLERS,
                **methods_chats.HANDLERS,
            }.items()
        }
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._activity: asyncio.Event | None = None
        self.updates.on_park = self.notify_activity
        self._webhook_delivery = WebhookDelivery(self)

    # ----------------------------------------------------------------- lifecycle

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self) -> Self:
        self.updates.reopen()
        self._closing = asyncio.Event()
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
        # Pending long polls and unanswered calls would otherwise hold the shutdown.
        self._closing.set()
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
        if request.match_info["token"] != self.token or self.faults.unauthorized:
            if self.faults.unauthorized:
                self.faults.record("unauthorized", name)
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
            raw, uploads = await self._read_params(request, spec.fields)
            params = raw
            params = _attach_nested(self.spec.validate(spec, raw), uploads)
            handler = self._handlers.get(name.lower())
            if handler is None:
                raise ApiError(
                    400, f"Bad Request: fake server: method {name} not implemented", violation=True
                )
        except ApiError as error:
            return self._reply(name, params, error)
        delay = self.faults.latency_for(name)
        if delay > 0:
            self.faults.stats.delayed_calls += 1
            self.faults.stats.added_latency += delay
            await asyncio.sleep(delay)
        fault = self.faults.pick(name)
        if fault is not None:
            return self._inject(request, name, params, fault)
        action = await self._hooks(HookedCall(name, params, "before"))
        if action is not None:
            return await self._hook_answer(request, name, params, action)
        result: Any = None
        outcome: ApiError | None = None
        try:
            self._injected_failure(name)
            result = handler(self, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            outcome = error
        action = await self._hooks(HookedCall(name, params, "after", result, outcome))
        if action is not None:
            return await self._hook_answer(request, name, params, action)
        if outcome is not None:
            return self._reply(name, params, outcome)
        if self.record_calls:
            self.calls.append(Call(name, params, 200))
        self.notify_activity()
        return _json_response({"ok": True, "result": result}, 200)

    async def _hooks(self, call: HookedCall) -> HookAction | None:
        try:
            return await self.faults.run_hooks(call)
        except Exception as error:  # a broken hook must fail the test, not hang the bot
            log.exception("fake server: hook for %s failed", call.method)
            self.faults.hook_errors.append(error)
            return None

    def _inject(
        self, request: web.Request, method: str, params: dict[str, Any], fault: Fault
    ) -> web.Response:
        self.faults.record(fault.value, method)
        status = {Fault.JSON_500: 500, Fault.HTML_502: 502}.get(fault)
        if status is not None:
            self.stats.errors_by_status[status] += 1
        self.calls.append(Call(method, params, 0, f"injected {fault.value}"))
        self.notify_activity()
        if fault is Fault.JSON_500:
            body = ApiError(500, "Internal Server Error").envelope()
            return _json_response(body, 500)
        if fault is Fault.HTML_502:
            return web.Response(status=502, text=NGINX_502, content_type="text/html")
        return _drop(request)

    async def _hook_answer(
        self, request: web.Request, method: str, params: dict[str, Any], action: HookAction
    ) -> web.Response:
        self.calls.append(Call(method, params, 0, f"hook: {action.value}"))
        self.notify_activity()
        if action is HookAction.NO_ANSWER:
            self.faults.stats.not_answered += 1
            await self._closing.wait()
        else:
            self.faults.record("drop", method)
        return _drop(request)

    def _reply(self, method: str, params: dict[str, Any], error: ApiError) -> web.Response:
        if self.record_calls or error.violation:
            self.calls.append(Call(method, params, error.status, error.description))
        self.notify_activity()
        self.stats.errors_by_status[error.status] += 1
        if error.violation:
            self.violations.append(f"{method}: {error.description}")
        if error.status == 429:
            self.stats.record_rate_limited(method)
        return _json_response(error.envelope(), error.status)

    async def _read_params(
        self, request: web.Request, fields: Any
    ) -> tuple[dict[str, Any], dict[str, Upload]]:
        """The call's parameters, and the uploads no top-level parameter took (an album's)."""
        raw: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return raw, {}
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected", violation=True)
                raw.update(body)
                return raw, {}
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
        for key in list(files):
            if key in fields:  # a file posted directly under the parameter's name
                raw[key] = files.pop(key)
        return raw, files

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token or self.faults.unauthorized:
            return web.Response(status=401, text="Unauthorized")
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ----------------------------------------------------------------- waiting

    def notify_activity(self) -> None:
        """Wake whoever waits in ``wait_until`` (the bot did something)."""
        event = self._activity
        if event is not None:
            self._activity = None
            event.set()

    def next_activity(self) -> asyncio.Event:
        """An event set when the bot's next call is answered (or a long poll parks)."""
        if self._activity is None:
            self._activity = asyncio.Event()
        return self._activity

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
            event = self.next_activity()
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

    def revoke_token(self) -> None:
        """Answer every call with 401 Unauthorized from now on (the token was revoked)."""
        self.faults.unauthorized = True

    def restore_token(self) -> None:
        self.faults.unauthorized = False

    def on_call(
        self, method: str | None, hook: Hook, *, before: bool = False, once: bool = False
    ) -> Callable[[], None]:
        """Shortcut for ``faults.on_call``: run ``hook`` when the bot calls ``method``."""
        return self.faults.on_call(method, hook, before=before, once=once)

    def age_callback_query(self, query_id: str, seconds: float) -> None:
        """Make a button press ``seconds`` older, as if the bot were slow to handle it."""
        self.callback_queries[query_id].created_at -= seconds

    def callback_query_expired(self, query: CallbackQueryState) -> bool:
        timeout = self.callback_query_timeout
        return timeout is not None and self.clock() - query.created_at > timeout

    def push_raw_update(self, fields: dict[str, Any]) -> int:
        """Queue an update exactly as given (plus its update_id), e.g. one aiogram can't parse."""
        return self.updates.push_raw(fields)

    def push_malformed_update(self, kind: str = "message") -> int:
        """Queue an update whose ``kind`` object fails aiogram's validation."""
        self.faults.stats.malformed_updates += 1
        return self.updates.push_raw({kind: dict(MALFORMED_MESSAGE)})

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
                self.faults.record("forced", method)
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
        self,
        chat_id: int = -100123,
        title: str = "Group",
        *,
        username: str | None = None,
        forum: bool = False,
        bot_admin: bool = False,
        **bot_rights: bool,
    ) -> SimGroup:
        """A group chat (a supergroup when the id starts with -100); cached per id.

        The bot is a plain member unless ``bot_admin`` (then it has every right but promoting
        others; ``bot_rights`` such as ``can_manage_topics=False`` take some away).
        """
        from bot.sandbox.client import SimGroup

        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        if forum and kind != "supergroup":
            raise ValueError(f"a forum must be a supergroup (id -100...), not {chat_id}")
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        state = ChatState(chat_id, chat)
        if forum:
            state.next_message_id = 2  # 1 is the General topic's id, never a message's
        state.bot_member = (
            chat_member(self.bot_user, "administrator", **bot_rights)
            if bot_admin
            else chat_member(self.bot_user, "member")
        )
        self._chats[chat_id] = state
        sim = SimGroup(self, chat_id)
        self._groups[chat_id] = sim
        return sim

    def forum(
        self,
        chat_id: int = -1001000000001,
        title: str = "Forum",
        *,
        bot_admin: bool = True,
        **bot_rights: bool,
    ) -> SimGroup:
        """A forum supergroup (topics on) where the bot is an admin with can_manage_topics;
        ``forum(..., can_manage_topics=False)`` or ``bot_admin=False`` take that away."""
        return self.group(
            chat_id, title, username=None, forum=True, bot_admin=bot_admin, **bot_rights
        )

    def known_user(self, user_id: int) -> dict[str, Any] | None:
        """The User object of a simulated user (or a bulk one), None for an unknown id."""
        sim = self._users.get(user_id)
        if sim is not None:
            return sim.info
        if user_id in self._bulk_users:
            return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return None

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

    def topic_transcript(self, chat_id: int, thread_id: int | None) -> list[BotMessage]:
        """What the bot shows in one forum topic (``None``: the General topic)."""
        return self.chat(chat_id).bot_messages(thread_id)

    def reactions_on(self, chat_id: int, message_id: int) -> list[str]:
        """The emoji the bot put on a message with setMessageReaction (now)."""
        reactions = self.chat(chat_id).reactions.get(message_id, [])
        return [str(r.get("emoji") or r.get("custom_emoji_id")) for r in reactions]

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
        self.take_send_slots(chat, method, 1)

    def take_send_slots(self, chat: ChatState, method: str, count: int) -> None:
        """Flood control for ``count`` messages at once (an album), all or nothing."""
        if self.limiter is None:
            return
        retry_after = self.limiter.acquire(chat.id, count)
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

    def file_of(self, raw: dict[str, Any]) -> DocumentInfo | None:
        """The file of a message's media (its largest photo size), with its bytes."""
        file_id = stored_file_id(raw)
        stored = self.files.get(file_id) if file_id is not None else None
        if stored is None:
            return None
        return DocumentInfo(stored.filename, stored.data, stored.mime_type, stored.file_id)

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

    def webhook_targets(
        self,
        urls: Iterable[str] | None,
        *,
        concurrency: int | None = None,
        per_chat_order: bool = False,
    ) -> None:
        """Deliver webhook updates to ``urls`` in turn (round-robin) instead of the URL the
        bot registered: bot replicas behind a load balancer. ``concurrency`` overrides
        setWebhook's max_connections (1 = one update at a time, in order); ``per_chat_order``
        posts a chat's next update only after its previous one was confirmed, as Telegram
        does (see bot.sandbox.webhook)."""
        delivery = self._webhook_delivery
        delivery.targets = list(urls) if urls is not None else None
        delivery.concurrency = concurrency
        delivery.per_chat_order = per_chat_order

    @property
    def webhook_delivery(self) -> WebhookDelivery:
        """Delivery counters: ``delivered``, ``failed_attempts``, ``delivered_by_target``,
        ``attempts`` (every POST with its status)."""
        return self._webhook_delivery

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
            query_id, user_id, message.chat_id, message.message_id, data, created_at=self.clock()
        )
        return query_id

    def violations_report(self) -> str:
        return "\n".join(self.violations) or "no violations"


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (the client sees a disconnect)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


def _attach_nested(params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
    """Put uploads referenced as attach://name inside objects (an album's media) in place."""
    if not uploads:
        return params

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("attach://"):
            return uploads.get(value[len("attach://") :], value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    return {k: resolve(v) for k, v in params.items()}


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
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webp": "image/webp",
    "webm": "video/webm",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


def _guess_mime(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _MIME.get(ext, "application/octet-stream")
