"""Admin broadcasts: drafts, audiences, start/pause/resume/stop, schedule, progress, and
"edit everywhere"/"delete everywhere" — every copy through the outbox.

Each recipient's copy is an outbox row keyed ``broadcast:<id>:<user>``, queued set-based when the
broadcast starts; the key makes a second Send, a restart or two admins at once queue nobody twice.
The live status message is an outbox row to the admin (``bstatus:<id>:<phase>``) that the job
(``BroadcastJobs.tick``) edits while it runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.messages import PRIORITY, Category, MessageContent, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.languages import as_lang
from bot.services.broadcasts.content import BroadcastInputError, check_version
from bot.services.broadcasts.texts import BroadcastTexts, Progress
from bot.services.events.planner import QuietHours
from db.models.broadcasts import BroadcastStatus
from db.models.outbox import OutboxState
from db.repositories.broadcasts import (
    AudienceFilter,
    BroadcastDTO,
    BroadcastRepository,
    Version,
    group_key,
)
from db.repositories.users import UserRepository

log = logging.getLogger(__name__)

DELETE_WINDOW = timedelta(hours=48)
_EDITABLE = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)
_FINISHED = (BroadcastStatus.DONE, BroadcastStatus.STOPPED)


class BroadcastNotFoundError(LookupError):
    pass


class BroadcastNotAllowedError(PermissionError):
    """The actor is not an admin (checked on the server, whatever the callback said)."""


class BroadcastStateError(RuntimeError):
    """The action does not fit the broadcast's state now (e.g. editing one being sent)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class BroadcastActivity:
    """Tells the job in this process that a broadcast changed (started, paused, scheduled…), so
    it looks at the database at once instead of at its next full check."""

    def __init__(self) -> None:
        self._poked = True

    def poke(self) -> None:
        self._poked = True

    def take(self) -> bool:
        poked, self._poked = self._poked, False
        return poked


@dataclass(frozen=True, slots=True)
class BroadcastContext:
    settings: Settings
    clock: Clock
    outbox: Outbox
    texts: BroadcastTexts
    activity: BroadcastActivity = field(default_factory=BroadcastActivity)


@dataclass(frozen=True, slots=True)
class StartResult:
    broadcast: BroadcastDTO
    started: bool  # False: it had been started (or cancelled) before; nothing was queued
    queued: int


def followup_group(broadcast: BroadcastDTO) -> str:
    return f"{group_key(broadcast.id)}:{broadcast.followup}{broadcast.followup_seq}"


def phase_of(broadcast: BroadcastDTO) -> str:
    return "send" if broadcast.followup is None else broadcast.followup


def status_ref(broadcast: BroadcastDTO) -> str:
    phase = (
        "send" if broadcast.followup is None else f"{broadcast.followup}{broadcast.followup_seq}"
    )
    return f"bstatus:{broadcast.id}:{phase}"


