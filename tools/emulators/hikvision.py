"""Hikvision ANPR camera emulator: a real ISAPI HTTP server on loopback.

Formats: ``docs/protocols.md``, "Hikvision ISAPI".

Serves, behind HTTP Digest (or Basic, or no) authentication:

* ``GET /ISAPI/System/deviceInfo`` and ``GET /ISAPI/System/time``;
* ``GET /ISAPI/Event/notification/alertStream``: a never-ending ``multipart/mixed`` stream with
  configurable quirks (:class:`StreamQuirks`: boundary literal/declared/absent from the header,
  Content-Length including the CRLF / exact / absent / wrong, split writes, JSON
  ``mixedTargetDetection`` variant, several alerts per part, periodic videoloss heartbeats);
* ``GET``/``PUT /ISAPI/Traffic/MNPR/channels/<ch>`` (manual trigger; can insist on PUT);
* ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates`` (plate log, picName cursor);
* ``GET /doc/ui/images/plate/<picName>.jpg``; ``GET/PUT /ISAPI/Event/notification/httpHosts``.

It can POST HTTP-listening requests to a URL (:meth:`HikvisionEmulator.post_event`), cut stream
connections mid-part and "restart" (port closed for a while, plates captured meanwhile go only to
the plate log). Use from tests (``await emu.start()`` / ``await emu.stop()``, port 0 = ephemeral)
or from the CLI: ``python -m tools.emulators.hikvision --port 8081 --interval 5``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
import itertools
import json
import logging
from pathlib import Path
import re
import secrets
import ssl
import zlib

from aiohttp import ClientSession, ClientTimeout, web

from tools.emulators.http_auth import credentials_ok

_LOGGER = logging.getLogger(__name__)

FIXTURE_JPEG = (
    Path(__file__).resolve().parents[2]
    / "tests/fixtures/hikvision/20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
)
#: A tiny valid JPEG (1x1) used when no fixture picture is available.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b"
    "080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b510"
    "0002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552"
    "d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a6364"
    "65666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7"
    "b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbd3ffd9"
)

NAMESPACES = {
    "ver10": "http://www.hikvision.com/ver10/XMLSchema",
    "ver20": "http://www.hikvision.com/ver20/XMLSchema",
    "isapi": "http://www.isapi.org/ver20/XMLSchema",
    "stdcgi": "http://www.std-cgi.com/ver20/XMLSchema",
    "none": "",
}


@dataclass
class StreamQuirks:
    """How the alertStream is framed (``docs/protocols.md``, "Multipart bodies")."""

    boundary: str = "boundary"
    #: "param" (``boundary=<b>``), "none" (no parameter: clients must assume ``boundary``).
    header_boundary: str = "param"
    #: "crlf" (Hikvision: counts the trailing CRLF), "exact" (RFC), "absent", "wrong".
    content_length: str = "crlf"
    #: Write each part in chunks of this many bytes (with a pause) to split TCP reads.
    split_size: int | None = None
    #: Send ANPR as JSON ``mixedTargetDetection`` instead of XML.
    json_variant: bool = False
    #: XML namespace key of :data:`NAMESPACES`.
    namespace: str = "ver20"
    #: Include the ``<?xml ...?>`` declaration.
    xml_declaration: bool = True
    #: Picture Content-Type (``image/jpeg`` or ``image/pjpeg``).
    image_type: str = "image/jpeg"
    #: Seconds between videoloss heartbeats (None: never).
    heartbeat_interval: float | None = None
    #: Use HTTP chunked transfer (aiohttp's default) instead of the camera's raw close-delimited
    #: body.
    chunked: bool = False


@dataclass
class LogEntry:
    """A plate the camera captured (what the plate-log API returns)."""

    pic_name: str
    plate: str
    time: datetime
    direction: str
    country: str = "GBR"
    lane: int = 1


@dataclass
class _Conn:
    queue: asyncio.Queue[bytes | None]
    request: web.Request
    task: asyncio.Task[None] | None = None


@dataclass
class EmulatorStats:
    """What the emulator saw (for assertions)."""

    stream_connects: int = 0
    stream_requests: int = 0
    auth_failures: int = 0
    mnpr_methods: list[str] = field(default_factory=list)
    plate_queries: list[str] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)


class HikvisionEmulator:
    """A Hikvision ISAPI ANPR camera on ``127.0.0.1``; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "admin",
        password: str = "12345abc",
        auth: str = "digest",
        model: str = "iDS-2CD7A46G0/P-IZHSY",
        serial: str = "iDS-2CD7A46G0P-IZHSY20230101AAWRJ12345678",
        firmware: str = "V5.7.3",
        mac: str = "44:a6:42:01:02:03",
        quirks: StreamQuirks | None = None,
        mnpr_method: str = "GET",
        jpeg: bytes | None = None,
        utc_offset: timedelta = timedelta(hours=1),
        pic_name_digits: int = 18,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Configure the camera; call :meth:`start` to listen."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.auth = auth
        self.model = model
        self.serial = serial
        self.firmware = firmware
        self.mac = mac
        self.quirks = quirks or StreamQuirks()
        self.mnpr_method = mnpr_method
        self.mnpr_plate = "MN4PR"
        #: Replace the deviceInfo answer (e.g. a non-Hikvision device's HTML).
        self.device_info_override: bytes | None = None
        #: HTTP status for ``PUT /ISAPI/Event/notification/httpHosts`` (403: refused).
        self.http_hosts_status = 200
        #: Path spelling this firmware answers the plate log on (ex_nvr's mock: lower case).
        self.plates_path = "vehicleDetect"
        #: Seconds every answer but the alertStream waits before it is sent (a slow camera).
        self.response_delay = 0.0
        #: Replace the answers of /ISAPI/System/time, the plate log and MNPR (odd firmware).
        self.time_body: bytes | None = None
        self.plates_body: bytes | None = None
        self.mnpr_body: tuple[str, bytes] | None = None
        #: HTTP status of the alertStream (e.g. 503 while the camera boots).
        self.alert_stream_status = 200
        if jpeg is None:
            jpeg = FIXTURE_JPEG.read_bytes() if FIXTURE_JPEG.exists() else TINY_JPEG
        self.jpeg = jpeg
        self.tz = timezone(utc_offset)
        self.pic_name_digits = pic_name_digits
        self.ssl_context = ssl_context
        self.realm = "IP Camera(C2183)"
        self.log: list[LogEntry] = []
        self.http_hosts: bytes = b""
        self.stats = EmulatorStats()
        self._conns: list[_Conn] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._seq = itertools.count(1)
        self._nonces: set[str] = set()
        self.online = False

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http(s)://127.0.0.1:<port>``."""
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        """Open alertStream connections."""
        return len(self._conns)

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one, kept across restarts)."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/ISAPI/System/deviceInfo", self._device_info)
        app.router.add_get("/ISAPI/System/time", self._time)
        app.router.add_get("/ISAPI/Event/notification/alertStream", self._alert_stream)
        app.router.add_route("*", "/ISAPI/Traffic/MNPR/channels/{ch}", self._mnpr)
        app.router.add_post("/ISAPI/Traffic/channels/{ch}/vehicleDetect/plates", self._plates)
        app.router.add_post("/ISAPI/Traffic/channels/{ch}/vehicledetect/plates", self._plates)
        app.router.add_get("/doc/ui/images/plate/{name}", self._plate_image)
        app.router.add_route("*", "/ISAPI/Event/notification/httpHosts", self._http_hosts)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(
            self._runner, self.host, self.port, reuse_address=True, ssl_context=self.ssl_context
        )
        await self._site.start()
        server = self._site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]
        self.online = True

    async def stop(self) -> None:
        """Close every connection and the listening socket."""
        await self.cut()
        self.online = False
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._site = None
        if self.ssl_context is not None:
            # asyncio keeps a task per TLS handshake a client abandoned (up to 60 s): end them.
            for task in asyncio.all_tasks():
                coro = task.get_coro()
                if getattr(coro, "__qualname__", "").endswith("_accept_connection2"):
                    task.cancel()
            await asyncio.sleep(0)

    async def cut(self, *, mid_part: bool = False) -> None:
        """Drop every alertStream connection, optionally after half a part (a camera crash)."""
        conns, self._conns = self._conns, []
        for conn in conns:
            transport = conn.request.transport
            if mid_part and transport is not None and not transport.is_closing():
                half = self._anpr_part("CUT000", "forward", 90, None, None, [])[:60]
                transport.write(half)
            if transport is not None:
                transport.abort()
            conn.queue.put_nowait(None)
        await asyncio.sleep(0)

    async def end_streams(self) -> None:
        """End every alertStream response cleanly (the camera closes the stream)."""
        for conn in list(self._conns):
            conn.queue.put_nowait(None)
        await asyncio.sleep(0)

    async def restart(
        self, downtime: float = 0.3, plates_while_down: Sequence[str] = ()
    ) -> list[LogEntry]:
        """Simulate a reboot: cut streams mid-part, refuse connections for ``downtime`` seconds.

        Plates in ``plates_while_down`` are captured during the downtime (plate log only).
        """
        await self.cut(mid_part=True)
        if self._site is not None:
            await self._site.stop()
        self.online = False
        captured = [self._capture(plate, "forward") for plate in plates_while_down]
        await asyncio.sleep(downtime)
        await self._listen()
        return captured

    # -- events -----------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = datetime.now(self.tz)
        return now.replace(microsecond=(now.microsecond // 1000) * 1000)

    def _capture(self, plate: str, direction: str, when: datetime | None = None) -> LogEntry:
        when = (when or self._now()).astimezone(self.tz)
        seq = next(self._seq)
        stamp = when.strftime("%Y%m%d%H%M%S")
        pad = self.pic_name_digits - len(stamp)
        pic_name = stamp + str(seq % (10**pad)).zfill(pad)
        entry = LogEntry(pic_name=pic_name, plate=plate, time=when, direction=direction)
        self.log.append(entry)
        return entry

    def anpr_xml(
        self,
        plate: str,
        *,
        direction: str = "forward",
        confidence: int = 95,
        when: datetime | None = None,
        uuid: str | None = None,
        list_name: str | None = None,
        pictures: Sequence[str] = ("licensePlatePicture.jpg", "detectionPicture.jpg"),
    ) -> bytes:
        """An ANPR ``EventNotificationAlert`` document like an iDS-2CD7A46G0 sends."""
        q = self.quirks
        when = (when or self._now()).astimezone(self.tz)
        ns = NAMESPACES[q.namespace]
        xmlns = f' version="2.0" xmlns="{ns}"' if ns else ""
        pics = "".join(
            f"<pictureInfo><fileName>{name}</fileName><type>{name.split('.')[0]}</type>"
            f"<dataType>0</dataType><absTime>{when.strftime('%Y%m%d%H%M%S%f')[:17]}</absTime>"
            f"<plateRect><X>412</X><Y>655</Y><width>98</width><height>31</height></plateRect>"
            f"<pId>{_pid(name, uuid)}</pId></pictureInfo>"
            for name in pictures
        )
        listing = f"<vehicleListName>{list_name}</vehicleListName>" if list_name else ""
        decl = '<?xml version="1.0" encoding="UTF-8"?>\r\n' if q.xml_declaration else ""
        doc = (
            f"{decl}<EventNotificationAlert{xmlns}>\r\n"
            f"<ipAddress>{self.host}</ipAddress><portNo>{self.port}</portNo>"
            f"<protocol>HTTP</protocol><macAddress>{self.mac}</macAddress>"
            f"<channelID>1</channelID><dateTime>{when.isoformat(timespec='seconds')}</dateTime>"
            f"<activePostCount>1</activePostCount><eventType>ANPR</eventType>"
            f"<eventState>active</eventState><eventDescription>ANPR</eventDescription>"
            f"<channelName>Camera 01</channelName>"
            f"<ANPR><country>17</country><licensePlate>{plate}</licensePlate>"
            f"<originalLicensePlate>{plate}</originalLicensePlate><line>1</line>"
            f"<direction>{direction}</direction><confidenceLevel>{confidence}</confidenceLevel>"
            f"<plateType>unknown</plateType><plateColor>yellow</plateColor>"
            f"<licenseBright>0</licenseBright><vehicleType>vehicle</vehicleType>"
            f"<detectDir>8</detectDir><detectType>0</detectType><alarmDataType>0</alarmDataType>"
            f"{listing}<vehicleInfo><index>1</index><vehicleType>0</vehicleType>"
            f"<colorDepth>2</colorDepth><color>white</color><length>0</length>"
            f"<vehicleLogoRecog>1036</vehicleLogoRecog><vehileSubLogoRecog>0</vehileSubLogoRecog>"
            f"<vehileModel>0</vehileModel></vehicleInfo>"
            f"<pictureInfoList>{pics}</pictureInfoList></ANPR>"
            f"<UUID>{uuid or secrets.token_hex(16)}</UUID><picNum>{len(pictures)}</picNum>"
            f"<monitoringSiteID></monitoringSiteID><isDataRetransmission>false"
            f"</isDataRetransmission></EventNotificationAlert>"
        )
        return doc.encode()

    def anpr_json(
        self, plate: str, *, direction: str = "forward", confidence: float = 97.5,
        when: datetime | None = None, uuid: str | None = None,
    ) -> bytes:
        """A JSON ``mixedTargetDetection`` event (ISAPI Developer Guide §4.2.1.4)."""
        when = (when or self._now()).astimezone(self.tz)
        props = {
            "plateNo": plate, "plateType": "unknown", "plateColor": "yellow",
            "vehicleType": "vehicle", "vehicleColor": "white", "vehicleLogo": "1036",
            "vehicleModel": "0", "confidence": confidence, "direction": direction,
        }
        doc = {
            "ipAddress": self.host, "portNo": self.port, "protocol": "HTTP",
            "macAddress": self.mac, "channelID": 1,
            "dateTime": when.isoformat(timespec="seconds"),
            "activePostCount": 1, "eventType": "mixedTargetDetection",
            "eventState": "active", "eventDescription": "mixedTargetDetection",
            "UUID": uuid or secrets.token_hex(16),
            "CaptureResult": [{
                "targetID": 1,
                "Vehicle": {
                    "VehicleRect": {"x": 0.3, "y": 0.4, "width": 0.3, "height": 0.4},
                    "PlateRect": {"x": 0.412, "y": 0.655, "width": 0.098, "height": 0.031},
                    "Property": [{"description": k, "value": v} for k, v in props.items()],
                    "pId1": _pid("vehicleImage", uuid), "contentID1": "vehicleImage",
                },
            }],
        }
        return json.dumps(doc).encode()

    def heartbeat_xml(self) -> bytes:
        """A videoloss-inactive keep-alive (the form captured in mezz64/pyHik issue #62)."""
        ns = NAMESPACES[self.quirks.namespace] or NAMESPACES["ver20"]
        return (
            f'<EventNotificationAlert version="2.0" xmlns="{ns}">\r\n'
            f"<ipAddress>{self.host}</ipAddress><portNo>{self.port}</portNo>"
            f"<protocol>HTTP</protocol><macAddress>{self.mac}</macAddress>"
            f"<channelID>1</channelID><dateTime>{self._now().isoformat(timespec='seconds')}"
            f"</dateTime><activePostCount>0</activePostCount><eventType>videoloss</eventType>"
            f"<eventState>inactive</eventState><eventDescription>videoloss alarm"
            f"</eventDescription></EventNotificationAlert>"
        ).encode()

    def _frame(self, headers: dict[str, str], body: bytes, boundary: str | None = None) -> bytes:
        q = self.quirks
        body = body + b"\r\n"  # Hikvision ends every body with CRLF
        mode = q.content_length
        if mode == "crlf":
            headers["Content-Length"] = str(len(body))
        elif mode == "exact":
            headers["Content-Length"] = str(len(body) - 2)
        elif mode == "wrong":
            headers["Content-Length"] = str(len(body) + 517)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        lead = b"" if mode == "crlf" else b"\r\n"
        delim = f"--{boundary or q.boundary}\r\n".encode()
        # "crlf": body+CRLF counted, delimiter follows directly. Otherwise RFC framing where the
        # CRLF before the next delimiter belongs to the delimiter (emitted here as ``lead``).
        if mode != "crlf":
            body = body[:-2]
        return delim + head.encode() + b"\r\n" + body + lead

    def _anpr_part(
        self,
        plate: str,
        direction: str,
        confidence: int,
        uuid: str | None,
        list_name: str | None,
        pictures: Sequence[str],
        when: datetime | None = None,
        boundary: str | None = None,
    ) -> bytes:
        if self.quirks.json_variant:
            body = self.anpr_json(plate, direction=direction, when=when, uuid=uuid)
            out = self._frame(
                {"Content-Type": "application/json",
                 "Content-Disposition": 'form-data; name="mixedTargetDetection"'},
                body, boundary,
            )
            if pictures:
                out += self._frame(
                    {"Content-Disposition":
                        f'form-data; name="{_pid("vehicleImage", uuid)}"; '
                        'filename="vehicleImage.jpg"',
                     "Content-Type": self.quirks.image_type, "Content-ID": "vehicleImage"},
                    self.jpeg, boundary,
                )
            return out
        body = self.anpr_xml(
            plate, direction=direction, confidence=confidence, when=when, uuid=uuid,
            list_name=list_name, pictures=pictures,
        )
        out = self._frame(
            {"Content-Type": 'application/xml; charset="UTF-8"'}, body, boundary
        )
        for name in pictures:
            out += self._frame(
                {"Content-Disposition": f'form-data; name="{_pid(name, uuid)}"; filename="{name}"',
                 "Content-Type": self.quirks.image_type},
                self.jpeg, boundary,
            )
        return out

    async def push_anpr(
        self,
        plate: str,
        *,
        direction: str = "forward",
        confidence: int = 95,
        uuid: str | None = None,
        list_name: str | None = None,
        pictures: Sequence[str] = ("licensePlatePicture.jpg", "detectionPicture.jpg"),
    ) -> LogEntry:
        """Capture a plate: log it and send it on every open alertStream."""
        entry = self._capture(plate, direction)
        uuid = uuid or secrets.token_hex(16)
        data = self._anpr_part(
            plate, direction, confidence, uuid, list_name, pictures, when=entry.time
        )
        await self.push_raw(data)
        return entry

    async def push_anpr_and_crash(self, plate: str, keep: float = 0.5) -> LogEntry:
        """Capture a plate, send its alert and only ``keep`` (0-1) of its pictures, then crash.

        The camera logged the plate (plate log) but the stream dies mid-picture.
        """
        entry = self._capture(plate, "forward")
        uuid = secrets.token_hex(16)
        xml_only = self._anpr_part(
            plate, "forward", 95, uuid, None, ("licensePlatePicture.jpg",), when=entry.time
        )
        data = xml_only[: len(xml_only) - int(len(self.jpeg) * (1 - keep))]
        await self.push_raw(data)
        await asyncio.sleep(0.2)
        await self.cut()
        return entry

    async def push_heartbeat(self, count: int = 1) -> None:
        """Send ``count`` videoloss heartbeats in ONE part (several alerts per part)."""
        body = b"\r\n".join(self.heartbeat_xml() for _ in range(count))
        await self.push_raw(self._frame({"Content-Type": 'application/xml; charset="UTF-8"'}, body))

    async def push_part(self, content_type: str, body: bytes) -> None:
        """Send one arbitrary part (malformed XML/JSON, other events...)."""
        await self.push_raw(self._frame({"Content-Type": content_type}, body))

    async def push_raw(self, data: bytes) -> None:
        """Write raw bytes to every open alertStream."""
        for conn in list(self._conns):
            conn.queue.put_nowait(data)
        await asyncio.sleep(0)

    def plate_log_after(self, pic_time: str) -> list[LogEntry]:
        """Plate-log entries after ``pic_time`` (picName order, compared as numbers)."""
        def key(value: str) -> str:
            return value.strip().ljust(40, "0")

        cursor = key(pic_time)
        return [e for e in self.log if key(e.pic_name) > cursor]

    # -- listening mode ---------------------------------------------------------------------

    def listening_body(
        self, plate: str, *, direction: str = "forward", uuid: str | None = None,
        pictures: Sequence[str] = ("licensePlatePicture.jpg",),
    ) -> tuple[str, bytes]:
        """Build an HTTP-listening POST (hikvision_next #117 shape): (content type, body)."""
        entry = self._capture(plate, direction)
        uuid = uuid or secrets.token_hex(16)
        xml = self.anpr_xml(
            plate, direction=direction, when=entry.time, uuid=uuid, pictures=pictures
        )
        parts = [
            b'--boundary\r\nContent-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"'
            b"\r\nContent-Type: text/xml\r\nContent-Length: "
            + str(len(xml) + 2).encode() + b"\r\n\r\n" + xml + b"\r\n"
        ]
        for name in pictures:
            parts.append(
                f'--boundary\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{_pid(name, uuid)}"\r\nContent-Type: image/jpeg\r\n'
                f"Content-Length: {len(self.jpeg) + 2}\r\n\r\n".encode() + self.jpeg + b"\r\n"
            )
        return "multipart/form-data; boundary=boundary", b"".join(parts) + b"--boundary--\r\n"

    async def post_event(
        self, url: str, plate: str, *, direction: str = "forward", body: bytes | None = None,
        content_type: str | None = None, pictures: Sequence[str] = ("licensePlatePicture.jpg",),
    ) -> int:
        """POST an ANPR event to ``url`` like a camera in HTTP-listening mode; return the status."""
        if body is None:
            content_type, body = self.listening_body(
                plate, direction=direction, pictures=pictures
            )
        async with (
            ClientSession(timeout=ClientTimeout(total=10)) as session,
            session.post(
                url, data=body,
                headers={"Content-Type": content_type or "application/xml",
                         "Connection": "close"},
            ) as resp,
        ):
            await resp.read()
            self.stats.posts.append(resp.status)
            return resp.status

    # -- HTTP handlers ----------------------------------------------------------------------

    def _challenge(self) -> web.Response:
        self.stats.auth_failures += 1
        if self.auth == "basic":
            header = f'Basic realm="{self.realm}"'
        else:
            nonce = secrets.token_hex(16)
            self._nonces.add(nonce)
            header = (
                f'Digest qop="auth", realm="{self.realm}", nonce="{nonce}", stale="FALSE"'
            )
        return web.Response(
            status=401, headers={"WWW-Authenticate": header},
            text="<?xml version=\"1.0\"?><userCheck><statusValue>401</statusValue>"
            "<statusString>Unauthorized</statusString></userCheck>",
            content_type="application/xml",
        )

    def _authorized(self, request: web.Request) -> bool:
        return credentials_ok(
            request.headers.get("Authorization"),
            request.method,
            scheme=self.auth,
            username=self.username,
            password=self.password,
            realm=self.realm,
            nonces=self._nonces,
        )

    async def _device_info(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        await asyncio.sleep(self.response_delay)
        if self.device_info_override is not None:
            return web.Response(body=self.device_info_override, content_type="text/html")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\n'
            f"<deviceName>ANPR Gate</deviceName><deviceID>1</deviceID>"
            f"<model>{self.model}</model><serialNumber>{self.serial}</serialNumber>"
            f"<macAddress>{self.mac}</macAddress><firmwareVersion>{self.firmware}"
            f"</firmwareVersion><firmwareReleasedDate>build 230629</firmwareReleasedDate>"
            f"<deviceType>IPCamera</deviceType></DeviceInfo>"
        )
        return web.Response(body=body.encode(), content_type="application/xml")

    async def _time(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        if self.time_body is not None:
            return web.Response(body=self.time_body, content_type="application/xml")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Time version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">'
            f"<timeMode>manual</timeMode><localTime>{self._now().isoformat(timespec='seconds')}"
            "</localTime><timeZone>CST-1:00:00</timeZone></Time>"
        )
        return web.Response(body=body.encode(), content_type="application/xml")

    async def _alert_stream(self, request: web.Request) -> web.StreamResponse:
        """Serve the stream like a camera: HTTP/1.1 200 with ``Connection: close`` and no
        Content-Length or chunking (the body runs until the socket closes), written straight
        to the socket; ``quirks.chunked`` uses aiohttp's chunked StreamResponse instead."""
        if not self._authorized(request):
            return self._challenge()
        self.stats.stream_requests += 1
        if self.alert_stream_status != 200:
            return web.Response(status=self.alert_stream_status, text="booting")
        q = self.quirks
        ctype = "multipart/mixed"
        if q.header_boundary == "param":
            ctype += f"; boundary={q.boundary}"
        transport = request.transport
        resp: web.StreamResponse | None = None
        if q.chunked:
            resp = web.StreamResponse(
                headers={"Content-Type": ctype, "MIME-Version": "1.0", "Connection": "close"}
            )
            await resp.prepare(request)
        elif transport is not None:
            transport.write(
                b"HTTP/1.1 200 OK\r\nMIME-Version: 1.0\r\nConnection: close\r\n"
                + f"Content-Type: {ctype}\r\n\r\n".encode()
            )

        async def write(chunk: bytes) -> None:
            if resp is not None:
                await resp.write(chunk)
            elif transport is None or transport.is_closing():
                raise ConnectionResetError
            else:
                transport.write(chunk)
                await asyncio.sleep(0)

        conn = _Conn(queue=asyncio.Queue(), request=request)
        self._conns.append(conn)
        self.stats.stream_connects += 1
        beat: asyncio.Task[None] | None = None
        if q.heartbeat_interval:
            beat = asyncio.create_task(self._beat(conn, q.heartbeat_interval))
        try:
            while True:
                try:
                    data = await asyncio.wait_for(conn.queue.get(), 0.1)
                except TimeoutError:
                    if transport is None or transport.is_closing():
                        break  # the client went away
                    continue
                if data is None:
                    break
                if q.split_size:
                    for i in range(0, len(data), q.split_size):
                        await write(data[i : i + q.split_size])
                        await asyncio.sleep(0.001)
                else:
                    await write(data)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            if beat is not None:
                beat.cancel()
            if conn in self._conns:
                self._conns.remove(conn)
        if resp is not None:
            return resp
        # The camera ends the stream by closing the socket; aiohttp has nothing left to send.
        if transport is not None:
            transport.close()
        raise asyncio.CancelledError

    async def _beat(self, conn: _Conn, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            conn.queue.put_nowait(
                self._frame({"Content-Type": 'application/xml; charset="UTF-8"'},
                            self.heartbeat_xml())
            )

    async def _mnpr(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        self.stats.mnpr_methods.append(request.method)
        if request.method not in ("GET", "PUT"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT"])
        if request.method != self.mnpr_method:
            return web.json_response(
                {"requestURL": request.path, "statusCode": 4,
                 "statusString": "Invalid Operation", "subStatusCode": "notSupport",
                 "errorCode": 1073741825, "errorMsg": "notSupport"},
                status=403,
            )
        if self.mnpr_body is not None:
            return web.Response(
                body=self.mnpr_body[1], headers={"Content-Type": self.mnpr_body[0]}
            )
        entry = self._capture(self.mnpr_plate, "forward")
        uuid = secrets.token_hex(16)
        body = self._anpr_part(
            entry.plate, "forward", 91, uuid, None,
            ("licensePlatePicture.jpg", "detectionPicture.jpg"), when=entry.time,
            boundary="MNPRboundary",
        ) + b"--MNPRboundary--\r\n"
        return web.Response(
            body=body, headers={"Content-Type": "multipart/form-data; boundary=MNPRboundary"}
        )

    async def _plates(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        if f"/{self.plates_path}/" not in request.path:
            raise web.HTTPNotFound
        if self.plates_body is not None:
            return web.Response(body=self.plates_body, content_type="application/xml")
        text = (await request.read()).decode("utf-8", "replace")
        match = re.search(r"<picTime>\s*(\d+)\s*</picTime>", text)
        if not match:
            return web.Response(status=400, text="bad AfterTime")
        self.stats.plate_queries.append(match.group(1))
        plates = "".join(
            f"<Plate><captureTime>{e.time.strftime('%Y%m%dT%H%M%S')}0000</captureTime>"
            f"<plateNumber>{e.plate}</plateNumber><picName>{e.pic_name}</picName>"
            f"<country>{e.country}</country><laneNo>{e.lane}</laneNo>"
            f"<direction>{e.direction}</direction></Plate>"
            for e in self.plate_log_after(match.group(1))
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Plates version="2.0" '
            f'xmlns="http://www.hikvision.com/ver20/XMLSchema">{plates}</Plates>'
        )
        return web.Response(body=body.encode(), content_type="application/xml")

    async def _plate_image(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        name = request.match_info["name"].removesuffix(".jpg")
        if not any(e.pic_name == name for e in self.log):
            raise web.HTTPNotFound
        return web.Response(body=self.jpeg, content_type="image/jpeg")

    async def _http_hosts(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        if request.method == "PUT":
            if self.http_hosts_status != 200:
                return web.json_response(
                    {"statusCode": 4, "statusString": "Invalid Operation",
                     "subStatusCode": "invalidOperation"},
                    status=self.http_hosts_status,
                )
            self.http_hosts = await request.read()
            return web.Response(
                body=b'<?xml version="1.0"?><ResponseStatus><statusCode>1</statusCode>'
                b"<statusString>OK</statusString></ResponseStatus>",
                content_type="application/xml",
            )
        return web.Response(body=self.http_hosts or b"<HttpHostNotificationList/>",
                            content_type="application/xml")



def _pid(name: str, uuid: str | None) -> str:
    base = (uuid or "0" * 32)[:24]
    return f"{base}{zlib.crc32(name.encode()) % 10**8:08d}"[:32]


async def _main(args: argparse.Namespace) -> None:
    emu = HikvisionEmulator(
        port=args.port, username=args.username, password=args.password, auth=args.auth,
        quirks=StreamQuirks(heartbeat_interval=args.heartbeat or None),
    )
    await emu.start()
    print(f"Hikvision emulator on {emu.base_url} (user {args.username})", flush=True)
    plates = args.plates.split(",")
    try:
        for n in itertools.count():
            await asyncio.sleep(args.interval)
            plate = plates[n % len(plates)]
            if args.post_url:
                await emu.post_event(args.post_url, plate)
            else:
                await emu.push_anpr(plate, direction="forward" if n % 2 == 0 else "reverse")
    finally:
        await emu.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """CLI entry point for ``scripts/develop`` and benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="12345abc")
    parser.add_argument("--auth", choices=["digest", "basic", "none"], default="digest")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between plates")
    parser.add_argument("--plates", default="B4DM3N,DK18HVX,AB12CDE")
    parser.add_argument("--heartbeat", type=float, default=10.0)
    parser.add_argument("--post-url", help="HTTP-listening mode: POST reads to this URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()


__all__ = ["HikvisionEmulator", "LogEntry", "StreamQuirks", "main"]
