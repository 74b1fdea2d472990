"""A user blocking or unblocking the bot arrives as a my_chat_member update."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated

from bot.services.profile import ProfileService


async def on_private_membership(event: ChatMemberUpdated, profile: ProfileService) -> None:
    status = event.new_chat_member.status
    reachable = status not in ("kicked", "left")
    await profile.set_reachable(event.chat.id, reachable, reason=f"status {status}")


def router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(on_private_membership, F.chat.type == "private")
    return router
