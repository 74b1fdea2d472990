"""Greetings and thanks: people write them to a bot too, and deserve better than "not found"."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from bot.services.faq.search.normalize import normalize


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    ACK = "ack"  # "ok", "понятно", 👍: the person read the answer and needs nothing more


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
    SmallTalk.ACK: (
        "ок",
        "окей",
        "okay",
        "хорошо",
        "понятно",
        "ясно",
        "ладно",
        "отлично",
        "супер",
        "понял",
        "поняла",
        "принято",
        "жақсы",
        "түсінікті",
        "түсіндім",
        "жарайды",
        "болды",
        "керемет",
        "zhaksy",
        "jaqsy",
        "tusinikti",
    ),
}
# A message of these emoji alone is a thumbs-up, a thank-you or a smile.
_ACK_EMOJI = frozenset("👍👌🙂😊✅❤️🔥💯👏")
_THANKS_EMOJI = frozenset("🙏🤝")
# Words that may come along without changing the meaning ("привет, бот!").
_FILLER = {normalize(word) for word in ("бот", "kenes", "кенес", "кеңес", "вам", "сізге")}


@cache
def _lookup() -> dict[str, SmallTalk]:
    return {normalize(phrase): kind for kind, phrases in _PHRASES.items() for phrase in phrases}


def classify(text: str) -> SmallTalk | None:
    """The kind of small talk `text` is, if the whole message is one; None otherwise."""
    if len(text) > 60:
        return None
    symbols = {ch for ch in text if not ch.isspace() and ch not in "\ufe0f\u200d"}
    if symbols and symbols <= _THANKS_EMOJI | _ACK_EMOJI:
        return SmallTalk.THANKS if symbols & _THANKS_EMOJI else SmallTalk.ACK
    words = [word for word in normalize(text).split() if word not in _FILLER]
    return _lookup().get(" ".join(words))
