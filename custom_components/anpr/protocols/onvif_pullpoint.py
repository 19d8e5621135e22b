"""A small ONVIF SOAP client: device, media and the Events PullPoint.

Source: ``docs/protocols.md``, "ONVIF PullPoint events"; ONVIF Core and Event Handling
specifications.

Pure module (no Home Assistant import); the HTTP client is an injected ``httpx.AsyncClient``
(HA's ``get_async_client`` in the integration). SOAP 1.2 (``application/soap+xml``) with a
WS-Security UsernameToken PasswordDigest (``Base64(SHA1(nonce + created + password))``, created
in the *camera's* clock, learnt from ``GetSystemDateAndTime``), plus HTTP Digest/Basic when the
camera also challenges at the HTTP level.

Operations: ``GetSystemDateAndTime``, ``GetDeviceInformation``, ``GetCapabilities``
(device service), ``GetProfiles``/``GetStreamUri`` (media), ``CreatePullPointSubscription``,
``PullMessages``, ``Renew``, ``Unsubscribe`` (events), and :func:`fetch_picture` for the plate
pictures a notification points at.

Why not HA's own ONVIF dependency (onvif-zeep-async): it is not installed with HA core (only
with the core ``onvif`` integration, pinned ``==3.2.5`` in 2025.4 and 4.x later, so a range
would be needed to satisfy both), it brings zeep + lxml and loads WSDL files from disk, and its
answers would still need our own topic/SimpleItem parsing; the core integration drops these
plate topics anyway (HA core #156560). Eight fixed SOAP bodies are less code and risk.

Errors: :class:`OnvifError` (a ``ProtocolError``) for transport failures, SOAP faults and
malformed answers; :class:`OnvifAuthError` when credentials are refused (HTTP 401, or a fault
``NotAuthorized``/``FailedAuthentication``).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import hashlib
import logging
import os
import re
import time
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import httpx

from .models import ProtocolError
from .onvif_metadata import OnvifMetadataError, local_name, parse_xml
from .timestamps import parse_iso_time

_LOGGER = logging.getLogger(__name__)

#: Largest SOAP answer accepted (bytes).
MAX_SOAP_BYTES = 4 * 1024 * 1024
#: Largest picture fetched (bytes).
MAX_PICTURE_BYTES = 10 * 1024 * 1024

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
NONCE_BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
NS_TDS = "http://www.onvif.org/ver10/device/wsdl"
NS_TRT = "http://www.onvif.org/ver10/media/wsdl"
NS_TT = "http://www.onvif.org/ver10/schema"
NS_TEV = "http://www.onvif.org/ver10/events/wsdl"
NS_WSNT = "http://docs.oasis-open.org/wsn/b-2"
TOPIC_DIALECT_CONCRETE = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"

ACTION_CREATE_PULLPOINT = (
    "http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest"
)
ACTION_PULL = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest"
ACTION_RENEW = "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest"
ACTION_UNSUBSCRIBE = "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest"

_AUTH_FAULTS = ("notauthorized", "failedauthentication", "invalidsecurity", "senderNotAuthorized")
_DURATION_RE = re.compile(
    r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE
)


class OnvifError(ProtocolError):
    """An ONVIF SOAP call failed: transport, HTTP status, SOAP fault or malformed answer."""


class OnvifAuthError(OnvifError):
    """The camera refused the credentials (HTTP 401 or a NotAuthorized SOAP fault)."""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def parse_duration(text: str | None) -> float | None:
    """Parse an xs:duration such as ``PT300S``/``PT1M``/``P1DT2H`` into seconds (None if bad)."""
    if not text:
        return None
    match = _DURATION_RE.match(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def _find(element: Element, *path: str) -> Element | None:
    """Follow child local names (case-insensitive) from ``element``; ``**`` searches deep."""
    current: Element | None = element
    deep = False
    for name in path:
        if current is None:
            return None
        if name == "**":
            deep = True
            continue
        wanted = name.casefold()
        candidates = current.iter() if deep else iter(current)
        current = next(
            (c for c in candidates if c is not current and local_name(c.tag) == wanted), None
        )
        deep = False
    return current


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """Return the WS-Security PasswordDigest ``Base64(SHA1(nonce + created + password))``."""
    digest = hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode()


def security_header(username: str, password: str, now: datetime) -> str:
    """Return a ``wsse:Security`` header with a UsernameToken digest created at ``now`` (UTC)."""
    nonce = os.urandom(16)
    created = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{now.microsecond // 1000:03d}Z"
    )
    return (
        f'<wsse:Security xmlns:wsse="{NS_WSSE}" xmlns:wsu="{NS_WSU}" s:mustUnderstand="1">'
        "<wsse:UsernameToken>"
        f"<wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_DIGEST}">'
        f"{password_digest(nonce, created, password)}</wsse:Password>"
        f'<wsse:Nonce EncodingType="{NONCE_BASE64}">{base64.b64encode(nonce).decode()}'
        "</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )


def envelope(body: str, headers: str = "") -> str:
    """Wrap ``body`` (and SOAP header blocks) in a SOAP 1.2 envelope with the ONVIF prefixes."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{NS_SOAP}" xmlns:a="{NS_WSA}" xmlns:tds="{NS_TDS}" '
        f'xmlns:trt="{NS_TRT}" xmlns:tt="{NS_TT}" xmlns:tev="{NS_TEV}" xmlns:wsnt="{NS_WSNT}">'
        f"<s:Header>{headers}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )


