"""A user blocking or unblocking the bot arrives as a my_chat_member update."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profile import ProfileService

router = Router(name=__name__)


@router.my_chat_member(F.chat.type == "private")
async def on_private_membership(event: ChatMemberUpdated, session: AsyncSession) -> None:
    status = event.new_chat_member.status
    reachable = status not in ("kicked", "left")
    await ProfileService(session).set_reachable(event.chat.id, reachable, reason=f"status {status}")
