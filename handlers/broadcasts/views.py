"""Broadcast texts: the live status, the report, the list, and the reasons for bad input."""

from __future__ import annotations

import html
import re
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.delivery.messages import Button, Keyboard, MessageContent
from bot.regions import region_name
from bot.services.broadcasts.content import BroadcastInputError
from bot.services.broadcasts.texts import Progress
from db.repositories.broadcasts import AudienceFilter, BroadcastDTO, BroadcastStatus
from handlers.broadcasts.callbacks import BcCb
from handlers.events.formatting import category_name

BAR_WIDTH = 12
_TAG = re.compile(r"<[^>]*>")
SUPPORTED = ("text", "photo", "video", "document")


def language_name(code: str) -> str:
    return {"kk": _("Kazakh"), "ru": _("Russian")}.get(code, code)


def status_name(status: str) -> str:
    return {
        BroadcastStatus.DRAFT: _("draft"),
        BroadcastStatus.SCHEDULED: _("scheduled"),
        BroadcastStatus.SENDING: _("sending"),
        BroadcastStatus.PAUSED: _("paused"),
        BroadcastStatus.STOPPED: _("stopped"),
        BroadcastStatus.DONE: _("sent"),
        BroadcastStatus.CANCELLED: _("cancelled"),
    }.get(status, status)


def input_error(exc: BroadcastInputError) -> str:
    p = exc.params
    texts = {
        "unsupported": _(
            "⚠️ This kind of message cannot be broadcast. What works: text (with formatting), "
            "a photo, a video or a document, with a caption if you like. Stickers, polls and "
            "albums are not supported."
        ),
        "empty": _("⚠️ The message is empty. Send a text, or a photo, video or document."),
        "text_too_long": _(
            "⚠️ The text is {length} characters long; Telegram allows at most {limit}. "
            "Shorten it and send it again."
        ),
        "caption_too_long": _(
            "⚠️ The caption is {length} characters long; Telegram allows at most {limit}. "
            "Shorten it and send it again."
        ),
        "bad_url": _("⚠️ “{url}” is not a valid link. A link starts with https:// (or http://)."),
        "bad_button": _(
            "⚠️ I could not read the button “{line}”. Write one button per line as "
            "<code>Label - https://example.kz</code>."
        ),
        "button_text_too_long": _("⚠️ A button label may be at most {limit} characters."),
        "too_many_buttons": _("⚠️ {count} buttons is too many: at most {limit}."),
        "past": _("⚠️ That time has already passed. Enter a time in the future."),
        "quiet": _(
            "⚠️ That time is in the quiet hours ({start}–{end}) and “hold in quiet hours” is on. "
            "Choose another time, or turn holding off in the preview."
        ),
    }
    return texts.get(exc.code, _("⚠️ Something is wrong with this input.")).format(
        **{k: escape(str(v)) for k, v in p.items()}
    )


def audience_lines(audience: AudienceFilter, lang: str) -> list[str]:
    if audience.only_user is not None:
        return [_("🧪 Test: only you")]
    lines: list[str] = []
    if audience.languages:
        names = ", ".join(language_name(code) for code in audience.languages)
        lines.append(_("Language: {names}").format(names=names))
    if audience.regions:
        names = ", ".join(region_name(code, lang) for code in audience.regions)
        lines.append(_("Regions: {names}").format(names=names))
    if audience.categories:
        names = ", ".join(category_name(code) for code in audience.categories)
        lines.append(_("Subscribed to: {names}").format(names=names))
    if audience.asked_days is not None:
        lines.append(
            ngettext(
                "Asked consultants in the last {n} day",
                "Asked consultants in the last {n} days",
                audience.asked_days,
            ).format(n=audience.asked_days)
        )
    if audience.consultants:
        lines.append(_("Consultants only"))
    return lines or [_("Everyone")]


def bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("{s} s").format(s=seconds)
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return _("{m} min {s} s").format(m=minutes, s=sec)
    hours, minutes = divmod(minutes, 60)
    return _("{h} h {m} min").format(h=hours, m=minutes)


def title(broadcast: BroadcastDTO, progress: Progress) -> str:
    if progress.phase == "edit":
        return _("✏️ <b>Editing broadcast #{id} everywhere</b>").format(id=broadcast.id)
    if progress.phase == "delete":
        return _("🗑 <b>Deleting broadcast #{id} everywhere</b>").format(id=broadcast.id)
    return _("📣 <b>Broadcast #{id}</b>").format(id=broadcast.id)


def figures(progress: Progress) -> list[str]:
    lines = [
        _("✅ Delivered: {n}").format(n=progress.delivered),
        _("🚫 Unreachable: {n}").format(n=progress.unreachable),
        _("⚠️ Failed: {n}").format(n=progress.failed),
    ]
    if progress.cancelled:
        lines.append(_("⏹ Not sent (stopped): {n}").format(n=progress.cancelled))
    if progress.waiting:
        lines.append(_("⏳ Waiting: {n}").format(n=progress.waiting))
    return lines


