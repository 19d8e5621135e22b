"""ONVIF ANPR camera emulator: RTSP metadata track, pictures over HTTP, SOAP device/media/events.

Speaks the real wire formats over loopback (``docs/protocols.md``, "ONVIF metadata over RTSP"
and "ONVIF PullPoint events"):

* **RTSP** (RFC 2326) with Digest (or Basic) authentication: OPTIONS, DESCRIBE (SDP with a
  video track and an ``application`` track ``vnd.onvif.metadata/90000``, relative controls under
  a Content-Base, like a Hikvision camera), SETUP (TCP interleaved only; UDP is answered 461),
  PLAY, GET_PARAMETER, TEARDOWN; the session expires when no request arrives within its
  timeout. Metadata documents are sent as RTP-over-TCP interleaved packets (``$`` framing),
  split into ``chunk_size`` payloads with the marker bit on the last one. On PLAY the last
  plate is sent again with ``PropertyOperation="Initialized"`` (what cameras do for properties).
* **HTTP** (aiohttp): ``/onvif/device_service`` (GetSystemDateAndTime, GetDeviceInformation,
  GetCapabilities), ``/onvif/Media`` (GetProfiles, GetStreamUri), ``/onvif/Events``
  (CreatePullPointSubscription) and ``/onvif/Events/PullSubManager_*`` (PullMessages long poll,
  Renew, Unsubscribe), all with WS-Security UsernameToken digest checking; pictures under
  ``/LPR/`` and ``/doc/ui/images/plate/`` behind HTTP Digest auth.

Options (constructor; the common ones also on the CLI): upper-case encoding name, gzip, clock
rate, no metadata track (PullPoint only), a profile that claims metadata the stream lacks,
metadata without events/analytics, no Events service, packets to drop (``drop_packets``),
chunk size, session timeout, ``Public`` methods (no GET_PARAMETER), RTSP Basic instead of
Digest, camera clock offset (WS-Security tokens are checked against the camera's clock), an
advertised address for picture URIs (NAT), picture delay, ``restart()``, ``forget_sessions()``. ``send_plate`` pushes a plate to
every RTSP session and PullPoint subscription in one of four formats: ``milesight``
(LicensePlateDetector topic, the vendor doc's items), ``hikvision`` (VehicleDetector/tnshik:
Vehicle, the real PullPoint items), ``onvif`` (Recognition/LicensePlate with a
``LicensePlateInfo`` element item) and ``scene`` (scene description ``tt:LicensePlateInfo``).

CLI: ``python -m tools.emulators.onvif --port 8554 --http-port 8080 --interval 5``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gzip as gzip_module
import hashlib
import io
import itertools
import logging
import os
import random
import re
import ssl
import struct
import time
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web
from defusedxml.ElementTree import fromstring

from tools.emulators.http_auth import credentials_ok

_LOGGER = logging.getLogger(__name__)

NS = {
    "tt": "http://www.onvif.org/ver10/schema",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "tns1": "http://www.onvif.org/ver10/topics",
    "tnshik": "http://www.hikvision.com/2011/event/topics",
}
_NS_DECL = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
SOAP_NS = (
    'xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" '
    'xmlns:wsa="http://www.w3.org/2005/08/addressing" '
    'xmlns:ter="http://www.onvif.org/ver10/error" ' + _NS_DECL
)
TOPICS = {
    "milesight": "tns1:RuleEngine/LicensePlateDetector/LicensePlate",
    "hikvision": "tns1:RuleEngine/VehicleDetector/tnshik:Vehicle",
    "onvif": "tns1:RuleEngine/Recognition/LicensePlate",
    "axis_alpv": "tnsaxis:CameraApplicationPlatform/ALPV.AllPlates",
    "axis_lpr": "tnsaxis:CameraApplicationPlatform/LPR",
}
FORMATS = ("milesight", "hikvision", "onvif", "scene", "axis_alpv", "axis_lpr")


def _now_iso(when: datetime | None = None) -> str:
    return (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def default_picture(text: str = "ANPR") -> bytes:
    """Return a small real JPEG (Pillow) showing ``text``; a minimal JPEG if Pillow is absent."""
    try:
        from PIL import Image, ImageDraw  # noqa: PLC0415 - optional, only for the demo picture

        img = Image.new("RGB", (320, 120), (240, 240, 240))
        ImageDraw.Draw(img).text((20, 50), text, fill=(0, 0, 0))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=70)
        return buf.getvalue()
    except ImportError:  # pragma: no cover
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@dataclass
class Plate:
    """A plate the emulator sends (and serves a picture for)."""

    plate: str
    fmt: str = "milesight"
    direction: str | None = None
    likelihood: str | None = None
    picture_name: str | None = None
    operation: str = "Changed"
    when: datetime = field(default_factory=lambda: datetime.now(UTC))
    object_id: int = 0
    country: str | None = None
    car_state: str = "new"
    car_id: str = "123"


def notification_xml(plate: Plate, host: str) -> str:
    """One ``wsnt:NotificationMessage`` for ``plate`` (no namespace declarations)."""
    when = _now_iso(plate.when)
    op = plate.operation
    source = (
        "<tt:Source>"
        '<tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSourceToken"/>'
        '<tt:SimpleItem Name="VideoAnalyticsConfigurationToken" Value="VideoAnalyticsToken"/>'
        '<tt:SimpleItem Name="Rule" Value="MyLicensePlateDetectorRule"/>'
        "</tt:Source>"
    )
    pic = plate.picture_name
    if plate.fmt == "milesight":
        data = ""
        if pic:
            data += f'<tt:SimpleItem Name="LicensePlatePicturePath" Value="/LPR/{pic}"/>'
        data += '<tt:SimpleItem Name="LicenseCarSpeed" Value="25km/h"/>'
        direction = quoteattr(plate.direction or "1")
        data += f'<tt:SimpleItem Name="LicenseCarDirection" Value={direction}/>'
        body = (
            f'<tt:Key><tt:SimpleItem Name="LicensePlateResult" Value={quoteattr(plate.plate)}/>'
            f"</tt:Key><tt:Data>{data}</tt:Data>"
        )
    elif plate.fmt == "hikvision":
        data = (
            f'<tt:SimpleItem Name="PlateNumber" Value={quoteattr(plate.plate)}/>'
            f'<tt:SimpleItem Name="Likelihood" Value={quoteattr(plate.likelihood or "71")}/>'
            '<tt:SimpleItem Name="Nation" Value="EU"/>'
            f'<tt:SimpleItem Name="Country" Value={quoteattr(plate.country or "Netherlands")}/>'
            '<tt:SimpleItem Name="VehicleLaneNumber" Value="1"/>'
            f'<tt:SimpleItem Name="VehicleDirection" '
            f"Value={quoteattr(plate.direction or 'forward')}/>"
        )
        if pic:
            data += (
                f'<tt:SimpleItem Name="PictureUri" '
                f'Value="http://{host}/doc/ui/images/plate/{pic}"/>'
            )
        body = f"<tt:Data>{data}</tt:Data>"
    elif plate.fmt == "axis_alpv":
        # AXIS License Plate Verifier real-time event (Axis "License plate verifier API").
        data = (
            f'<tt:SimpleItem Name="text" Value={quoteattr(plate.plate)}/>'
            f'<tt:SimpleItem Name="country" Value={quoteattr(plate.country or "GBR")}/>'
            '<tt:SimpleItem Name="left" Value="480"/><tt:SimpleItem Name="top" Value="270"/>'
            '<tt:SimpleItem Name="width" Value="216"/><tt:SimpleItem Name="height" Value="30"/>'
            '<tt:SimpleItem Name="listName" Value="Allow list"/>'
            '<tt:SimpleItem Name="Action" Value="Opened"/>'
            '<tt:SimpleItem Name="consumedTime" Value="38"/>'
        )
        body = f"<tt:Data>{data}</tt:Data>"
    elif plate.fmt == "axis_lpr":
        # The ACAP's (fflprapp) older topic, with its NEW / UPDATE / LOST lifecycle.
        data = (
            f'<tt:SimpleItem Name="text" Value={quoteattr(plate.plate)}/>'
            f'<tt:SimpleItem Name="country" Value={quoteattr(plate.country or "GBR")}/>'
            f'<tt:SimpleItem Name="carState" Value={quoteattr(plate.car_state)}/>'
            f'<tt:SimpleItem Name="carID" Value={quoteattr(plate.car_id)}/>'
            f'<tt:SimpleItem Name="carMoveDirection" Value={quoteattr(plate.direction or "unk")}/>'
        )
        body = f"<tt:Data>{data}</tt:Data>"
    else:  # onvif Recognition rule
        data = (
            f'<tt:SimpleItem Name="Likelihood" Value={quoteattr(plate.likelihood or "0.93")}/>'
            f'<tt:SimpleItem Name="Direction" Value={quoteattr(plate.direction or "Entering")}/>'
            '<tt:SimpleItem Name="Speed" Value="12.5"/>'
        )
        if pic:
            data += f'<tt:SimpleItem Name="ImageURI" Value="/LPR/{pic}"/>'
        data += (
            '<tt:ElementItem Name="LicensePlateInfo"><tt:LicensePlateInfo>'
            f'<tt:PlateNumber Likelihood="0.93">{escape(plate.plate)}</tt:PlateNumber>'
            f"<tt:CountryCode>{escape(plate.country or 'GB')}</tt:CountryCode>"
            "</tt:LicensePlateInfo></tt:ElementItem>"
        )
        body = f"<tt:Data>{data}</tt:Data>"
    topic = TOPICS.get(plate.fmt, TOPICS["onvif"])
    return (
        "<wsnt:NotificationMessage>"
        '<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
        f"{topic}</wsnt:Topic><wsnt:Message>"
        f'<tt:Message UtcTime="{when}" PropertyOperation="{op}">{source}{body}</tt:Message>'
        "</wsnt:Message></wsnt:NotificationMessage>"
    )


def metadata_document(plate: Plate, host: str, *, root: str = "MetadataStream") -> bytes:
    """A whole ``tt:MetadataStream`` document carrying ``plate`` (event or scene)."""
    if plate.fmt == "scene":
        ref = f"<tt:ImageRef>/LPR/{plate.picture_name}</tt:ImageRef>" if plate.picture_name else ""
        content = (
            f'<tt:VideoAnalytics><tt:Frame UtcTime="{_now_iso(plate.when)}">'
            f'<tt:Object ObjectId="{plate.object_id}"><tt:Appearance><tt:LicensePlateInfo>'
            f'<tt:PlateNumber Likelihood="0.9">{escape(plate.plate)}</tt:PlateNumber>'
            f'<tt:CountryCode Likelihood="0.7">{escape(plate.country or "US")}</tt:CountryCode>'
            "</tt:LicensePlateInfo>"
            f"{ref}</tt:Appearance></tt:Object></tt:Frame></tt:VideoAnalytics>"
        )
    else:
        content = f"<tt:Event>{notification_xml(plate, host)}</tt:Event>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><tt:{root} {_NS_DECL}>{content}</tt:{root}>'
    ).encode()


def idle_document() -> bytes:
    """A document without plates (a PTZ/empty frame, as cameras send between events)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><tt:MetadataStream {_NS_DECL}>'
        f'<tt:VideoAnalytics><tt:Frame UtcTime="{_now_iso()}"/></tt:VideoAnalytics>'
        "</tt:MetadataStream>"
    ).encode()


