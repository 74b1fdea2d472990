"""Hypothesis strategies for the update fuzz: what people (and forged clients) can send.

An action is a plain tuple, so a failing example prints as something one can replay by hand.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Who acts: A (onboarded, Russian), C (never onboarded, Kazakh client), the admin. B, whose data
# must never reach them, stays passive after being seeded.
ACTORS = ("a", "c", "admin")
CHATS = ("private", "private", "private", "group", "supergroup")
# Buttons can be pressed in a channel too (on a post of the bot's).
PRESS_CHATS = (*CHATS, "channel")

COMMANDS = (
    "/start",
    "/help",
    "/faq",
    "/events",
    "/subscriptions",
    "/language",
    "/cancel",
    "/forget",
    "/admin",
    "/menu",
    "/teleport",
    "/start@kenes_test_bot",
    "/help@another_bot",
    "/START",
    "/",
    "/start deeplink_payload",
    "/events 99999999999999999999999",
    "/subscriptions -1",
)
QUESTIONS = (
    "сколько стоит регистрация НПО",
    "как зарегистрировать общественное объединение",
    "ҮЕҰ қалай тіркеледі",
    "uyym qalai tirkeledi",
    "какие отчеты сдает некоммерческая организация",
    "где найти гранты",
    "привет",
    "спасибо",
    "что такое государственный социальный заказ",
)
PREFIXES = (
    *("m", "ad", "lg", "rg", "ev", "sb", "ae", "dk", "aq"),
    *("fc", "fe", "fa", "fs", "fv", "ac", "fk", "fg"),
)
FIELD_VALUES = (
    "",
    "0",
    "1",
    "-1",
    "main",
    "faq",
    "events",
    "subs",
    "region",
    "lang",
    "help",
    "admin",
    "menu",
    "list",
    "card",
    "show",
    "ics",
    "remind",
    "cat",
    "forum",
    "seminar",
    "kk",
    "ru",
    "en",
    "astana",
    "mangystau",
    "True",
    "False",
    "delete_ok",
    "cancel_ok",
    "new",
    "my",
    "write",
    "stars",
    "take",
    "2147483648",
    "99999999999999999999",
    "7100002",
    "NaN",
    "%3A",
    "ë",
)

text_chars = st.characters(exclude_categories=["Cs"])
plain_text = st.text(text_chars, min_size=1, max_size=120)


def _command(parts: tuple[str, str]) -> str:
    command, argument = parts
    return f"{command} {argument}".strip()


texts = st.one_of(
    plain_text,
    st.sampled_from(QUESTIONS),
    st.tuples(st.sampled_from(QUESTIONS), plain_text).map(" ".join),
    st.sampled_from(COMMANDS),
    st.tuples(st.sampled_from(COMMANDS), st.text(text_chars, max_size=30)).map(_command),
    st.from_regex(r"/[a-z_]{1,20}", fullmatch=True),
    # Huge texts, up to Telegram's 4096 characters.
    st.tuples(st.text(text_chars, min_size=1, max_size=12), st.integers(300, 4096)).map(
        lambda pair: (pair[0] * pair[1])[:4096]
    ),
    st.sampled_from(("🙂" * 2000, "\u200b\u200d\ufeff", "<b>не закрыт", "&lt;&amp;", " \n\t ")),
)


def _pack(parts: tuple[str, list[str]]) -> str:
    prefix, fields = parts
    return ":".join([prefix, *fields])


callback_data = st.one_of(
    # Structurally like ours: a known prefix, random field values.
    st.tuples(
        st.sampled_from(PREFIXES), st.lists(st.sampled_from(FIELD_VALUES), min_size=0, max_size=4)
    ).map(_pack),
    st.tuples(
        st.sampled_from(PREFIXES),
        st.lists(st.text(text_chars, max_size=8), min_size=1, max_size=3),
    ).map(_pack),
    # Random bytes within Telegram's 64, and forged data beyond it.
    st.text(text_chars, max_size=64),
    st.text(text_chars, min_size=65, max_size=300),
    st.just(""),
    # aiogram-dialog's format: intent id, a \x1d separator, a widget id.
    st.tuples(st.text("abcdefXYZ0123", max_size=10), st.text("abc_0123", max_size=10)).map(
        lambda pair: f"{pair[0]}\x1d{pair[1]}"
    ),
)

document_names = st.sampled_from(
    ("events.csv", "events.yaml", "events.xlsx", "photo.jpg", "noext", "x" * 200 + ".csv", "a.exe")
)
document_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        (
            b"title_kk,title_ru,starts_at\n\xd0\x90,\xd0\x91,2030-01-01 10:00\n",
            b"- title_ru: x\n  starts_at: tomorrow\n",
            b"\xef\xbb\xbf;;;;\n",
        )
    ),
)

MALFORMED: tuple[dict[str, Any], ...] = (
    {"message": {"message_id": "abc", "date": "yesterday", "chat": {"id": 1}}},
    {"callback_query": {"id": 5}},
    {"edited_message": [1, 2, 3]},
    {"my_chat_member": {}},
    {"message": None},
    {"message": {"message_id": 1, "date": 0, "chat": {"id": "x", "type": "private"}}},
    {"totally_new_update_kind": {"field": 1}},
)

actions = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(ACTORS), st.sampled_from(CHATS), texts),
    st.tuples(st.just("text"), st.sampled_from(ACTORS), st.just("private"), texts),
    st.tuples(
        st.just("press"), st.sampled_from(ACTORS), st.sampled_from(PRESS_CHATS), st.integers(0, 40)
    ),
    st.tuples(st.just("press"), st.sampled_from(ACTORS), st.just("private"), st.integers(0, 40)),
    st.tuples(
        st.just("forge"), st.sampled_from(ACTORS), st.sampled_from(PRESS_CHATS), callback_data
    ),
    st.tuples(st.just("sticker"), st.sampled_from(ACTORS), st.sampled_from(CHATS)),
    st.tuples(
        st.sampled_from(("voice", "video", "audio", "album")),
        st.sampled_from(ACTORS),
        st.sampled_from(CHATS),
    ),
    st.tuples(st.just("photo"), st.sampled_from(ACTORS), st.sampled_from(CHATS), st.none() | texts),
    st.tuples(
        st.just("document"),
        st.sampled_from(ACTORS),
        st.sampled_from(CHATS),
        document_names,
        document_bodies,
    ),
    st.tuples(
        st.just("location"),
        st.sampled_from(ACTORS),
        st.sampled_from(CHATS),
        st.floats(-90, 90),
        st.floats(-180, 180),
    ),
    st.tuples(
        st.just("contact"),
        st.sampled_from(ACTORS),
        st.sampled_from(CHATS),
        st.from_regex(r"\+?[0-9]{0,15}", fullmatch=True),
        st.booleans(),
    ),
    st.tuples(st.just("edit"), st.sampled_from(ACTORS), st.sampled_from(CHATS), texts),
    st.tuples(st.just("poll"), st.sampled_from(ACTORS), st.sampled_from(CHATS)),
    st.tuples(st.just("forwarded"), st.sampled_from(ACTORS), texts),
    st.tuples(st.just("channel_post"), texts),
    st.tuples(st.just("block"), st.sampled_from(ACTORS), st.booleans()),
    st.tuples(st.just("bot_in_group"), st.sampled_from(("group", "supergroup")), st.booleans()),
    st.tuples(st.just("malformed"), st.sampled_from(MALFORMED)),
)

batches = st.lists(actions, min_size=1, max_size=12)