def status_text(broadcast: BroadcastDTO, progress: Progress) -> str:
    total = progress.total
    lines = [title(broadcast, progress)]
    state = status_name(broadcast.status) if progress.phase == "send" else ""
    if progress.phase != "send":
        state = _("done") if progress.finished else _("in progress")
    lines.append(_("Status: {status}").format(status=state))
    lines.append(f"{bar(progress.done_count, total)} {progress.done_count}/{total}")
    lines.extend(figures(progress))
    if progress.rate and not progress.finished:
        lines.append(_("Rate: {rate:.1f} messages/s").format(rate=progress.rate))
        if progress.seconds_left is not None and broadcast.status != BroadcastStatus.PAUSED:
            lines.append(_("Time left: about {t}").format(t=duration(progress.seconds_left)))
    return "\n".join(lines)


def status_keyboard(broadcast: BroadcastDTO, progress: Progress) -> Keyboard | None:
    if progress.phase != "send" or progress.finished:
        return None
    row: list[Button] = []
    if broadcast.status == BroadcastStatus.SENDING:
        row.append(Button(_("⏸ Pause"), callback_data=BcCb(action="pause", id=broadcast.id).pack()))
    if broadcast.status == BroadcastStatus.PAUSED:
        row.append(
            Button(_("▶️ Resume"), callback_data=BcCb(action="resume", id=broadcast.id).pack())
        )
    if broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.PAUSED):
        row.append(Button(_("⏹ Stop"), callback_data=BcCb(action="stop", id=broadcast.id).pack()))
    return (tuple(row),) if row else None


def report_text(broadcast: BroadcastDTO, progress: Progress) -> str:
    if progress.phase == "edit":
        head = _("✏️ <b>Broadcast #{id}: edited everywhere.</b>").format(id=broadcast.id)
    elif progress.phase == "delete":
        head = _("🗑 <b>Broadcast #{id}: deleted everywhere.</b>").format(id=broadcast.id)
    elif broadcast.status == BroadcastStatus.STOPPED:
        head = _("⏹ <b>Broadcast #{id} stopped.</b>").format(id=broadcast.id)
    else:
        head = _("🏁 <b>Broadcast #{id} finished.</b>").format(id=broadcast.id)
    lines = [head, *figures(progress)]
    if progress.unreachable:
        lines.append(
            _("Unreachable people blocked the bot or deleted their account; later broadcasts "
              "leave them out.")
        )  # fmt: skip
    if progress.too_old:
        lines.append(
            _("Older than 48 hours (Telegram no longer lets the bot delete them): {n}")
            .format(n=progress.too_old)
        )  # fmt: skip
    if progress.failures:
        lines.append(_("Reasons for failures:"))
        lines.extend(f"• {escape(reason)} — {n}" for reason, n in progress.failures)
    return "\n".join(lines)


def report_keyboard(broadcast: BroadcastDTO, progress: Progress) -> Keyboard | None:
    if progress.phase == "delete" or not progress.delivered:
        return None
    return (
        (
            Button(
                _("✏️ Edit everywhere"),
                callback_data=BcCb(action="edit_all", id=broadcast.id).pack(),
            ),
            Button(
                _("🗑 Delete everywhere"),
                callback_data=BcCb(action="delete_all", id=broadcast.id).pack(),
            ),
        ),
    )


def when_text(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M") if moment else "—"


def content_summary(broadcast: BroadcastDTO) -> str:
    version = broadcast.versions[broadcast.default_language]
    text = html.unescape(_TAG.sub("", version.text or "")).replace("\n", " ")
    short = text[:60] + ("…" if len(text) > 60 else "")
    icons = {"text": "📝", "photo": "🖼", "video": "🎬", "document": "📄"}
    return f"{icons.get(version.kind, '')} {escape(short)}"


class BroadcastNoticeTexts:
    """Implements bot.services.broadcasts.texts.BroadcastTexts."""

    def __init__(self, i18n: I18n, tz: ZoneInfo) -> None:
        self._i18n = i18n
        self._tz = tz

    def status(self, broadcast: BroadcastDTO, progress: Progress, language: str) -> MessageContent:
        with self._i18n.context(), self._i18n.use_locale(language):
            return MessageContent(
                status_text(broadcast, progress), status_keyboard(broadcast, progress)
            )

    def report(self, broadcast: BroadcastDTO, progress: Progress, language: str) -> MessageContent:
        with self._i18n.context(), self._i18n.use_locale(language):
            return MessageContent(
                report_text(broadcast, progress), report_keyboard(broadcast, progress)
            )