class BroadcastService:
    def __init__(self, session: AsyncSession, context: BroadcastContext) -> None:
        self._session = session
        self._ctx = context
        self._repo = BroadcastRepository(session)

    @property
    def _now(self) -> datetime:
        return self._ctx.clock.now()

    def _require_admin(self, actor_id: int) -> None:
        if actor_id not in self._ctx.settings.admin_ids:
            raise BroadcastNotAllowedError(str(actor_id))

    async def get(self, broadcast_id: int, actor_id: int, *, lock: bool = False) -> BroadcastDTO:
        self._require_admin(actor_id)
        found = await self._repo.get(broadcast_id, lock=lock)
        if found is None:
            raise BroadcastNotFoundError(str(broadcast_id))
        return found

    # --- drafts -----------------------------------------------------------------------------

    async def count(self, audience: AudienceFilter, actor_id: int) -> int:
        """Reachable people in the audience now."""
        self._require_admin(actor_id)
        return await self._repo.count(audience, self._now)

    async def create_draft(
        self,
        actor_id: int,
        versions: Mapping[str, Version],
        *,
        default_language: str,
        buttons: Sequence[Sequence[Mapping[str, str]]] = (),
        audience: AudienceFilter | None = None,
        hold_quiet: bool = False,
    ) -> BroadcastDTO:
        self._require_admin(actor_id)
        checked = self._checked(versions, default_language)
        return await self._repo.create(
            hold_quiet=hold_quiet,
            created_by=actor_id,
            versions=checked,
            default_language=default_language,
            buttons=buttons,
            audience=audience or AudienceFilter(),
            now=self._now,
        )

    async def update_draft(
        self,
        broadcast_id: int,
        actor_id: int,
        *,
        versions: Mapping[str, Version] | None = None,
        default_language: str | None = None,
        buttons: Sequence[Sequence[Mapping[str, str]]] | None = None,
        audience: AudienceFilter | None = None,
        hold_quiet: bool | None = None,
    ) -> BroadcastDTO:
        current = await self.get(broadcast_id, actor_id, lock=True)
        if current.status not in _EDITABLE:
            raise BroadcastStateError(current.status)
        values: dict[str, object] = {}
        if versions is not None:
            lang = default_language or current.default_language
            values["versions"] = self._checked(versions, lang)
            values["default_language"] = lang
        if buttons is not None:
            values["buttons"] = buttons
        if audience is not None:
            values["audience"] = audience
        if hold_quiet is not None:
            values["hold_quiet"] = hold_quiet
        await self._repo.update(broadcast_id, self._now, **values)
        self._ctx.activity.poke()
        return await self.get(broadcast_id, actor_id)

    @staticmethod
    def _checked(versions: Mapping[str, Version], default_language: str) -> dict[str, Version]:
        if not versions or default_language not in versions:
            raise BroadcastInputError("empty")
        return {as_lang(lang): check_version(v) for lang, v in versions.items()}

    # --- starting -------------------------------------------------------------------------

    async def start(self, broadcast_id: int, actor_id: int) -> StartResult:
        """Queue a copy for every reachable recipient. Idempotent: a second call (a double
        press, another admin, the scheduler after a manual start) queues nothing."""
        current = await self.get(broadcast_id, actor_id, lock=True)
        return await self.start_loaded(current, actor_id)

    async def start_loaded(self, current: BroadcastDTO, actor_id: int) -> StartResult:
        """``start`` for a broadcast already loaded (and locked) by the caller: the scheduler,
        which starts it in the name of the admin who scheduled it."""
        now = self._now
        moved = await self._repo.set_status(
            current.id, BroadcastStatus.SENDING, now, only_from=_EDITABLE
        )
        if not moved:
            return StartResult(current, False, 0)
        queued = await self._repo.enqueue_copies(
            current,
            priority=PRIORITY[Category.BROADCAST],
            category=str(Category.BROADCAST),
            now=now,
            not_before=self.held_until(current, now),
        )
        await self._repo.update(
            current.id,
            now,
            sent_by=actor_id,
            started_at=now,
            queued=queued,
            status_chat_id=actor_id,
            status_seq=0,
        )
        started = await self.get(current.id, actor_id)
        log.info("broadcast %s started: %s copies queued", current.id, queued)
        self._ctx.activity.poke()
        if queued:
            self._ctx.outbox.wake()
        await self._post_status(started)
        return StartResult(started, True, queued)

    @property
    def quiet(self) -> QuietHours:
        settings = self._ctx.settings
        return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)

    def held_until(self, broadcast: BroadcastDTO, now: datetime) -> datetime | None:
        """When copies may go out: the end of the quiet hours if "hold" is on and it is quiet
        hours now; None: at once."""
        if broadcast.hold_quiet and self.quiet.contains(now):
            return self.quiet.release(now)
        return None

    async def schedule(self, broadcast_id: int, actor_id: int, when: datetime) -> BroadcastDTO:
        """``when``: aware; must be in the future (and outside quiet hours when held)."""
        current = await self.get(broadcast_id, actor_id, lock=True)
        if current.status not in _EDITABLE:
            raise BroadcastStateError(current.status)
        if when <= self._now:
            raise BroadcastInputError("past")
        if current.hold_quiet and self.quiet.contains(when):
            quiet = self.quiet
            raise BroadcastInputError(
                "quiet", start=f"{quiet.start:%H:%M}", end=f"{quiet.end:%H:%M}"
            )
        await self._repo.update(
            broadcast_id,
            self._now,
            status=BroadcastStatus.SCHEDULED,
            scheduled_at=when,
            sent_by=actor_id,
        )
        self._ctx.activity.poke()
        return await self.get(broadcast_id, actor_id)

    async def cancel(self, broadcast_id: int, actor_id: int) -> BroadcastDTO:
        """Cancel a draft or a scheduled broadcast before it starts."""
        current = await self.get(broadcast_id, actor_id, lock=True)
        if not await self._repo.set_status(
            broadcast_id, BroadcastStatus.CANCELLED, self._now, only_from=_EDITABLE
        ):
            raise BroadcastStateError(current.status)
        return await self.get(broadcast_id, actor_id)

    # --- while sending ------------------------------------------------------------------------

    async def pause(self, broadcast_id: int, actor_id: int) -> BroadcastDTO:
        current = await self.get(broadcast_id, actor_id, lock=True)
        if await self._repo.set_status(
            broadcast_id, BroadcastStatus.PAUSED, self._now, only_from=(BroadcastStatus.SENDING,)
        ):
            await self._repo.hold(group_key(broadcast_id))
        elif current.status != BroadcastStatus.PAUSED:
            raise BroadcastStateError(current.status)
        return await self._refreshed(broadcast_id, actor_id)

    async def resume(self, broadcast_id: int, actor_id: int) -> BroadcastDTO:
        current = await self.get(broadcast_id, actor_id, lock=True)
        if await self._repo.set_status(
            broadcast_id, BroadcastStatus.SENDING, self._now, only_from=(BroadcastStatus.PAUSED,)
        ):
            if await self._repo.release(group_key(broadcast_id), self._now):
                self._ctx.outbox.wake()
        elif current.status != BroadcastStatus.SENDING:
            raise BroadcastStateError(current.status)
        return await self._refreshed(broadcast_id, actor_id)

    async def stop(self, broadcast_id: int, actor_id: int) -> BroadcastDTO:
        """Nobody else gets it; copies already delivered stay (Delete everywhere removes them)."""
        current = await self.get(broadcast_id, actor_id, lock=True)
        if await self._repo.set_status(
            broadcast_id,
            BroadcastStatus.STOPPED,
            self._now,
            only_from=(BroadcastStatus.SENDING, BroadcastStatus.PAUSED),
        ):
            await self._ctx.outbox.cancel_pending(self._session, group_key=group_key(broadcast_id))
        elif current.status != BroadcastStatus.STOPPED:
            raise BroadcastStateError(current.status)
        return await self._refreshed(broadcast_id, actor_id)

    async def _refreshed(self, broadcast_id: int, actor_id: int) -> BroadcastDTO:
        self._ctx.activity.poke()
        broadcast = await self.get(broadcast_id, actor_id)
        await self.refresh_status(broadcast, force=True)
        return broadcast

    # --- after sending ----------------------------------------------------------------------

    async def edit_everywhere(
        self, broadcast_id: int, actor_id: int, texts: Mapping[str, str | None]
    ) -> int:
        """New text (or caption) per language version for every delivered copy; returns how
        many copies will be edited."""
        current = await self.get(broadcast_id, actor_id, lock=True)
        self._check_followup(current)
        versions = {
            lang: check_version(replace(v, text=texts.get(lang, v.text)))
            for lang, v in current.versions.items()
        }
        return await self._followup(
            current, actor_id, "edit", {lang: v.text for lang, v in versions.items()}, versions
        )

    async def delete_everywhere(self, broadcast_id: int, actor_id: int) -> int:
        current = await self.get(broadcast_id, actor_id, lock=True)
        self._check_followup(current)
        return await self._followup(current, actor_id, "delete", None, None)

    @staticmethod
    def _check_followup(current: BroadcastDTO) -> None:
        if current.status not in _FINISHED:
            raise BroadcastStateError(current.status)
        if not current.followup_done:
            raise BroadcastStateError("followup")
        if current.followup == "delete":
            raise BroadcastStateError("deleted")

    async def _followup(
        self,
        current: BroadcastDTO,
        actor_id: int,
        action: str,
        texts: Mapping[str, str | None] | None,
        versions: Mapping[str, Version] | None,
    ) -> int:
        now = self._now
        seq = current.followup_seq + 1
        values: dict[str, object] = {
            "followup": action,
            "followup_seq": seq,
            "followup_done": False,
            "status_chat_id": actor_id,
            "status_seq": 0,
        }
        if versions is not None:
            values["versions"] = versions
        await self._repo.update(current.id, now, **values)
        updated = await self.get(current.id, actor_id)
        group = followup_group(updated)
        queued = await self._repo.enqueue_followups(
            updated,
            action=action,
            group=group,
            key_suffix=f":{action[0]}{seq}",
            texts=texts,
            priority=PRIORITY[Category.BROADCAST],
            category=str(Category.BROADCAST),
            now=now,
            sent_after=now - DELETE_WINDOW if action == "delete" else None,
        )
        if queued:
            self._ctx.outbox.wake()
        self._ctx.activity.poke()
        await self._post_status(updated)
        return queued

    # --- progress -----------------------------------------------------------------------------

    async def progress(self, broadcast: BroadcastDTO) -> Progress:
        phase = phase_of(broadcast)
        group = group_key(broadcast.id) if phase == "send" else followup_group(broadcast)
        counts = await self._repo.row_counts(group)
        waiting = counts.of(OutboxState.PENDING) + counts.of(OutboxState.SENDING)
        delivered = counts.of(OutboxState.SENT)
        total = sum(counts.by_state.values())
        rate: float | None = None
        left: float | None = None
        if counts.first_sent and counts.last_sent and delivered > 1:
            span = (counts.last_sent - counts.first_sent).total_seconds()
            if span > 0:
                rate = (delivered - 1) / span
                left = waiting / rate if rate > 0 else None
        too_old = 0
        if phase == "delete" and broadcast.started_at is not None:
            too_old = await self._repo.count_deletable_too_old(
                broadcast.id, self._now - DELETE_WINDOW
            )
        return Progress(
            phase=phase,
            status=broadcast.status,
            total=total,
            delivered=delivered,
            unreachable=counts.of(OutboxState.SKIPPED),
            failed=counts.of(OutboxState.FAILED),
            cancelled=counts.of(OutboxState.CANCELLED),
            waiting=waiting,
            rate=rate,
            seconds_left=left,
            failures=tuple(await self._repo.failure_reasons(group)),
            too_old=too_old,
        )

    async def listing(self, actor_id: int) -> list[tuple[BroadcastDTO, Progress]]:
        self._require_admin(actor_id)
        return [(b, await self.progress(b)) for b in await self._repo.listing()]

    async def _language_of(self, user_id: int) -> str:
        user = await UserRepository(self._session).get(user_id)
        return as_lang(user.language if user is not None else None)

    async def _post_status(self, broadcast: BroadcastDTO) -> None:
        if broadcast.status_chat_id is None:
            return
        progress = await self.progress(broadcast)
        language = await self._language_of(broadcast.status_chat_id)
        content = self._ctx.texts.status(broadcast, progress, language)
        await self._ctx.outbox.enqueue(
            self._session,
            OutgoingMessage.text_message(
                broadcast.status_chat_id,
                content.text,
                keyboard=content.keyboard,
                category=Category.NOTICE,
                dedupe_key=status_ref(broadcast),
                group_key=f"bstatus:{broadcast.id}",
            ),
        )

    async def refresh_status(self, broadcast: BroadcastDTO, *, force: bool = False) -> bool:
        """Edit the live status message if what it says changed; at the end, mark the
        broadcast done and send the report. Returns True when it finished now."""
        if broadcast.status_chat_id is None:
            return False
        progress = await self.progress(broadcast)
        finished_now = False
        if progress.finished:
            if broadcast.followup is None and broadcast.status == BroadcastStatus.SENDING:
                finished_now = await self._repo.set_status(
                    broadcast.id,
                    BroadcastStatus.DONE,
                    self._now,
                    only_from=(BroadcastStatus.SENDING,),
                )
                if finished_now:
                    await self._repo.update(broadcast.id, self._now, finished_at=self._now)
            elif broadcast.followup is not None and not broadcast.followup_done:
                await self._repo.update(broadcast.id, self._now, followup_done=True)
                finished_now = True
            elif broadcast.followup is None and broadcast.status == BroadcastStatus.STOPPED:
                finished_now = broadcast.finished_at is None
                if finished_now:
                    await self._repo.update(broadcast.id, self._now, finished_at=self._now)
            if finished_now:
                broadcast = (await self._repo.get(broadcast.id)) or broadcast
                progress = replace(progress, status=broadcast.status)
        admin = broadcast.status_chat_id
        if admin is None:
            return finished_now
        language = await self._language_of(admin)
        content = self._ctx.texts.status(broadcast, progress, language)
        ref = status_ref(broadcast)
        if (
            force
            or finished_now
            or await self._repo.last_text(self._last_key(broadcast)) != (content.text)
        ):
            seq = await self._repo.bump_status_seq(broadcast.id)
            await self._enqueue_status_edit(broadcast, ref, seq, content)
        if finished_now:
            report = self._ctx.texts.report(broadcast, progress, language)
            await self._ctx.outbox.enqueue(
                self._session,
                OutgoingMessage.text_message(
                    admin,
                    report.text,
                    keyboard=report.keyboard,
                    category=Category.NOTICE,
                    dedupe_key=f"{ref}:report",
                    group_key=f"bstatus:{broadcast.id}",
                ),
            )
        return finished_now

    @staticmethod
    def _last_key(broadcast: BroadcastDTO) -> str:
        ref = status_ref(broadcast)
        return f"{ref}:{broadcast.status_seq}" if broadcast.status_seq else ref

    async def _enqueue_status_edit(
        self, broadcast: BroadcastDTO, ref: str, seq: int, content: MessageContent
    ) -> None:
        assert broadcast.status_chat_id is not None
        await self._ctx.outbox.enqueue(
            self._session,
            OutgoingMessage.edit_text(
                broadcast.status_chat_id,
                ref,
                content.text,
                content.keyboard,
                category=Category.NOTICE,
                dedupe_key=f"{ref}:{seq}",
                group_key=f"bstatus:{broadcast.id}",
            ),
        )


