"""Minimal asyncio Hikvision ISAPI client over an injected ``httpx.AsyncClient``.

Pure module (no Home Assistant import); Home Assistant passes its shared client from
``homeassistant.helpers.httpx_client.get_async_client``. Authentication is HTTP Digest
(``httpx.DigestAuth``) with a fallback to Basic when the device only offers Basic
(:class:`~..camera_http.CameraHttpClient`). Endpoints (ISAPI Developer Guide;
``docs/protocols.md``, "Hikvision ISAPI"):

* ``GET /ISAPI/System/deviceInfo``
* ``GET /ISAPI/Event/notification/alertStream`` (a never-ending multipart stream)
* ``GET`` (or ``PUT``) ``/ISAPI/Traffic/MNPR/channels/<ch>`` (manual plate recognition)
* ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates`` (plate log; lower-case path fallback)
* ``GET/PUT /ISAPI/Event/notification/httpHosts`` (HTTP listening target)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from xml.sax.saxutils import escape

import httpx

from .. import safejson
from ..camera_http import CameraHttpClient
from ..models import scalar_text
from ..timestamps import parse_iso
from .documents import HikvisionError, find_text, int_text, local_tag, parse_xml
from .plate_log import PlateLogEntry, parse_plates, plates_request_body

MAX_BODY: Final = 4 * 1024 * 1024
MAX_MNPR_BODY: Final = 16 * 1024 * 1024


# --- Device info and error bodies ----------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class DeviceInfo:
    """``/ISAPI/System/deviceInfo`` essentials.

    Source: ``docs/protocols.md``, "Hikvision ISAPI", "Device info and authentication".
    """

    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    mac: str | None = None
    name: str | None = None
    device_type: str | None = None


def parse_device_info(data: bytes) -> DeviceInfo:
    """Parse a ``DeviceInfo`` document. Raises :class:`HikvisionError` for bad XML."""
    root = parse_xml(data, 64 * 1024)[0]
    if local_tag(root.tag) != "DeviceInfo":
        raise HikvisionError(f"unexpected deviceInfo root <{local_tag(root.tag)}>")
    firmware = find_text(root, "firmwareVersion")
    build = find_text(root, "firmwareReleasedDate")
    return DeviceInfo(
        model=find_text(root, "model"),
        serial=find_text(root, "serialNumber"),
        firmware=f"{firmware} {build}" if firmware and build else firmware,
        mac=find_text(root, "macAddress"),
        name=find_text(root, "deviceName"),
        device_type=find_text(root, "deviceType"),
    )


@dataclass(slots=True, kw_only=True)
class ResponseStatus:
    """An ISAPI error body (XML ``ResponseStatus`` or JSON; ISAPI Developer Guide, error codes)."""

    status_code: int | None = None
    status_string: str | None = None
    sub_status_code: str | None = None


def parse_response_status(data: bytes) -> ResponseStatus | None:
    """Parse an ISAPI error body; None when it is not one. Never raises."""
    body = data.strip()[:65536]
    if body.startswith(b"{"):
        try:
            doc = safejson.loads(body)
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        return ResponseStatus(
            status_code=int_text(scalar_text(doc.get("statusCode"))),
            status_string=scalar_text(doc.get("statusString")),
            sub_status_code=scalar_text(doc.get("subStatusCode")),
        )
    try:
        root = parse_xml(body, 65536)[0]
    except HikvisionError:
        return None
    if local_tag(root.tag) != "ResponseStatus":
        return None
    return ResponseStatus(
        status_code=int_text(find_text(root, "statusCode")),
        status_string=find_text(root, "statusString"),
        sub_status_code=find_text(root, "subStatusCode"),
    )


# --- Client -------------------------------------------------------------------------------


class IsapiError(Exception):
    """An ISAPI request failed (transport error, unexpected status, unusable answer)."""


class IsapiAuthError(IsapiError):
    """The device refused the credentials (HTTP 401 after Digest and Basic)."""


class IsapiConnectionError(IsapiError):
    """The device could not be reached or stopped answering (timeouts included)."""


class IsapiNotSupportedError(IsapiError):
    """The device does not offer this function (404/405/403 ``notSupport``)."""


@dataclass(slots=True)
class AlertStream:
    """An open ``alertStream``: its ``Content-Type`` and an iterator over raw byte chunks."""

    content_type: str
    chunks: AsyncIterator[bytes]


class IsapiClient(CameraHttpClient):
    """Talk to one Hikvision device.

    ``client`` is an ``httpx.AsyncClient`` (certificate checking is configured on it);
    ``base_url`` is ``http(s)://host:port``. Every method raises :class:`IsapiAuthError`,
    :class:`IsapiConnectionError`, :class:`IsapiNotSupportedError` or :class:`IsapiError`;
    never logs credentials.
    """

    error = IsapiError
    auth_error = IsapiAuthError
    connection_error = IsapiConnectionError

    async def _request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        cap: int = MAX_BODY,
        timeout: float | None = None,  # noqa: ASYNC109 - httpx per-request timeout
    ) -> tuple[httpx.Response, bytes]:
        """Send a request; return the response and its body (at most ``cap`` bytes)."""
        async with self.open(
            method,
            path,
            content=content,
            timeout=timeout,
            headers={"Content-Type": "application/xml"} if content else None,
        ) as response:
            body = await self.read_capped(response, cap, path)
        self._raise_for_status(response, body, path)
        return response, body

    @staticmethod
    def _raise_for_status(response: httpx.Response, body: bytes, path: str) -> None:
        status = response.status_code
        if status in (404, 405, 501):
            raise IsapiNotSupportedError(f"{path} not supported (HTTP {status})")
        if status >= 400:
            info = parse_response_status(body)
            if info and (info.sub_status_code or "").casefold() == "notsupport":
                raise IsapiNotSupportedError(f"{path} not supported ({info.status_string})")
            detail = f": {info.status_string}" if info and info.status_string else ""
            raise IsapiError(f"{path} failed with HTTP {status}{detail}")

    async def device_info(self) -> DeviceInfo:
        """Return model, serial, firmware and MAC (``GET /ISAPI/System/deviceInfo``)."""
        _, body = await self._request("GET", "/ISAPI/System/deviceInfo")
        try:
            return parse_device_info(body)
        except HikvisionError as err:
            raise IsapiError(f"unusable deviceInfo: {err}") from err

    async def local_time(self) -> datetime | None:
        """Return the camera clock (``GET /ISAPI/System/time`` ``localTime``, with its offset).

        None when the device does not say; its ``utcoffset()`` is the camera's zone.
        """
        try:
            _, body = await self._request("GET", "/ISAPI/System/time")
            root = parse_xml(body, 65536)[0]
        except (IsapiNotSupportedError, HikvisionError):
            return None
        for child in root:
            if child.tag.rpartition("}")[2] == "localTime" and child.text:
                return parse_iso(child.text)
        return None

    @asynccontextmanager
    async def alert_stream(self, read_timeout: float) -> AsyncIterator[AlertStream]:
        """Open ``alertStream``; ``read_timeout`` (s) bounds the wait for any next bytes.

        The iterator raises :class:`IsapiConnectionError` on a read timeout or a dropped
        connection, and ends when the device closes the stream.
        """
        path = "/ISAPI/Event/notification/alertStream"
        timeout = httpx.Timeout(self.timeout, read=read_timeout)
        async with self.open(
            "GET", path, timeout=timeout, headers={"Connection": "keep-alive"}
        ) as response:
            if response.status_code != 200:
                body = await response.aread() if response.status_code < 500 else b""
                self._raise_for_status(response, body[:65536], path)
                raise IsapiError(f"alertStream answered HTTP {response.status_code}")
            yield AlertStream(
                response.headers.get("content-type", ""), self.chunks(response, path)
            )

    async def trigger_mnpr(self, channel: int) -> tuple[str, bytes]:
        """Ask for a manual plate recognition; return (Content-Type, multipart body).

        ``GET /ISAPI/Traffic/MNPR/channels/<ch>`` first; devices that refuse GET (405/403
        notSupport) are asked with ``PUT`` (``docs/protocols.md``, "Hikvision ISAPI", "Manual
        trigger (MNPR)").
        """
        path = f"/ISAPI/Traffic/MNPR/channels/{int(channel)}"
        try:
            response, body = await self._request("GET", path, cap=MAX_MNPR_BODY, timeout=20)
        except IsapiNotSupportedError:
            response, body = await self._request(
                "PUT", path, content=b"", cap=MAX_MNPR_BODY, timeout=20
            )
        return response.headers.get("content-type", ""), body

    async def plates_after(self, channel: int, pic_time: str) -> list[PlateLogEntry]:
        """Return plate-log entries after the ``pic_time`` cursor, oldest first (see plate_log)."""
        body = plates_request_body(pic_time)
        paths = (
            f"/ISAPI/Traffic/channels/{int(channel)}/vehicleDetect/plates",
            f"/ISAPI/Traffic/channels/{int(channel)}/vehicledetect/plates",
        )
        for path in paths:
            try:
                _, answer = await self._request("POST", path, content=body)
            except IsapiNotSupportedError:
                if path == paths[-1]:
                    raise
                continue
            try:
                return parse_plates(answer)
            except HikvisionError as err:
                raise IsapiError(f"unusable plate log: {err}") from err
        return []  # pragma: no cover

    async def plate_picture(self, pic_name: str) -> bytes | None:
        """Fetch a plate-log picture (``GET /doc/ui/images/plate/<picName>.jpg``) or None."""
        if not pic_name.isdigit():
            return None
        try:
            _, body = await self._request(
                "GET", f"/doc/ui/images/plate/{pic_name}.jpg", cap=MAX_MNPR_BODY
            )
        except IsapiNotSupportedError:
            return None
        return body or None

    async def set_http_host(
        self, *, url_path: str, host: str, port: int, https: bool = False, host_id: str = "1"
    ) -> None:
        """Point HTTP listening slot ``host_id`` at ``host:port`` + ``url_path``.

        Source: ``docs/protocols.md``, "Hikvision ISAPI", "HTTP listening".
        """
        doc = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<HttpHostNotificationList version="2.0" '
            'xmlns="http://www.hikvision.com/ver20/XMLSchema"><HttpHostNotification>'
            f"<id>{escape(host_id)}</id><url>{escape(url_path)}</url>"
            f"<protocolType>{'HTTPS' if https else 'HTTP'}</protocolType>"
            "<parameterFormatType>XML</parameterFormatType>"
            "<addressingFormatType>ipaddress</addressingFormatType>"
            f"<ipAddress>{escape(host)}</ipAddress><portNo>{int(port)}</portNo>"
            "<httpAuthenticationMethod>none</httpAuthenticationMethod>"
            "</HttpHostNotification></HttpHostNotificationList>"
        ).encode()
        await self._request("PUT", "/ISAPI/Event/notification/httpHosts", content=doc)

