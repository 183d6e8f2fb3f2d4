"""Telegram-shaped errors, so PTB maps them to the same exceptions as in production."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

#: Status `FakeTelegram.handle` returns when the response is "lost on the wire";
#: the transports turn it into a dropped connection / `telegram.error.NetworkError`.
NETWORK_DROP = 0

_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

MSG_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MSG_QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
MSG_CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
MSG_BLOCKED = "Forbidden: bot was blocked by the user"
MSG_CHAT_NOT_FOUND = "Bad Request: chat not found"
MSG_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
MSG_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class ApiError(Exception):
    """An error the Bot API would answer with; `body()` is the exact JSON Telegram sends."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, int] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The response body; `parameters` only when set, as Telegram does."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def default_description(status: int, retry_after: int | None = None) -> str:
    """Telegram's wording for a bare status, so injected faults look real."""
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return _DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")


def make_error(
    status: int, description: str | None = None, retry_after: int | None = None
) -> ApiError:
    """Build any error; 429 always carries `parameters.retry_after` as PTB needs it."""
    if status == 429:
        seconds = retry_after or 1
        return ApiError(
            429, description or default_description(429, seconds), {"retry_after": seconds}
        )
    params = {"retry_after": retry_after} if retry_after else None
    return ApiError(status, description or default_description(status), params)


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 exactly as flood control answers."""
    return make_error(429, retry_after=retry_after)
