"""A fake Telegram Bot API server, simulated users and a terminal chat, for tests and demos.

async with FakeTelegramServer() as server:
    bot = make_bot(server)  # a real aiogram Bot with its AiohttpSession
    user = server.user(1001, "Aigerim", language_code="kk")
    await user.send("/start")
    reply = await user.next_message()
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
