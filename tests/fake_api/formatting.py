"""Cheap copies of Telegram's text checks, so escaping bugs fail in tests, not in groups.

We do not build entities; we only reject what Telegram rejects (bad HTML/MarkdownV2,
length limits, invalid inline buttons) and compute the visible text for length checks.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import ApiError, bad_request

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji", "tg-time",
    }
)  # fmt: skip
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BUTTON_ACTIONS = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip


def _offset(text: str, index: int) -> int:
    """Telegram reports UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _entity_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def visible_html(text: str) -> str:
    """Validate Telegram-HTML and return the text a user would see."""
    stack: list[tuple[str, int]] = []
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "<":
            out.append(text[i])
            i += 1
            continue
        closing = text.startswith("</", i)
        name_start = i + (2 if closing else 1)
        name = _TAG_NAME.match(text, name_start)
        tag = name.group(0).lower() if name else ""
        end = text.find(">", name_start)
        if closing:
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_offset(text, i)}")
            if stack[-1][0] != tag:
                raise _entity_error(
                    f"Unmatched end tag at byte offset {_offset(text, i)}, expected "
                    f'"</{stack[-1][0]}>", found "</{tag}>"'
                )
            stack.pop()
        elif tag not in _HTML_TAGS or end == -1:
            raise _entity_error(f'Unsupported start tag "{tag}" at byte offset {_offset(text, i)}')
        else:
            stack.append((tag, i))
        if end == -1:
            raise _entity_error(f"Unclosed end tag at byte offset {_offset(text, i)}")
        i = end + 1
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return html.unescape("".join(out))


def _skip_code(text: str, start: int, fence: str) -> int:
    """Index just past the closing fence of a code span, honouring backslash escapes."""
    i = start + len(fence)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(fence, i):
            return i + len(fence)
        i += 1
    raise _entity_error(
        f"Can't find end of the entity starting at byte offset {_offset(text, start)}"
    )


def _skip_url(text: str, start: int) -> int:
    """Index just past the ``)`` of a link target starting at ``(``."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ")":
            return i + 1
        i += 1
    raise _entity_error(f"Can't find end of a URL at byte offset {_offset(text, start)}")


def visible_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 (reserved characters, balanced markers) and return visible text."""
    stack: list[tuple[str, int]] = []
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            out.append(text[i + 1 : i + 2])
            i += 2
        elif char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _skip_code(text, i, fence)
            out.append(_UNESCAPE.sub(r"\1", text[i + len(fence) : end - len(fence)]))
            i = end
        elif char in "*_~|":
            token = text[i : i + 2] if text[i : i + 2] in ("__", "||") else char
            if token == "|":
                raise _reserved(char)
            if stack and stack[-1][0] == token:
                stack.pop()
            else:
                stack.append((token, i))
            i += len(token)
        elif char == "[":
            stack.append(("[", i))
            i += 1
        elif char == "]" and stack and stack[-1][0] == "[":
            stack.pop()
            if not text.startswith("(", i + 1):
                raise _reserved("]")
            i = _skip_url(text, i + 1)
        elif (char == ">" and (i == 0 or text[i - 1] == "\n")) or (
            char == "!" and text.startswith("[", i + 1)
        ):
            i += 1  # blockquote marker / custom emoji prefix
        elif char in _MDV2_RESERVED:
            raise _reserved(char)
        else:
            out.append(char)
            i += 1
    if stack:
        where = _offset(text, stack[-1][1])
        raise _entity_error(f"Can't find end of the entity starting at byte offset {where}")
    return "".join(out)


def _reserved(char: str) -> ApiError:
    return _entity_error(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def visible_text(text: str, parse_mode: str | None) -> str:
    """Visible text for a parse mode; raises the 400 Telegram would."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return visible_html(text)
    if mode == "markdownv2":
        return visible_markdown_v2(text)
    if mode in ("", "markdown"):
        return text
    raise bad_request("unsupported parse_mode")


def check_text(text: str, parse_mode: str | None) -> str:
    """sendMessage/editMessageText text rules; returns the visible text."""
    visible = visible_text(text, parse_mode)
    if not visible.strip():
        raise bad_request("message text is empty")
    if len(visible) > MAX_TEXT:
        raise bad_request("message is too long")
    return visible


def check_caption(caption: str | None, parse_mode: str | None) -> str | None:
    """Media caption rules; returns the visible caption."""
    if caption is None:
        return None
    visible = visible_text(caption, parse_mode)
    if len(visible) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return visible


def check_reply_markup(markup: JSON | None) -> None:
    """Reject inline keyboards Telegram would reject (bad callback_data, bare text buttons)."""
    if markup is None or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" must be"
                          " of type Array")  # fmt: skip
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if not _BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
