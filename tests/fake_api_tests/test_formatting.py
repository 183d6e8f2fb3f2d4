"""Parse-mode checks accept what PTB's escaping helpers produce and reject raw input."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.helpers import escape_markdown

from tests.fake_api.errors import ApiError
from tests.fake_api.formatting import visible_html, visible_markdown_v2

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(names)
def test_escaped_html_always_parses_to_the_original(name: str) -> None:
    assert visible_html(f"<b>{html.escape(name)}</b> is in") == f"{name} is in"


@given(names)
def test_escaped_markdown_v2_always_parses_to_the_original(name: str) -> None:
    assert visible_markdown_v2(f"*{escape_markdown(name, version=2)}* is in") == f"{name} is in"


@given(names)
def test_escaped_code_spans_keep_their_content(code: str) -> None:
    escaped = escape_markdown(code, version=2, entity_type="code")
    assert visible_markdown_v2(f"`{escaped}`") == code


@pytest.mark.parametrize(
    "text",
    [
        '<a href="https://t.me/x">link</a> <i>it</i> <code>c</code>',
        "<blockquote>q</blockquote><tg-spoiler>s</tg-spoiler>",
    ],
)
def test_supported_html(text: str) -> None:
    visible_html(text)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a</b>", "Unexpected end tag at byte offset 1"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ],
)
def test_html_errors(text: str, detail: str) -> None:
    with pytest.raises(ApiError) as info:
        visible_html(text)
    assert info.value.description == f"Bad Request: can't parse entities: {detail}"


def test_markdown_v2_links_and_code() -> None:
    text = r"[Route](https://example.com/a_(b\)) `x.y` ~gone~ ||secret|| \- done"
    assert visible_markdown_v2(text) == "Route x.y gone secret - done"
