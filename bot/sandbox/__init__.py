"""A fake Telegram Bot API server, simulated users and a terminal chat, for tests and demos.

async with FakeTelegramServer() as server:
    bot = make_bot(server)  # a real aiogram Bot with its AiohttpSession
    user = server.user(1001, "Aigerim", language_code="kk")
    await user.send("/start")
    reply = await user.next_message()

Forums: ``forum = server.forum(chat_id, "Consultants")`` (the bot an admin with
can_manage_topics; ``can_manage_topics=False`` or ``bot_admin=False`` to take it away);
``forum.topic(thread_id)`` / ``forum.general`` / ``await forum.wait_topic("#1")`` are views with
the bot's messages of one topic; members post with ``user.send(text, chat=topic, reply_to=id)``.
Faults: ``FakeTelegramServer(faults=FaultPlan(...))`` or ``server.faults.configure(...)``,
``server.revoke_token()``, ``server.on_call(method, hook)``, ``server.push_malformed_update()``,
``server.age_callback_query(id, seconds)``; counters in ``server.faults.stats``.
Webhooks to replicas: ``server.webhook_targets([url1, url2])``.
"""

from bot.sandbox.client import ChatView, Media, SimGroup, SimUser, TopicView
from bot.sandbox.connect import make_bot
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import FaultPlan, HookAction, HookedCall
from bot.sandbox.models import BotMessage, Button, Call, DocumentInfo
from bot.sandbox.ratelimit import RateLimits
from bot.sandbox.server import DEFAULT_TOKEN, FakeTelegramServer
from bot.sandbox.spec_check import ApiSpec
from bot.sandbox.stats import ServerStats

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiSpec",
    "BotMessage",
    "Button",
    "Call",
    "ChatView",
    "DocumentInfo",
    "FakeTelegramServer",
    "FaultPlan",
    "HookAction",
    "HookedCall",
    "Media",
    "RateLimits",
    "ServerStats",
    "SimGroup",
    "SimUser",
    "TopicView",
    "make_bot",
]
