"""HTTP to one camera over an injected ``httpx.AsyncClient``: Digest with a Basic fallback.

Pure module (no Home Assistant import); the source passes Home Assistant's shared client from
``homeassistant.helpers.httpx_client.get_async_client``. The Hikvision ISAPI and Dahua CGI
clients build on :class:`CameraHttpClient`; both vendors answer 401 with an HTTP Digest
challenge (RFC 7616, answered by ``httpx.DigestAuth``) unless the device is set to Basic only
(``docs/protocols.md``, "Device info and authentication" under "Hikvision ISAPI", and "Dahua").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar

import httpx


class CameraHttpClient:
    """Requests to one camera at ``base_url`` (``http(s)://host:port``) as ``username``.

    Authentication starts as Digest; a 401 whose challenge offers only Basic switches the client
    to Basic for good and the request is sent again (``auth_scheme`` says which is in use). A
    vendor client subclasses this and names its exceptions in :attr:`error`,
    :attr:`auth_error` and :attr:`connection_error`; statuses are the vendor's to judge.
    Credentials never appear in an exception message.
    """

    #: Raised for an answer over its size cap.
    error: ClassVar[type[Exception]] = Exception
    #: Raised for HTTP 401 (Digest refused, and Basic too when the camera offers only Basic).
    auth_error: ClassVar[type[Exception]] = Exception
    #: Raised for timeouts and transport failures (connect, read, dropped connection).
    connection_error: ClassVar[type[Exception]] = Exception

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 10.0,
    ) -> None:
        """Keep the session and credentials; nothing is sent yet. ``timeout`` in seconds."""
        self._client = client
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._auth: httpx.Auth = httpx.DigestAuth(username, password)
        self.auth_scheme = "digest"
        self.timeout = timeout

    def _use_basic(self, response: httpx.Response) -> bool:
        """Switch to Basic when a 401 offers only Basic; return True if we switched."""
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        if self.auth_scheme == "digest" and challenge.startswith("basic"):
            self._auth = httpx.BasicAuth(self._username, self._password)
            self.auth_scheme = "basic"
            return True
        return False

    @asynccontextmanager
    async def open(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | float | None = None,  # noqa: ASYNC109 - httpx's own timeout
    ) -> AsyncIterator[httpx.Response]:
        """Send ``method path``; yield the response (body unread), its status for the caller.

        Raises :attr:`auth_error` for a 401 the Basic fallback does not cure, and
        :attr:`connection_error` (naming ``path`` without its query string) for a timeout or a
        transport failure while sending or while the caller reads the body.
        """
        name = path.split("?", 1)[0]
        url = f"{self.base_url}{path}"
        for _attempt in range(2):
            try:
                async with self._client.stream(
                    method,
                    url,
                    content=content,
                    auth=self._auth,
                    timeout=timeout or self.timeout,
                    headers=headers,
                ) as response:
                    if response.status_code == 401:
                        if self._use_basic(response):
                            continue
                        raise self.auth_error("credentials refused")
                    yield response
                    return
            except httpx.TimeoutException as err:
                raise self.connection_error(f"timeout on {name}") from err
            except httpx.HTTPError as err:
                raise self.connection_error(f"{type(err).__name__} on {name}") from err
        raise self.auth_error("credentials refused")  # pragma: no cover - loop always returns

    async def read_capped(self, response: httpx.Response, cap: int, path: str) -> bytes:
        """Read the body of ``response``; raise :attr:`error` once it passes ``cap`` bytes."""
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > cap:
                raise self.error(f"{path.split('?', 1)[0]} answer exceeds {cap} bytes")
        return bytes(body)

    async def chunks(self, response: httpx.Response, path: str) -> AsyncIterator[bytes]:
        """Yield the raw body of a never-ending stream (alertStream, attach) as it arrives.

        Raises :attr:`connection_error` when no bytes come within the read timeout or the
        connection drops; ends when the camera closes the stream.
        """
        name = path.split("?", 1)[0]
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        except httpx.TimeoutException as err:
            raise self.connection_error(f"no data on {name} within the read timeout") from err
        except httpx.HTTPError as err:
            raise self.connection_error(f"{type(err).__name__} on {name}") from err