# ------------------------------------------------------------------------------------------
# Authentication (server side)
# ------------------------------------------------------------------------------------------


class DigestChecker:
    """Server-side Digest (one nonce, renewed per RTSP session) or Basic check for one realm."""

    def __init__(self, username: str, password: str, realm: str, scheme: str = "digest") -> None:
        self.username = username
        self.password = password
        self.realm = realm
        self.scheme = scheme
        self.nonce = os.urandom(8).hex()

    def challenge(self) -> str:
        if self.scheme == "basic":
            return f'Basic realm="{self.realm}"'
        return f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth"'

    def check(self, method: str, header: str | None) -> bool:
        if not self.username:
            return True
        return credentials_ok(
            header,
            method,
            scheme=self.scheme,
            username=self.username,
            password=self.password,
            realm=self.realm,
            nonces=(self.nonce,),
        )


# ------------------------------------------------------------------------------------------
# RTSP
# ------------------------------------------------------------------------------------------


@dataclass
class RtspSession:
    """One client connection of the RTSP server."""

    writer: asyncio.StreamWriter
    session_id: str = ""
    channel: int = 0
    playing: bool = False
    seq: int = field(default_factory=lambda: random.randint(0, 0xFFFF))
    ssrc: int = field(default_factory=lambda: random.randint(0, 0xFFFFFFFF))
    last_request: float = field(default_factory=time.monotonic)