class BroadcastJobs:
    """The scheduler's broadcast job: scheduled starts, live status, the end of each one.

    Run every few seconds, it reads the database only while a broadcast is in progress, when
    this process changed one (``BroadcastActivity``), or once a minute (scheduled starts, and
    broadcasts another replica started): a quiet bot costs nothing.
    """

    FULL_CHECK_SECONDS = 60.0

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        context: BroadcastContext,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._ctx = context
        self._mono = monotonic
        self._busy = False
        self._next_full = 0.0

    async def tick(self, *, force: bool = True) -> int:
        """Returns how many broadcasts it started or finished. ``force=False`` (the periodic
        job) skips the database when nothing can be going on."""
        poked = self._ctx.activity.take()
        if not (force or poked or self._busy or self._mono() >= self._next_full):
            return 0
        self._next_full = self._mono() + self.FULL_CHECK_SECONDS
        steps = 0
        now = self._ctx.clock.now()
        async with self._sessionmaker() as session:
            due = await BroadcastRepository(session).due_scheduled(now)
            active = await BroadcastRepository(session).in_progress()
        self._busy = bool(active)
        for broadcast_id in due:
            async with self._sessionmaker() as session, session.begin():
                repo = BroadcastRepository(session)
                current = await repo.get(broadcast_id, lock=True)
                if current is None or current.status != BroadcastStatus.SCHEDULED:
                    continue
                actor = current.sent_by or current.created_by
                service = BroadcastService(session, self._ctx)
                result = await service.start_loaded(current, actor)
                steps += int(result.started)
                if result.started:
                    active.append(broadcast_id)
        for broadcast_id in sorted(set(active)):
            async with self._sessionmaker() as session, session.begin():
                current = await BroadcastRepository(session).get(broadcast_id)
                if current is None:
                    continue
                service = BroadcastService(session, self._ctx)
                steps += int(await service.refresh_status(current))
        return steps
