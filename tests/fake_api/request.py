"""`FakeRequest`: a PTB request backend that calls a `FakeTelegram` in-process (no sockets).

It feeds the core the same wire-format strings PTB's HTTPXRequest would send
(`RequestData.json_parameters` + `multipart_data`), so both transports behave alike.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from .core import FakeTelegram
from .errors import NETWORK_DROP
from .models import UploadedFile


def _file_bytes(content: Any) -> bytes:
    """PTB >= 21.5 may hand over open file objects instead of bytes."""
    if isinstance(content, bytes):
        return content
    data = content.read()
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


def files_from(request_data: RequestData | None) -> dict[str, UploadedFile]:
    """Multipart parts of a PTB request as UploadedFile records."""
    if request_data is None or not request_data.contains_files:
        return {}
    return {
        name: UploadedFile(filename, _file_bytes(content), mime_type)
        for name, (filename, content, mime_type) in request_data.multipart_data.items()
    }


class FakeRequest(BaseRequest):
    """Use for both ``.request()`` and ``.get_updates_request()`` of ApplicationBuilder."""

    def __init__(
        self, core: FakeTelegram, token: str | None = None, read_timeout: float | None = 5.0
    ) -> None:
        self.core = core
        self.token = token
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """PTB adds this to getUpdates' timeout; irrelevant without sockets."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Route ``.../bot<token>/<method>`` into the core; answer with its JSON."""
        if self.token is not None and f"{self.token}/" not in url:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return 401, json.dumps(body).encode()
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params = request_data.json_parameters if request_data is not None else {}
        status, body = await self.core.handle_async(api_method, params, files_from(request_data))
        if status == NETWORK_DROP:
            raise NetworkError("fake network: connection lost before the response arrived")
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")
