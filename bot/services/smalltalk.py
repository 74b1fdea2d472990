"""Greetings and thanks: people write them to a bot too, and deserve better than "not found"."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from bot.services.faq.search.normalize import normalize


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"


_PHRASES = {
    SmallTalk.GREETING: (
        "привет",
        "приветствую",
        "здравствуйте",
        "здравствуй",
        "здрасте",
        "добрый день",
        "доброе утро",
        "добрый вечер",
        "салам",
        "салем",
        "сәлем",
        "сәлеметсіз бе",
        "сәлеметсіздер ме",
        "ассалаумағалейкум",
        "ассалаумағалейкум уа рахматуллаһи",
        "қайырлы күн",
        "қайырлы таң",
        "қайырлы кеш",
        "hi",
        "hello",
        "salem",
        "salam",
        "salemetsiz be",
        "sälemetsız be",
        "qaiyrly kün",
        "kaiyrly kun",
        "assalaumagaleikum",
        "start",
        "старт",
        "начать",
        "бастау",
    ),
    SmallTalk.THANKS: (
        "спасибо",
        "спасибо большое",
        "большое спасибо",
        "благодарю",
        "спс",
        "рахмет",
        "рақмет",
        "көп рахмет",
        "көп рақмет",
        "үлкен рахмет",
        "rahmet",
        "rakhmet",
        "raqmet",
        "kop rahmet",
        "thanks",
        "thank you",
        "ок спасибо",
        "понятно спасибо",
    ),
}
# Words that may come along without changing the meaning ("привет, бот!").
_FILLER = {normalize(word) for word in ("бот", "kenes", "кенес", "кеңес", "вам", "сізге")}


@cache
def _lookup() -> dict[str, SmallTalk]:
    return {normalize(phrase): kind for kind, phrases in _PHRASES.items() for phrase in phrases}


def classify(text: str) -> SmallTalk | None:
    """The kind of small talk `text` is, if the whole message is one; None otherwise."""
    if len(text) > 60:
        return None
    words = [word for word in normalize(text).split() if word not in _FILLER]
    return _lookup().get(" ".join(words))
