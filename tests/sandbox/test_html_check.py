"""Telegram's HTML subset, parsed as strictly as the real server."""

from __future__ import annotations

import pytest

from bot.sandbox.errors import ApiError
from bot.sandbox.html_check import parse_html


def entities(source: str) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in parse_html(source).entities()]  # type: ignore[misc]


def test_supported_tags_and_entities() -> None:
    parsed = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><strike>y</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://example.org/?a=1&amp;b=2">link</a><code>c</code>'
        '<pre><code class="language-python">pass</code></pre><blockquote>quote</blockquote>'
        "<blockquote expandable>more</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    types = [e["type"] for e in parsed.entities()]
    assert types == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "text_link", "code", "pre",
        "blockquote", "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip
    link = next(e for e in parsed.entities() if e["type"] == "text_link")
    assert link["url"] == "https://example.org/?a=1&b=2"
    pre = next(e for e in parsed.entities() if e["type"] == "pre")
    assert pre["language"] == "python"


def test_character_references() -> None:
    assert parse_html("&lt;a&gt; &amp; &quot;q&quot; &#1241; &#x4E2D; &nbsp; AT&T").text == (
        '<a> & "q" ә 中 &nbsp; AT&T'
    )


def test_offsets_are_utf16_and_nested() -> None:
    assert entities("😀 <b>bold <i>both</i></b>") == [("bold", 3, 9), ("italic", 8, 4)]


def test_text_is_stripped() -> None:
    parsed = parse_html("  <b> hi </b>\n")
    assert parsed.text == "hi"
    assert entities("  <b> hi </b>\n") == [("bold", 0, 2)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Сәлем <b", "Unclosed start tag at byte offset 11"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<a href>x</a>", "Expected equal sign"),
        ("<b>x</b", "Unclosed end tag"),
    ],
)
def test_malformed_html_is_rejected(source: str, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.status == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert message in caught.value.description