class CameraAuth(httpx.Auth):
    """HTTP auth that answers a Digest *or* Basic challenge (httpx's DigestAuth only does Digest).

    Sends no credentials until challenged, so a camera that needs none never sees them. Once the
    camera's scheme is known, later requests carry the answer up front (Digest through
    ``httpx.DigestAuth``'s cached challenge and nonce count), saving the 401 round trip.
    """

    def __init__(self, username: str, password: str) -> None:
        """Keep the credentials."""
        self._username = username
        self._password = password
        self._digest = httpx.DigestAuth(username, password)
        self._scheme: str | None = None

    def _basic_header(self) -> str:
        token = base64.b64encode(f"{self._username}:{self._password}".encode()).decode()
        return f"Basic {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Send the request; on 401 answer the camera's challenge once."""
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        if self._scheme == "basic":
            request.headers["Authorization"] = self._basic_header()
            yield request
            return
        response = yield request
        if response.status_code != 401 or not (self._username or self._password):
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        if "digest" in challenge:
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request we already sent
            try:
                yield flow.send(response)
            except StopIteration:
                return
        elif "basic" in challenge:
            self._scheme = "basic"
            request.headers["Authorization"] = self._basic_header()
            yield request


def camera_base_url(host: str, port: int, scheme: str = "http") -> str:
    """Return ``scheme://host:port`` (IPv6 hosts bracketed)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def rebase_url(url: str, base: str) -> str:
    """Keep the path/query of ``url`` but use the scheme/host/port of ``base``.

    Cameras report service addresses with their own idea of their IP (NAT, second NIC); the
    configured host is the one we can reach (the same rewrite HA core's ONVIF does).
    """
    parts = urlsplit(url)
    base_parts = urlsplit(base)
    return urlunsplit((base_parts.scheme, base_parts.netloc, parts.path or "/", parts.query, ""))


def resolve_picture_url(uri: str, base: str) -> str:
    """Resolve a picture path from a notification against the camera (``/LPR/x.jpg``)."""
    uri = uri.strip()
    if "://" in uri:
        return uri
    if not uri.startswith("/"):
        uri = "/" + uri
    return urljoin(base + "/", uri)


async def _read_capped(response: httpx.Response, max_bytes: int, what: str) -> bytes:
    """Read a (decoded) body; :class:`OnvifError` naming ``what`` once it passes ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise OnvifError(f"{what} larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_picture(
    client: httpx.AsyncClient,
    url: str,
    *,
    auth: httpx.Auth | None = None,
    request_timeout: float = 5.0,
    max_bytes: int = MAX_PICTURE_BYTES,
) -> tuple[bytes, str]:
    """Download a picture; return ``(bytes, content type)``.

    Raises :class:`OnvifAuthError` on 401, :class:`OnvifError` on any other failure, a
    non-image answer or one above ``max_bytes``.
    """
    try:
        async with client.stream("GET", url, auth=auth, timeout=request_timeout) as response:
            if response.status_code == 401:
                raise OnvifAuthError("the camera refused the credentials for the picture")
            if response.status_code != 200:
                raise OnvifError(f"picture request answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "image/jpeg")
            content_type = content_type.split(";")[0].strip().lower() or "image/jpeg"
            data = await _read_capped(response, max_bytes, "picture")
    except httpx.HTTPError as err:
        raise OnvifError(f"picture request failed ({type(err).__name__})") from err
    if not data:
        raise OnvifError("empty picture")
    if not content_type.startswith("image/"):
        if data.startswith(b"\xff\xd8"):
            content_type = "image/jpeg"
        elif data.startswith(b"\x89PNG"):
            content_type = "image/png"
        else:
            raise OnvifError(f"picture answer is {content_type}, not an image")
    return data, content_type


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """``GetDeviceInformation``: manufacturer, model, firmware, serial and hardware id."""

    manufacturer: str | None = None
    model: str | None = None
    firmware_version: str | None = None
    serial_number: str | None = None
    hardware_id: str | None = None


@dataclass(frozen=True, slots=True)
class MediaProfile:
    """A Media profile: ``token``, ``name`` and what its MetadataConfiguration carries.

    ``metadata_events``: the configuration has an ``Events`` element (event notifications are
    in the stream); ``metadata_analytics``: ``Analytics`` is true (scene description). A
    metadata configuration with neither only carries PTZ status: no plates.
    """

    token: str
    name: str | None = None
    has_metadata: bool = False
    has_video: bool = False
    metadata_events: bool = False
    metadata_analytics: bool = False

    @property
    def carries_plates(self) -> bool:
        """Whether the metadata stream of this profile can carry plate reads."""
        return self.has_metadata and (self.metadata_events or self.metadata_analytics)


@dataclass(slots=True)
class Subscription:
    """A PullPoint subscription.

    ``address`` is the SubscriptionReference as the camera wrote it (used as ``wsa:To``);
    ``url`` is where we POST (the address rebased onto the configured host);
    ``termination`` the camera's TerminationTime (UTC) and ``current`` its CurrentTime.
    """

    address: str
    url: str
    termination: datetime | None = None
    current: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def seconds_left(self, camera_now: datetime) -> float | None:
        """Seconds until termination in the camera's clock (None when unknown)."""
        if self.termination is None:
            return None
        return (self.termination - camera_now).total_seconds()


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class OnvifClient:
    """ONVIF device/media/events client over an injected ``httpx.AsyncClient``.

    ``host``/``port``: the camera's ONVIF HTTP endpoint (device service at
    ``/onvif/device_service``). ``timeout`` bounds each call (seconds); PullMessages adds its
    own long-poll timeout. Raises :class:`OnvifError`/:class:`OnvifAuthError`.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        host: str,
        port: int = 80,
        username: str = "",
        password: str = "",
        *,
        scheme: str = "http",
        timeout: float = 10.0,
        device_path: str = "/onvif/device_service",
    ) -> None:
        """Store the endpoint and credentials; nothing is sent before the first call."""
        self.http = http
        self.base_url = camera_base_url(host, port, scheme)
        self.device_url = self.base_url + device_path
        self.username = username
        self._password = password
        self._timeout = timeout
        self._clock_offset = timedelta(0)
        self._clock_known = False
        self.media_url: str | None = None
        self.events_url: str | None = None
        self.http_auth = CameraAuth(username, password)

    # -- plumbing ------------------------------------------------------------------------

    def camera_now(self) -> datetime:
        """Return the camera's current time (our UTC clock corrected by the learnt offset)."""
        return datetime.now(UTC) + self._clock_offset

    async def call(
        self,
        url: str,
        body: str,
        *,
        action: str | None = None,
        to: str | None = None,
        auth: bool = True,
        request_timeout: float | None = None,
    ) -> Element:
        """POST one SOAP 1.2 request and return the parsed ``Body`` element."""
        headers = ""
        if auth and (self.username or self._password):
            headers += security_header(self.username, self._password, self.camera_now())
        if action:
            headers += f'<a:Action s:mustUnderstand="1">{escape(action)}</a:Action>'
        if to:
            headers += f'<a:To s:mustUnderstand="1">{escape(to)}</a:To>'
        content_type = "application/soap+xml; charset=utf-8"
        if action:
            content_type += f'; action="{action}"'
        payload = envelope(body, headers).encode()
        try:
            async with self.http.stream(
                "POST",
                url,
                content=payload,
                headers={"Content-Type": content_type},
                auth=self.http_auth if auth else None,
                timeout=request_timeout or self._timeout,
            ) as response:
                data = await _read_capped(response, MAX_SOAP_BYTES, "SOAP answer")
                status = response.status_code
        except httpx.TimeoutException as err:
            raise OnvifError("the camera did not answer in time") from err
        except httpx.HTTPError as err:
            raise OnvifError(f"cannot reach the camera ({type(err).__name__})") from err
        if status == 401:
            raise OnvifAuthError("the camera refused the ONVIF credentials")
        root: Element | None = None
        if data.strip():
            try:
                root = parse_xml(data, max_bytes=MAX_SOAP_BYTES)
            except OnvifMetadataError as err:
                if status >= 400:
                    raise OnvifError(f"ONVIF call answered HTTP {status}") from err
                raise OnvifError(f"malformed SOAP answer ({err})") from err
        if root is None:
            raise OnvifError(f"empty SOAP answer (HTTP {status})")
        fault = _find(root, "**", "Fault")
        if fault is not None:
            codes = " ".join(
                (el.text or "").strip() for el in fault.iter() if local_name(el.tag) == "value"
            )
            reason = _text(_find(fault, "**", "Text")) or "SOAP fault"
            if any(code in codes.casefold() for code in (c.casefold() for c in _AUTH_FAULTS)):
                raise OnvifAuthError("the camera refused the ONVIF credentials")
            raise OnvifError(f"ONVIF fault {codes or '?'}: {reason[:200]}")
        if status >= 400:
            raise OnvifError(f"ONVIF call answered HTTP {status}")
        body_el = _find(root, "Body")
        if body_el is None:
            raise OnvifError("SOAP answer without a Body")
        return body_el

    # -- device ---------------------------------------------------------------------------

    async def sync_clock(self) -> datetime | None:
        """``GetSystemDateAndTime`` (no auth) to learn the camera's clock for the digest.

        Returns the camera's UTC time, or None when the camera does not say (offset kept 0).
        """
        body = await self.call(self.device_url, "<tds:GetSystemDateAndTime/>", auth=False)
        utc = _find(body, "**", "UTCDateTime")
        if utc is None:
            return None
        date, time_el = _find(utc, "Date"), _find(utc, "Time")
        if date is None or time_el is None:
            return None
        try:
            camera = datetime(
                int(_text(_find(date, "Year")) or 0),
                int(_text(_find(date, "Month")) or 0),
                int(_text(_find(date, "Day")) or 0),
                int(_text(_find(time_el, "Hour")) or 0),
                int(_text(_find(time_el, "Minute")) or 0),
                int(_text(_find(time_el, "Second")) or 0),
                tzinfo=UTC,
            )
        except ValueError:
            return None
        offset = camera - datetime.now(UTC)
        # Only correct clocks that are meaningfully off; small drift does not matter.
        self._clock_offset = offset if abs(offset) > timedelta(seconds=5) else timedelta(0)
        self._clock_known = True
        return camera

    async def get_device_information(self) -> DeviceInfo:
        """``GetDeviceInformation`` (authenticated: a good credentials check)."""
        body = await self.call(self.device_url, "<tds:GetDeviceInformation/>")
        resp = _find(body, "GetDeviceInformationResponse")
        if resp is None:
            raise OnvifError("GetDeviceInformation answer is missing its response")
        return DeviceInfo(
            manufacturer=_text(_find(resp, "Manufacturer")),
            model=_text(_find(resp, "Model")),
            firmware_version=_text(_find(resp, "FirmwareVersion")),
            serial_number=_text(_find(resp, "SerialNumber")),
            hardware_id=_text(_find(resp, "HardwareId")),
        )

    async def get_capabilities(self) -> None:
        """``GetCapabilities`` (All): learn the Media and Events service URLs (rebased)."""
        body = await self.call(
            self.device_url,
            "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>",
        )
        caps = _find(body, "**", "Capabilities")
        if caps is None:
            raise OnvifError("GetCapabilities answer has no Capabilities")
        media = _text(_find(caps, "Media", "XAddr"))
        events = _text(_find(caps, "Events", "XAddr"))
        self.media_url = rebase_url(media, self.base_url) if media else None
        self.events_url = rebase_url(events, self.base_url) if events else None

    # -- media ----------------------------------------------------------------------------

    async def get_profiles(self) -> list[MediaProfile]:
        """``GetProfiles``: every profile with its metadata flag (Media service v1)."""
        if self.media_url is None:
            await self.get_capabilities()
        if self.media_url is None:
            raise OnvifError("the camera offers no Media service")
        body = await self.call(self.media_url, "<trt:GetProfiles/>")
        profiles: list[MediaProfile] = []
        for el in body.iter():
            if local_name(el.tag) != "profiles":
                continue
            token = el.attrib.get("token")
            if not token:
                continue
            meta = _find(el, "MetadataConfiguration")
            analytics = _text(_find(meta, "Analytics")) if meta is not None else None
            profiles.append(
                MediaProfile(
                    token=token,
                    name=_text(_find(el, "Name")),
                    has_metadata=meta is not None,
                    has_video=_find(el, "VideoEncoderConfiguration") is not None,
                    metadata_events=meta is not None and _find(meta, "Events") is not None,
                    metadata_analytics=(analytics or "").casefold() in ("true", "1"),
                )
            )
        return profiles

    async def get_stream_uri(self, profile_token: str) -> str:
        """``GetStreamUri`` (RTP-Unicast over RTSP) for ``profile_token``."""
        if self.media_url is None:
            await self.get_capabilities()
        if self.media_url is None:
            raise OnvifError("the camera offers no Media service")
        body = await self.call(
            self.media_url,
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
            f"<trt:ProfileToken>{escape(profile_token)}</trt:ProfileToken></trt:GetStreamUri>",
        )
        uri = _text(_find(body, "**", "Uri"))
        if not uri:
            raise OnvifError("GetStreamUri answer has no Uri")
        return uri

    async def find_metadata_stream_uri(self, *, require_plates: bool = True) -> str | None:
        """Return the RTSP URI of the best profile with a MetadataConfiguration (or None).

        Profiles whose metadata carries events come first, then scene description (analytics).
        With ``require_plates`` a metadata configuration carrying neither (PTZ status only)
        does not count: its stream would never hold a plate.
        """
        profiles = [p for p in await self.get_profiles() if p.has_metadata]
        profiles.sort(key=lambda p: (not p.metadata_events, not p.metadata_analytics))
        for profile in profiles:
            if profile.carries_plates or not require_plates:
                return await self.get_stream_uri(profile.token)
        return None

    # -- events ---------------------------------------------------------------------------

    async def create_pull_point(
        self, *, termination: str = "PT300S", topic_filter: str | None = None
    ) -> Subscription:
        """``CreatePullPointSubscription``; ``topic_filter`` is a ConcreteSet expression."""
        if self.events_url is None:
            await self.get_capabilities()
        if self.events_url is None:
            raise OnvifError("the camera offers no Events service")
        filter_xml = ""
        if topic_filter:
            filter_xml = (
                "<tev:Filter><wsnt:TopicExpression "
                f'Dialect="{TOPIC_DIALECT_CONCRETE}" '
                'xmlns:tns1="http://www.onvif.org/ver10/topics" '
                'xmlns:tnshik="http://www.hikvision.com/2011/event/topics">'
                f"{escape(topic_filter)}</wsnt:TopicExpression></tev:Filter>"
            )
        body = await self.call(
            self.events_url,
            f"<tev:CreatePullPointSubscription>{filter_xml}"
            f"<tev:InitialTerminationTime>{escape(termination)}</tev:InitialTerminationTime>"
            "</tev:CreatePullPointSubscription>",
            action=ACTION_CREATE_PULLPOINT,
        )
        resp = _find(body, "CreatePullPointSubscriptionResponse")
        if resp is None:
            raise OnvifError("CreatePullPointSubscription answer is missing its response")
        address = _text(_find(resp, "SubscriptionReference", "Address"))
        if not address:
            raise OnvifError("CreatePullPointSubscription answer has no address")
        sub = Subscription(
            address=address,
            url=rebase_url(address, self.base_url),
            termination=parse_iso_time(_text(_find(resp, "TerminationTime"))),
            current=parse_iso_time(_text(_find(resp, "CurrentTime"))),
        )
        self._learn_clock(sub.current)
        return sub

    def _learn_clock(self, camera_time: datetime | None) -> None:
        if camera_time is None or self._clock_known:
            return
        offset = camera_time - datetime.now(UTC)
        if abs(offset) > timedelta(seconds=5):
            self._clock_offset = offset

    async def pull_messages(
        self, sub: Subscription, *, wait: float = 3.0, limit: int = 10
    ) -> Element:
        """``PullMessages`` (long poll up to ``wait`` s); returns the response Body.

        Feed the result to ``onvif_metadata.parse_plates``. Updates ``sub.termination``.
        """
        body = await self.call(
            sub.url,
            f"<tev:PullMessages><tev:Timeout>PT{max(int(wait), 1)}S</tev:Timeout>"
            f"<tev:MessageLimit>{int(limit)}</tev:MessageLimit></tev:PullMessages>",
            action=ACTION_PULL,
            to=sub.address,
            request_timeout=wait + self._timeout,
        )
        resp = _find(body, "PullMessagesResponse")
        if resp is None:
            raise OnvifError("PullMessages answer is missing its response")
        term = parse_iso_time(_text(_find(resp, "TerminationTime")))
        if term is not None:
            sub.termination = term
        current = parse_iso_time(_text(_find(resp, "CurrentTime")))
        if current is not None:
            sub.current = current
        return body

    async def renew(self, sub: Subscription, *, termination: str = "PT300S") -> None:
        """``Renew`` the subscription for ``termination`` (xs:duration)."""
        body = await self.call(
            sub.url,
            f"<wsnt:Renew><wsnt:TerminationTime>{escape(termination)}</wsnt:TerminationTime>"
            "</wsnt:Renew>",
            action=ACTION_RENEW,
            to=sub.address,
        )
        term = parse_iso_time(_text(_find(body, "**", "TerminationTime")))
        if term is not None:
            sub.termination = term
        else:
            seconds = parse_duration(termination) or 300.0
            sub.termination = self.camera_now() + timedelta(seconds=seconds)

    async def unsubscribe(self, sub: Subscription) -> None:
        """``Unsubscribe`` (best effort is the caller's choice: this raises on failure)."""
        await self.call(sub.url, "<wsnt:Unsubscribe/>", action=ACTION_UNSUBSCRIBE, to=sub.address)

    async def pull_forever(
        self,
        sub: Subscription,
        *,
        pull_timeout: float = 3.0,
        limit: int = 10,
        renew_every: float = 60.0,
        termination: str = "PT300S",
    ) -> AsyncGenerator[Element]:
        """Yield every PullMessages Body, renewing the subscription every ``renew_every`` s.

        Renews earlier when the camera's TerminationTime comes within 2 pulls.
        """
        loop_time = time.monotonic
        last_renew = loop_time()
        while True:
            left = sub.seconds_left(sub.current or self.camera_now())
            due = loop_time() - last_renew >= renew_every
            if due or (left is not None and left < 2 * (pull_timeout + self._timeout)):
                await self.renew(sub, termination=termination)
                last_renew = loop_time()
            yield await self.pull_messages(sub, wait=pull_timeout, limit=limit)
