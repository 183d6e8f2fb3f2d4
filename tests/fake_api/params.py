"""Turn wire-format parameters into Python values, as Telegram does for any encoding.

PTB sends every non-string value JSON-encoded inside form fields (``"123"``, ``"true"``,
``'{"inline_keyboard": ...}'``); JSON bodies carry real types. Both end up identical here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import bad_request

JSON = dict[str, Any]

JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "entities",
        "caption_entities",
        "menu_button",
        "message_ids",
        "media",
    }
)
INT_PARAMS = frozenset(
    {
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "until_date",
    }
)
FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "only_if_banned",
        "revoke_messages",
    }
)


def _as_int(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return value


def _as_float(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _as_bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


def _as_json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def normalize(raw: Mapping[str, Any]) -> JSON:
    """Decode known parameters leniently; anything undecodable is left for validation."""
    out: JSON = {}
    for key, value in raw.items():
        if value is None:
            continue
        if key in JSON_PARAMS:
            value = _as_json(value)
        elif key == "chat_id" or key in INT_PARAMS:
            value = _as_int(value)
        elif key in FLOAT_PARAMS:
            value = _as_float(value)
        elif key in BOOL_PARAMS:
            value = _as_bool(value)
        out[key] = value
    return out


class Params:
    """Typed, validating access to normalised params; errors are Telegram's 400s."""

    def __init__(self, values: JSON) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        """True when the parameter was sent."""
        return name in self.values

    def opt_str(self, name: str) -> str | None:
        """A string parameter, or None; numbers are accepted as their text."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise bad_request(f'field "{name}" must be of type String')
        return value if isinstance(value, str) else json.dumps(value)

    def need_str(self, name: str, missing: str | None = None) -> str:
        """A required string parameter."""
        value = self.opt_str(name)
        if value is None:
            raise bad_request(missing or f"{name} is empty")
        return value

    def opt_int(self, name: str) -> int | None:
        """An integer parameter, or None."""
        value = _as_int(self.values.get(name))
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {name} specified")
        return value

    def need_int(self, name: str, missing: str | None = None) -> int:
        """A required integer parameter."""
        value = self.opt_int(name)
        if value is None:
            raise bad_request(missing or f"{name} is empty")
        return value

    def opt_float(self, name: str) -> float | None:
        """A float parameter, or None."""
        value = _as_float(self.values.get(name))
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad_request(f"invalid {name} specified")
        return float(value)

    def need_float(self, name: str) -> float:
        """A required float parameter."""
        value = self.opt_float(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        """A boolean flag; absent means False."""
        value = _as_bool(self.values.get(name, False))
        return bool(value) if isinstance(value, (bool, int)) else False

    def opt_obj(self, name: str) -> JSON | None:
        """A JSON object parameter, or None."""
        value = _as_json(self.values.get(name))
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def opt_list(self, name: str) -> list[Any] | None:
        """A JSON array parameter, or None."""
        value = _as_json(self.values.get(name))
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON array")
        return value

    def chat_ref(self) -> int | str:
        """chat_id as int, or an ``@username`` string."""
        value = _as_int(self.values.get("chat_id"))
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise bad_request("chat not found")
        return value
