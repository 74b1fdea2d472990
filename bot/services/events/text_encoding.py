"""Which encoding a text file is in, and whether Kazakh letters were lost before it reached us.

Excel saves "CSV (comma delimited)" in the Windows code page: Windows-1251 on a Russian or Kazakh
Windows. Windows-1251 has І but not Ә Ғ Қ Ң Ө Ұ Ү Һ, and Excel writes «?» for each of them:
«Қазақстан» becomes «?аза?стан». Such a file decodes without error, so the loss has to be seen
in the text: a «?» directly followed by a Cyrillic letter (a lost letter at the start or in the
middle of a word) does not occur in real writing, while a lost letter at the end of a word looks
like a question mark and is not counted.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
_LOST_LETTER = re.compile(r"\?[\u0400-\u04ff]")
# Excel's "Unicode text" is UTF-16 with a BOM; other programs may leave the BOM out.
_SNIFF_BYTES = 512


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # a Python codec name: "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1251"

    @property
    def holds_kazakh(self) -> bool:
        return encoding_holds_kazakh(self.encoding)


def encoding_holds_kazakh(encoding: str) -> bool:
    try:
        KAZAKH_LETTERS.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _bomless_utf16(data: bytes) -> str | None:
    """ASCII (the header, digits, separators) in UTF-16 has a zero byte in every other position:
    the second of each pair in little-endian order, the first in big-endian; Cyrillic has 0x04
    there instead. A stray NUL in UTF-8 text is not that pattern."""
    sample = data[: min(len(data), _SNIFF_BYTES) // 2 * 2]
    pairs = len(sample) // 2
    if not pairs:
        return None
    first_zeros, second_zeros = sample[0::2].count(0), sample[1::2].count(0)
    if second_zeros * 8 >= pairs and first_zeros * 20 <= pairs:
        return "utf-16-le"
    if first_zeros * 8 >= pairs and second_zeros * 20 <= pairs:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> DecodedText:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else Windows-1251.

    Raises UnicodeDecodeError when the bytes are none of these (a binary file)."""
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DecodedText(data.decode("utf-16"), "utf-16")
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return DecodedText(data.decode(utf16), utf16)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return DecodedText(data.decode("cp1251"), "cp1251")


def has_lost_letters(text: str) -> bool:
    """True when «?» stands where a letter of a Cyrillic word should be."""
    return _LOST_LETTER.search(text) is not None