@dataclass
class EmulatorStats:
    """What the emulator saw (tests assert on these)."""

    methods: list[str] = field(default_factory=list)
    keepalives: int = 0
    teardowns: int = 0
    auth_failures: int = 0
    sessions_expired: int = 0
    rtsp_connections: int = 0
    packets_sent: int = 0
    pictures_served: int = 0
    picture_challenges: int = 0
    subscriptions: int = 0
    renewals: int = 0
    unsubscribes: int = 0
    pulls: int = 0
    soap_auth_failures: int = 0


@dataclass
class _Subscription:
    sid: str
    messages: list[str]
    event: asyncio.Event
    termination: datetime


class OnvifCameraEmulator:
    """An ONVIF ANPR camera on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        rtsp_port: int = 0,
        http_port: int = 0,
        username: str = "admin",
        password: str = "secret",
        encoding: str = "vnd.onvif.metadata",
        clock_rate: int = 90000,
        gzip: bool = False,
        metadata_track: bool = True,
        chunk_size: int = 200,
        session_timeout: int = 60,
        rtsp_auth: str = "digest",
        picture: bytes | None = None,
        picture_delay: float = 0.0,
        document_root: str = "MetadataStream",
        metadata_profile: bool | None = None,
        events: bool = True,
        public: str = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER",
        clock_offset: float = 0.0,
        advertised_host: str | None = None,
        metadata_events: bool = True,
        metadata_analytics: bool = True,
        rtsp_ssl: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.rtsp_port = rtsp_port
        self.http_port = http_port
        self.username = username
        self.password = password
        self.encoding = encoding
        self.clock_rate = clock_rate
        self.gzip = gzip
        self.metadata_track = metadata_track
        self.chunk_size = chunk_size
        self.session_timeout = session_timeout
        self.rtsp_auth = DigestChecker(username, password, "IP Camera", rtsp_auth)
        self.http_auth = DigestChecker(username, password, "IP Camera")
        self.picture = picture if picture is not None else default_picture()
        self.picture_delay = picture_delay
        self.document_root = document_root
        self.metadata_profile = metadata_track if metadata_profile is None else metadata_profile
        """Whether GetProfiles shows a MetadataConfiguration (a camera may lie about it)."""
        self.events = events
        """Whether the Events service (PullPoint) is offered."""
        self.public = public
        self.advertised_host = advertised_host
        self.rtsp_ssl = rtsp_ssl
        """TLS server context: serve ``rtsps://`` instead of ``rtsp://``."""
        self.metadata_events = metadata_events
        """Whether the profile's MetadataConfiguration has an ``Events`` element."""
        self.metadata_analytics = metadata_analytics
        """Whether the profile's MetadataConfiguration has ``Analytics`` true."""
        """``host:port`` the camera writes into absolute picture URIs (default: its own)."""
        self.clock_offset = timedelta(seconds=clock_offset)
        """How far the camera's clock is off; UsernameTokens must be created in its clock."""
        """The ``Public`` header of OPTIONS (drop GET_PARAMETER to force OPTIONS keep-alives)."""
        self.drop_packets: set[int] = set()
        """Packet indices (0-based, within the next document) to drop once."""
        self.stats = EmulatorStats()
        self.last_plate: Plate | None = None
        self.pictures: dict[str, bytes] = {}
        self._rtsp_server: asyncio.Server | None = None
        self._sessions: list[RtspSession] = []
        self._conn_tasks: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._subs: dict[str, _Subscription] = {}
        self._sub_ids = itertools.count(1)
        self._object_ids = itertools.count(100)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def rtsp_url(self) -> str:
        """The aggregate stream URL (no credentials)."""
        scheme = "rtsps" if self.rtsp_ssl is not None else "rtsp"
        return f"{scheme}://{self.host}:{self.rtsp_port}/Streaming/Channels/101"

    @property
    def http_host(self) -> str:
        """``host:port`` the camera advertises (its HTTP server unless ``advertised_host``)."""
        return self.advertised_host or f"{self.host}:{self.http_port}"

    async def start(self) -> None:
        """Start the RTSP and HTTP servers (ephemeral ports resolved)."""
        await self._start_rtsp()
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/onvif/device_service", self._soap_device)
        app.router.add_post("/onvif/Media", self._soap_media)
        app.router.add_post("/onvif/Events", self._soap_events)
        app.router.add_post("/onvif/Events/{sub}", self._soap_subscription)
        app.router.add_get("/LPR/{name}", self._picture)
        app.router.add_get("/doc/ui/images/plate/{name}", self._picture)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.http_port, reuse_address=True)
        await site.start()
        if self.http_port == 0:
            server = site._server
            assert server is not None
            self.http_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._watchdog = asyncio.get_running_loop().create_task(self._expire_sessions())

    async def _start_rtsp(self) -> None:
        self._rtsp_server = await asyncio.start_server(
            self._handle_rtsp, self.host, self.rtsp_port, reuse_address=True, ssl=self.rtsp_ssl
        )
        self.rtsp_port = self._rtsp_server.sockets[0].getsockname()[1]

    async def _stop_rtsp(self) -> None:
        if self._rtsp_server is not None:
            self._rtsp_server.close()
        for session in list(self._sessions):
            session.writer.close()
        self._sessions.clear()
        for task in list(self._conn_tasks):
            task.cancel()
        for task in list(self._conn_tasks):
            with suppress(asyncio.CancelledError):
                await task
        if self._rtsp_server is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._rtsp_server.wait_closed(), 2)
            self._rtsp_server = None

    async def restart(self, downtime: float = 0.2) -> None:
        """Drop every RTSP connection and subscription, as a rebooting camera does."""
        await self._stop_rtsp()
        self._subs.clear()
        self.rtsp_auth.nonce = os.urandom(8).hex()
        await asyncio.sleep(downtime)
        await self._start_rtsp()

    async def stop_rtsp(self) -> None:
        """Take the RTSP service down; the ONVIF web services (device, media, events) stay up."""
        await self._stop_rtsp()

    def forget_sessions(self) -> None:
        """Drop every RTSP session id without closing connections (answers become 454)."""
        for session in self._sessions:
            session.session_id = ""

    async def stop(self) -> None:
        """Stop everything."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            with suppress(asyncio.CancelledError):
                await self._watchdog
        await self._stop_rtsp()
        for sub in self._subs.values():
            sub.event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> OnvifCameraEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- sending --------------------------------------------------------------------------

    @property
    def playing_sessions(self) -> int:
        """Number of RTSP sessions currently playing."""
        return sum(1 for s in self._sessions if s.playing)

    async def wait_playing(self, count: int = 1, within: float = 5.0) -> None:
        """Wait until ``count`` sessions are playing (TimeoutError after ``within`` s)."""
        async with asyncio.timeout(within):
            while self.playing_sessions < count:  # noqa: ASYNC110 - test helper poll
                await asyncio.sleep(0.01)

    async def wait_subscribed(self, count: int = 1, within: float = 5.0) -> None:
        """Wait until ``count`` PullPoint subscriptions exist (TimeoutError after ``within``)."""
        async with asyncio.timeout(within):
            while len(self._subs) < count:  # noqa: ASYNC110 - test helper poll
                await asyncio.sleep(0.01)

    def send_plate(
        self,
        plate: str,
        *,
        fmt: str = "milesight",
        direction: str | None = None,
        likelihood: str | None = None,
        picture: bool = True,
        country: str | None = None,
        object_id: int | None = None,
        car_state: str = "new",
        car_id: str = "123",
    ) -> Plate:
        """Send a plate to every playing RTSP session and every PullPoint subscription."""
        name = None
        if picture:
            name = f"{datetime.now(UTC):%Y%m%d%H%M%S%f}_{len(self.pictures)}.jpg"
            self.pictures[name] = self.picture
            while len(self.pictures) > 10:  # the vendor doc: only the 10 latest are kept
                self.pictures.pop(next(iter(self.pictures)))
        item = Plate(
            plate=plate,
            fmt=fmt,
            direction=direction,
            likelihood=likelihood,
            picture_name=name,
            country=country,
            object_id=object_id if object_id is not None else next(self._object_ids),
            car_state=car_state,
            car_id=car_id,
        )
        self.last_plate = item
        self.send_document(metadata_document(item, self.http_host, root=self.document_root))
        if fmt != "scene":
            message = notification_xml(item, self.http_host)
            for sub in self._subs.values():
                sub.messages.append(message)
                sub.event.set()
        return item

    def send_document(self, document: bytes, *, sessions: list[RtspSession] | None = None) -> int:
        """Packetise ``document`` to the playing sessions; return the packets per session."""
        payload = gzip_module.compress(document) if self.gzip else document
        chunks = [
            payload[i : i + self.chunk_size] for i in range(0, len(payload), self.chunk_size)
        ] or [b""]
        drop = self.drop_packets
        self.drop_packets = set()
        for session in sessions if sessions is not None else list(self._sessions):
            if not session.playing:
                continue
            timestamp = int(time.monotonic() * 90000) & 0xFFFFFFFF
            out = bytearray()
            for index, chunk in enumerate(chunks):
                marker = index == len(chunks) - 1
                header = struct.pack(
                    "!BBHII",
                    0x80,
                    (0x80 if marker else 0) | 107,
                    session.seq,
                    timestamp,
                    session.ssrc,
                )
                session.seq = (session.seq + 1) & 0xFFFF
                if index in drop:
                    continue
                packet = header + chunk
                out += b"$" + bytes([session.channel]) + struct.pack("!H", len(packet)) + packet
                self.stats.packets_sent += 1
            with suppress(ConnectionError, RuntimeError):
                session.writer.write(bytes(out))
        return len(chunks)

    # -- RTSP server ----------------------------------------------------------------------

    def _sdp(self) -> str:
        lines = [
            "v=0",
            f"o=- 1620251477190769 1620251477190769 IN IP4 {self.host}",
            "s=Media Presentation",
            "t=0 0",
            f"a=control:{self.rtsp_url}/",
            "m=video 0 RTP/AVP 96",
            "c=IN IP4 0.0.0.0",
            "a=recvonly",
            "a=control:trackID=1",
            "a=rtpmap:96 H264/90000",
        ]
        if self.metadata_track:
            encoding = self.encoding + ("+gzip" if self.gzip else "")
            lines += [
                "m=application 0 RTP/AVP 107",
                "c=IN IP4 0.0.0.0",
                "a=recvonly",
                "a=control:trackID=3",
                f"a=rtpmap:107 {encoding}/{self.clock_rate}",
            ]
        return "\r\n".join(lines) + "\r\n"

    async def _handle_rtsp(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conn_tasks.add(task)
        session = RtspSession(writer=writer)
        self._sessions.append(session)
        self.stats.rtsp_connections += 1
        try:
            while True:
                first = await reader.readexactly(1)
                if first == b"$":  # interleaved RTCP from the client
                    head = await reader.readexactly(3)
                    await reader.readexactly(struct.unpack("!H", head[1:])[0])
                    continue
                head = first + await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                method, url, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                if length:
                    await reader.readexactly(length)
                session.last_request = time.monotonic()
                self.stats.methods.append(method)
                if not self._respond_rtsp(session, method, url, headers):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()
            self._conn_tasks.discard(task)

    def _respond_rtsp(
        self, session: RtspSession, method: str, url: str, headers: dict[str, str]
    ) -> bool:
        cseq = headers.get("cseq", "0")
        out: dict[str, str] = {"CSeq": cseq, "Server": "anpr-onvif-emulator"}
        body = b""
        status = "200 OK"
        keep_open = True
        if method != "OPTIONS" and not self.rtsp_auth.check(method, headers.get("authorization")):
            if headers.get("authorization"):
                self.stats.auth_failures += 1
            out["WWW-Authenticate"] = self.rtsp_auth.challenge()
            self._write_response(session, "401 Unauthorized", out, b"")
            return True
        if method in ("GET_PARAMETER", "OPTIONS") and session.session_id:
            self.stats.keepalives += 1
        if method == "OPTIONS":
            out["Public"] = self.public
        elif method == "DESCRIBE" and not url.split("?", maxsplit=1)[0].rstrip("/").endswith(
            "/Streaming/Channels/101"
        ):
            status = "404 Not Found"
        elif method == "DESCRIBE":
            body = self._sdp().encode()
            out["Content-Type"] = "application/sdp"
            out["Content-Base"] = self.rtsp_url + "/"
        elif method == "SETUP":
            transport = headers.get("transport", "")
            if "TCP" not in transport.upper():
                status = "461 Unsupported Transport"
            elif not url.rstrip("/").endswith("trackID=3") or not self.metadata_track:
                status = "404 Not Found"
            else:
                match = re.search(r"interleaved=(\d+)", transport)
                session.channel = int(match.group(1)) if match else 0
                session.session_id = os.urandom(4).hex().upper()
                out["Transport"] = (
                    f"RTP/AVP/TCP;unicast;interleaved={session.channel}-{session.channel + 1}"
                )
                out["Session"] = f"{session.session_id};timeout={self.session_timeout}"
        elif method == "PLAY":
            if not session.session_id or headers.get("session") != session.session_id:
                status = "454 Session Not Found"
            else:
                out["Session"] = session.session_id
                out["RTP-Info"] = f"url={self.rtsp_url}/trackID=3;seq={session.seq}"
                self._write_response(session, status, out, body)
                session.playing = True
                if self.last_plate is not None and self.last_plate.fmt != "scene":
                    # An event property's current state (scene frames are never replayed)
                    old = Plate(**{**self.last_plate.__dict__, "operation": "Initialized"})
                    doc = metadata_document(old, self.http_host, root=self.document_root)
                    self.send_document(doc, sessions=[session])
                return True
        elif method == "GET_PARAMETER":
            if "GET_PARAMETER" not in self.public:
                status = "405 Method Not Allowed"
            elif not session.session_id or headers.get("session") != session.session_id:
                status = "454 Session Not Found"
        elif method == "TEARDOWN":
            self.stats.teardowns += 1
            session.playing = False
            keep_open = False
        else:
            status = "405 Method Not Allowed"
        if session.session_id and "Session" not in out and status.startswith("200"):
            out["Session"] = session.session_id
        self._write_response(session, status, out, body)
        return keep_open

    @staticmethod
    def _write_response(
        session: RtspSession, status: str, headers: dict[str, str], body: bytes
    ) -> None:
        lines = [f"RTSP/1.0 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        session.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    async def _expire_sessions(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            for session in list(self._sessions):
                if session.session_id and now - session.last_request > self.session_timeout + 0.5:
                    self.stats.sessions_expired += 1
                    session.playing = False
                    session.writer.close()
                    if session in self._sessions:
                        self._sessions.remove(session)

    # -- HTTP: pictures -------------------------------------------------------------------

    async def _picture(self, request: web.Request) -> web.StreamResponse:
        if not self.http_auth.check(request.method, request.headers.get("Authorization")):
            self.stats.picture_challenges += 1
            return web.Response(
                status=401, headers={"WWW-Authenticate": self.http_auth.challenge()}
            )
        if self.picture_delay:
            await asyncio.sleep(self.picture_delay)
        data = self.pictures.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        self.stats.pictures_served += 1
        return web.Response(body=data, content_type="image/jpeg")

    # -- HTTP: SOAP -----------------------------------------------------------------------

    def _soap(self, body: str, status: int = 200) -> web.Response:
        return web.Response(
            status=status,
            text=f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope {SOAP_NS}>'
            f"<env:Body>{body}</env:Body></env:Envelope>",
            content_type="application/soap+xml",
            charset="utf-8",
        )

    def _fault(self, code: str, reason: str, status: int = 400) -> web.Response:
        return self._soap(
            "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode>"
            f"<env:Value>{code}</env:Value></env:Subcode></env:Code>"
            f'<env:Reason><env:Text xml:lang="en">{escape(reason)}</env:Text></env:Reason>'
            "</env:Fault>",
            status,
        )

    async def _read_soap(self, request: web.Request) -> tuple[Element, str, bool]:
        root = fromstring(await request.read())
        body = next(el for el in root if el.tag.endswith("Body"))
        op = body[0].tag.rsplit("}", 1)[-1] if len(body) else ""
        return body, op, self._check_wsse(root)

    def _check_wsse(self, root: Element) -> bool:
        if not self.username:
            return True
        token = next((el for el in root.iter() if el.tag.endswith("UsernameToken")), None)
        if token is None:
            return False
        values = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in token}
        try:
            nonce = base64.b64decode(values.get("Nonce", ""))
        except ValueError:
            return False
        created = values.get("Created", "")
        digest = base64.b64encode(
            hashlib.sha1(
                nonce + created.encode() + self.password.encode(), usedforsecurity=False
            ).digest()
        ).decode()
        ok = values.get("Username") == self.username and values.get("Password") == digest
        try:
            stamp = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            ok = False
        else:  # like real cameras, refuse tokens created too far from the camera's clock
            ok = ok and abs(stamp - (datetime.now(UTC) + self.clock_offset)) < timedelta(minutes=2)
        if not ok:
            self.stats.soap_auth_failures += 1
        return ok

    async def _soap_device(self, request: web.Request) -> web.Response:
        _, op, authed = await self._read_soap(request)
        if op == "GetSystemDateAndTime":
            now = datetime.now(UTC) + self.clock_offset
            return self._soap(
                "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false"
                "</tt:DaylightSavings><tt:UTCDateTime>"
                f"<tt:Date><tt:Year>{now.year}</tt:Year><tt:Month>{now.month}</tt:Month>"
                f"<tt:Day>{now.day}</tt:Day></tt:Date><tt:Time><tt:Hour>{now.hour}</tt:Hour>"
                f"<tt:Minute>{now.minute}</tt:Minute><tt:Second>{now.second}</tt:Second>"
                "</tt:Time></tt:UTCDateTime></tds:SystemDateAndTime>"
                "</tds:GetSystemDateAndTimeResponse>"
            )
        if not authed:
            return self._fault("ter:NotAuthorized", "Sender not Authorized")
        base = f"http://{self.http_host}"
        if op == "GetDeviceInformation":
            return self._soap(
                "<tds:GetDeviceInformationResponse><tds:Manufacturer>Emulated</tds:Manufacturer>"
                "<tds:Model>ONVIF-LPR</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
                "<tds:SerialNumber>EMU0001</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId>"
                "</tds:GetDeviceInformationResponse>"
            )
        if op == "GetCapabilities":
            # Reported with a different host (as behind NAT): clients must rebase.
            other = f"http://192.0.2.10:{self.http_port}"
            return self._soap(
                "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                f"<tt:Device><tt:XAddr>{base}/onvif/device_service</tt:XAddr></tt:Device>"
                f"<tt:Events><tt:XAddr>{other}/onvif/Events</tt:XAddr>"
                "<tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events>"
                f"<tt:Media><tt:XAddr>{other}/onvif/Media</tt:XAddr></tt:Media>"
                "</tds:Capabilities></tds:GetCapabilitiesResponse>"
            )
        return self._fault("ter:ActionNotSupported", op)

    async def _soap_media(self, request: web.Request) -> web.Response:
        body, op, authed = await self._read_soap(request)
        if not authed:
            return self._fault("ter:NotAuthorized", "Sender not Authorized")
        if op == "GetProfiles":
            events = (
                "<tt:Events><tt:Filter><wsnt:TopicExpression "
                'Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
                "tns1:RuleEngine//.</wsnt:TopicExpression></tt:Filter></tt:Events>"
                if self.metadata_events
                else ""
            )
            analytics = "true" if self.metadata_analytics else "false"
            meta = (
                '<tt:MetadataConfiguration token="MetaCfg"><tt:Name>meta</tt:Name>'
                f"<tt:PTZStatus><tt:Status>false</tt:Status></tt:PTZStatus>{events}"
                f"<tt:Analytics>{analytics}</tt:Analytics></tt:MetadataConfiguration>"
                if self.metadata_profile
                else ""
            )
            return self._soap(
                "<trt:GetProfilesResponse>"
                '<trt:Profiles token="Profile_1" fixed="true"><tt:Name>main</tt:Name>'
                '<tt:VideoEncoderConfiguration token="V1"><tt:Name>v</tt:Name>'
                "</tt:VideoEncoderConfiguration></trt:Profiles>"
                f'<trt:Profiles token="Profile_LPR"><tt:Name>lpr</tt:Name>{meta}</trt:Profiles>'
                "</trt:GetProfilesResponse>"
            )
        if op == "GetStreamUri":
            token = next((el.text for el in body.iter() if el.tag.endswith("ProfileToken")), "")
            return self._soap(
                "<trt:GetStreamUriResponse><trt:MediaUri>"
                f"<tt:Uri>{escape(self.rtsp_url)}?profile={escape(token or '')}</tt:Uri>"
                "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
                "</trt:MediaUri></trt:GetStreamUriResponse>"
            )
        return self._fault("ter:ActionNotSupported", op)

    async def _soap_events(self, request: web.Request) -> web.Response:
        _, op, authed = await self._read_soap(request)
        if not authed:
            return self._fault("ter:NotAuthorized", "Sender not Authorized")
        if op != "CreatePullPointSubscription" or not self.events:
            return self._fault("ter:ActionNotSupported", op)
        sid = f"PullSubManager_{_now_iso()}_{next(self._sub_ids)}"
        now = datetime.now(UTC)
        sub = _Subscription(sid, [], asyncio.Event(), now + timedelta(seconds=180))
        if self.last_plate is not None and self.last_plate.fmt != "scene":
            old = Plate(**{**self.last_plate.__dict__, "operation": "Initialized"})
            sub.messages.append(notification_xml(old, self.http_host))
        self._subs[sid] = sub
        self.stats.subscriptions += 1
        return self._soap(
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa:Address>http://192.0.2.10:{self.http_port}/onvif/Events/{sid}</wsa:Address>"
            f"</tev:SubscriptionReference><wsnt:CurrentTime>{_now_iso(now)}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{_now_iso(sub.termination)}</wsnt:TerminationTime>"
            "</tev:CreatePullPointSubscriptionResponse>"
        )

    async def _soap_subscription(self, request: web.Request) -> web.Response:
        body, op, authed = await self._read_soap(request)
        if not authed:
            return self._fault("ter:NotAuthorized", "Sender not Authorized")
        sub = self._subs.get(request.match_info["sub"])
        if sub is None or sub.termination < datetime.now(UTC):
            return self._fault("wsrf-rw:ResourceUnknownFault", "unknown subscription")
        if op == "PullMessages":
            self.stats.pulls += 1
            text = next((el.text for el in body.iter() if el.tag.endswith("Timeout")), "PT1S")
            match = re.search(r"(\d+)S", text or "")
            wait = min(float(match.group(1)) if match else 1.0, 10.0)
            if not sub.messages:
                sub.event.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(sub.event.wait(), wait)
            messages, sub.messages = sub.messages, []
            now = datetime.now(UTC)
            return self._soap(
                f"<tev:PullMessagesResponse><tev:CurrentTime>{_now_iso(now)}</tev:CurrentTime>"
                f"<tev:TerminationTime>{_now_iso(sub.termination)}</tev:TerminationTime>"
                + "".join(messages)
                + "</tev:PullMessagesResponse>"
            )
        if op == "Renew":
            self.stats.renewals += 1
            sub.termination = datetime.now(UTC) + timedelta(seconds=180)
            return self._soap(
                "<wsnt:RenewResponse>"
                f"<wsnt:TerminationTime>{_now_iso(sub.termination)}</wsnt:TerminationTime>"
                f"<wsnt:CurrentTime>{_now_iso()}</wsnt:CurrentTime></wsnt:RenewResponse>"
            )
        if op == "Unsubscribe":
            self.stats.unsubscribes += 1
            self._subs.pop(sub.sid, None)
            sub.event.set()
            return self._soap("<wsnt:UnsubscribeResponse/>")
        return self._fault("ter:ActionNotSupported", op)


# ------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------

DEMO_PLATES = ["B4DM3N", "AB12CDE", "PP7069", "43 거 6510", "KX21 ABC"]


async def _main(args: argparse.Namespace) -> None:
    emulator = OnvifCameraEmulator(
        host=args.host,
        rtsp_port=args.port,
        http_port=args.http_port,
        username=args.username,
        password=args.password,
        encoding=args.encoding,
        gzip=args.gzip,
        metadata_track=not args.no_metadata,
        chunk_size=args.chunk_size,
        session_timeout=args.session_timeout,
    )
    await emulator.start()
    print(
        f"ONVIF emulator: RTSP {emulator.rtsp_url}  HTTP http://{args.host}:{emulator.http_port}"
        f"  user {args.username!r}",
        flush=True,
    )
    control: asyncio.Server | None = None
    if args.control_port is not None:

        async def on_control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # One command per line: "<plate> <format> <picture 0|1>" (bench/onvif_latency.py).
            with suppress(ConnectionError):
                while line := await reader.readline():
                    plate, fmt, picture = line.decode().split()
                    emulator.send_plate(plate, fmt=fmt, picture=picture == "1")
            writer.close()

        control = await asyncio.start_server(on_control, "127.0.0.1", args.control_port)
        port = control.sockets[0].getsockname()[1]
        print(f"control port {port}", flush=True)
    try:
        for index in itertools.count():
            if args.interval <= 0:
                await asyncio.Event().wait()  # plates only on command
            await asyncio.sleep(args.interval)
            plate = DEMO_PLATES[index % len(DEMO_PLATES)]
            fmt = args.format if args.format != "cycle" else FORMATS[index % len(FORMATS)]
            emulator.send_plate(plate, fmt=fmt)
            _LOGGER.info("sent %s (%s)", plate, fmt)
    finally:
        if control is not None:
            control.close()
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator from the command line until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8554, help="RTSP port")
    parser.add_argument("--http-port", type=int, default=8080, help="ONVIF/picture HTTP port")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--encoding", default="vnd.onvif.metadata")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--no-metadata", action="store_true", help="PullPoint only")
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--session-timeout", type=int, default=60)
    parser.add_argument(
        "--interval", type=float, default=5.0, help="seconds between plates (0: only on command)"
    )
    parser.add_argument(
        "--control-port", type=int, default=None, help="accept '<plate> <format> <0|1>' lines"
    )
    parser.add_argument("--format", default="cycle", choices=[*FORMATS, "cycle"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()


__all__ = ["FORMATS", "OnvifCameraEmulator", "Plate", "metadata_document", "notification_xml"]
