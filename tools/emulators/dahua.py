"""Dahua ITC ANPR camera emulator: the real CGI HTTP server on loopback (docs/protocols.md "Dahua").

Serves, behind HTTP Digest (or Basic, or no) authentication:

* ``GET /cgi-bin/magicBox.cgi?action=getSystemInfo`` / ``getSoftwareVersion``;
* ``GET /cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event&Events=[...]&heartbeat=N``:
  a never-ending ``multipart/x-mixed-replace; boundary=myboundary`` stream; each event is a
  ``text/plain`` part of ``Events[0].Path=value`` lines followed by an ``image/jpeg`` part;
  firmware without it answers ``400 Bad Request`` (``snap_manager=False``);
* ``GET /cgi-bin/eventManager.cgi?action=attach&codes=[...]&heartbeat=N``: the same framing with
  ``Code=TrafficJunction;action=Pulse;index=0;data={json}`` parts (no pictures);
* ``GET /cgi-bin/snapshot.cgi?channel=N``: the current picture.

Both streams send ``Heartbeat`` parts every ``heartbeat`` seconds of the request. Quirks
(:class:`Quirks`): Content-Length exact / without the space / absent / wrong, writes split into
small pieces, garbage between parts. :meth:`DahuaEmulator.replay_fixture` writes the recorded
wire bytes of ``tests/fixtures/dahua/`` verbatim. Use from tests (``await emu.start()`` /
``await emu.stop()``, port 0 = ephemeral) or the CLI:
``python -m tools.emulators.dahua --port 8082 --interval 15``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import itertools
import json
import logging
from pathlib import Path
import secrets

from aiohttp import web

from tools.emulators.hikvision import FIXTURE_JPEG, TINY_JPEG
from tools.emulators.http_auth import credentials_ok

_LOGGER = logging.getLogger(__name__)

FIXTURE_WIRE = (
    Path(__file__).resolve().parents[2]
    / "tests/fixtures/dahua/eventManager_attach_TrafficJunction_reconstructed.wire"
)
SNAP: str = "snapManager"
EVENT: str = "eventManager"


@dataclass
class Quirks:
    """How the stream is framed."""

    boundary: str = "myboundary"
    #: "exact", "nospace" (``Content-Length:219``), "absent", "wrong" (too large).
    content_length: str = "exact"
    #: Write each event in pieces of this many bytes (pauses between) to split TCP reads.
    split_size: int | None = None
    #: Bytes written between parts (a camera that leaks log text into the stream).
    garbage: bytes = b""


@dataclass
class _Conn:
    api: str
    queue: asyncio.Queue[bytes | None]
    request: web.Request
    beat: asyncio.Task[None] | None = None


@dataclass
class Stats:
    """What the emulator saw (for assertions)."""

    connects: dict[str, int] = field(default_factory=lambda: {SNAP: 0, EVENT: 0})
    refused: dict[str, int] = field(default_factory=lambda: {SNAP: 0, EVENT: 0})
    auth_failures: int = 0
    snapshots: int = 0
    paths: list[str] = field(default_factory=list)


class DahuaEmulator:
    """A Dahua ITC ANPR camera on ``127.0.0.1``; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "admin",
        password: str = "dahua-pass1",
        auth: str = "digest",
        model: str = "DHI-ITC413-PW4D-IZ1",
        serial: str = "7J0ABCD123456",
        firmware: str | None = "2.820.0000000.3.R,build:2023-04-11",
        snap_manager: bool = True,
        event_manager: bool = True,
        quirks: Quirks | None = None,
        jpeg: bytes | None = None,
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
        self.snap_manager = snap_manager
        self.event_manager = event_manager
        self.quirks = quirks or Quirks()
        if jpeg is None:
            jpeg = FIXTURE_JPEG.read_bytes() if FIXTURE_JPEG.exists() else TINY_JPEG
        self.jpeg = jpeg
        #: Replace the getSystemInfo answer (e.g. another vendor's error page).
        self.system_info_override: tuple[int, bytes] | None = None
        #: HTTP status of snapshot.cgi (e.g. 500 while the camera is busy).
        self.snapshot_status = 200
        self.realm = f"Login to {serial}"
        self.stats = Stats()
        self._conns: list[_Conn] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._nonces: set[str] = set()
        self._group = itertools.count(1)

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def connections(self, api: str | None = None) -> int:
        """Open streams (of ``api`` when given)."""
        return sum(1 for c in self._conns if api is None or c.api == api)

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one, kept across restarts)."""
        app = web.Application()
        app.router.add_get("/cgi-bin/magicBox.cgi", self._magic_box)
        app.router.add_get("/cgi-bin/snapManager.cgi", self._snap_manager)
        app.router.add_get("/cgi-bin/eventManager.cgi", self._event_manager)
        app.router.add_get("/cgi-bin/snapshot.cgi", self._snapshot)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        server = self._site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection and the listening socket."""
        await self.cut()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._site = None

    async def cut(self, *, mid_part: bool = False) -> None:
        """Drop every stream, optionally after half an event (a camera that crashes)."""
        conns, self._conns = self._conns, []
        for conn in conns:
            transport = conn.request.transport
            if mid_part and transport is not None and not transport.is_closing():
                transport.write(self.event_bytes(conn.api, "CUT000")[:90])
            if transport is not None:
                transport.abort()
            conn.queue.put_nowait(None)
        await asyncio.sleep(0)

    # -- wire format ------------------------------------------------------------------------

    def frame(self, content_type: str, body: bytes) -> bytes:
        """One part: delimiter, headers, body, CRLF (with the configured quirks)."""
        q = self.quirks
        head = f"--{q.boundary}\r\nContent-Type: {content_type}\r\n"
        if q.content_length == "exact":
            head += f"Content-Length: {len(body)}\r\n"
        elif q.content_length == "nospace":
            head += f"Content-Length:{len(body)}\r\n"
        elif q.content_length == "wrong":
            head += f"Content-Length: {len(body) + 333}\r\n"
        return head.encode() + b"\r\n" + body + b"\r\n" + q.garbage

    def event_data(
        self,
        plate: str,
        *,
        junction: str = "Obverse",
        driving: str = "Approach",
        lane: int = 1,
        confidence: int | None = 92,
        code: str = "TrafficJunction",
        when: datetime | None = None,
    ) -> dict[str, object]:
        """The event's fields as the camera reports them (``data`` JSON shape)."""
        when = when or datetime.now(UTC)
        obj: dict[str, object] = {
            "ObjectType": "Plate",
            "Text": plate,
            "BoundingBox": [3000, 4000, 3600, 4300],
            "Country": "GBR",
        }
        if confidence is not None:
            obj["Confidence"] = confidence
        return {
            "Class": "Traffic",
            "Name": code,
            "GroupID": next(self._group),
            "CountInGroup": 1,
            "IndexInGroup": 0,
            "Lane": lane,
            "JunctionDirection": junction,
            "TrafficCar": {
                "PlateNumber": plate,
                "PlateColor": "Yellow",
                "PlateType": "Normal",
                "VehicleColor": "White",
                "VehicleType": "Motor",
                "DrivingDirection": [driving, "", ""],
                "Direction": 0,
                "Country": "GBR",
                "Speed": 23,
            },
            "Object": obj,
            "UTC": int(when.timestamp()),
            "UTCMS": when.microsecond // 1000,
            "LocaleTime": when.strftime("%Y-%m-%d %H:%M:%S"),
        }

    @staticmethod
    def flat_text(events: Sequence[tuple[str, dict[str, object]]]) -> bytes:
        """snapManager text: ``Events[n].EventBaseInfo.Code=..`` plus every field flattened."""
        lines: list[str] = []

        def walk(prefix: str, value: object) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    walk(f"{prefix}.{key}", item)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(f"{prefix}[{index}]", item)
            else:
                lines.append(f"{prefix}={value}")

        for n, (code, data) in enumerate(events):
            lines.append(f"Events[{n}].EventBaseInfo.Code={code}")
            lines.append(f"Events[{n}].EventBaseInfo.Action=Pulse")
            lines.append(f"Events[{n}].EventBaseInfo.Index=0")
            walk(f"Events[{n}]", data)
        return ("\r\n".join(lines) + "\r\n").encode()

    @staticmethod
    def code_text(events: Sequence[tuple[str, dict[str, object]]]) -> bytes:
        """eventManager text: one ``Code=..;action=Pulse;index=0;data={json}`` per event."""
        return "\r\n".join(
            f"Code={code};action=Pulse;index=0;data={json.dumps(data, indent=1, ensure_ascii=False)}"
            for code, data in events
        ).encode()

    def event_bytes(
        self, api: str, plate: str, *, count: int = 1, picture: bool = True, **fields: object
    ) -> bytes:
        """The bytes of one event part (+ picture part on snapManager) for ``api``."""
        code = str(fields.pop("code", "TrafficJunction"))
        plates = [plate] if count == 1 else [f"{plate}{i}" for i in range(count)]
        events = [(code, self.event_data(p, code=code, **fields)) for p in plates]  # type: ignore[arg-type]
        if api == EVENT:
            return self.frame("text/plain", self.code_text(events))
        out = self.frame("text/plain", self.flat_text(events))
        if picture:
            out += self.frame("image/jpeg", self.jpeg)
        return out

    async def push_event(
        self, plate: str, *, count: int = 1, picture: bool = True, **fields: object
    ) -> None:
        """Send a recognised vehicle (``count`` events in one part) on every open stream.

        ``fields``: ``junction`` (Obverse/Reverse), ``driving`` (Approach/Leave), ``lane``,
        ``confidence`` (0-100 or None), ``code``, ``when``.
        """
        for conn in list(self._conns):
            data = self.event_bytes(conn.api, plate, count=count, picture=picture, **dict(fields))
            await self._put(conn, data)
        await asyncio.sleep(0)

    async def push_heartbeat(self) -> None:
        """Send one ``Heartbeat`` part on every open stream."""
        await self.push_raw(self.frame("text/plain", b"Heartbeat"))

    async def push_part(self, content_type: str, body: bytes, api: str | None = None) -> None:
        """Send one arbitrary part (broken text, other events...)."""
        await self.push_raw(self.frame(content_type, body), api)

    async def push_raw(self, data: bytes, api: str | None = None) -> None:
        """Write raw bytes to every open stream (of ``api`` when given)."""
        for conn in list(self._conns):
            if api is None or conn.api == api:
                await self._put(conn, data)
        await asyncio.sleep(0)

    async def replay_fixture(self, path: Path = FIXTURE_WIRE) -> None:
        """Write the body of a recorded eventManager answer (after its HTTP head) verbatim."""
        raw = await asyncio.to_thread(path.read_bytes)
        _head, _, body = raw.partition(b"\r\n\r\n")
        await self.push_raw(body, EVENT)

    async def _put(self, conn: _Conn, data: bytes) -> None:
        size = self.quirks.split_size
        if not size:
            conn.queue.put_nowait(data)
            return
        for i in range(0, len(data), size):
            conn.queue.put_nowait(data[i : i + size])

    # -- HTTP -------------------------------------------------------------------------------

    def _challenge(self) -> web.Response:
        self.stats.auth_failures += 1
        if self.auth == "basic":
            header = f'Basic realm="{self.realm}"'
        else:
            nonce = secrets.token_hex(16)
            self._nonces.add(nonce)
            header = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", opaque="{nonce[:8]}"'
        return web.Response(status=401, headers={"WWW-Authenticate": header}, text="Error\r\n")

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

    async def _magic_box(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        action = request.query.get("action")
        if action == "getSystemInfo":
            if self.system_info_override is not None:
                status, body = self.system_info_override
                return web.Response(status=status, body=body, content_type="text/html")
            text = (
                f"deviceType={self.model}\r\nhardwareVersion=1.00\r\nprocessor=ST7108\r\n"
                f"serialNumber={self.serial}\r\nupdateSerial=ITC413-PW4D\r\n"
            )
            return web.Response(text=text, content_type="text/plain")
        if action == "getSoftwareVersion" and self.firmware is not None:
            return web.Response(text=f"version={self.firmware}\r\n", content_type="text/plain")
        return web.Response(status=400, text="Error\r\nBad Request!\r\n")

    async def _snapshot(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._challenge()
        self.stats.snapshots += 1
        if self.snapshot_status != 200:
            return web.Response(status=self.snapshot_status, text="Error\r\n")
        return web.Response(body=self.jpeg, content_type="image/jpeg")

    async def _snap_manager(self, request: web.Request) -> web.StreamResponse:
        return await self._stream(request, SNAP, self.snap_manager and (
            request.query.get("action") == "attachFileProc"
        ))

    async def _event_manager(self, request: web.Request) -> web.StreamResponse:
        return await self._stream(request, EVENT, self.event_manager and (
            request.query.get("action") == "attach"
        ))

    async def _stream(self, request: web.Request, api: str, offered: bool) -> web.StreamResponse:
        """Serve a stream like the camera: 200, ``Connection: close``, raw body until close."""
        if not self._authorized(request):
            return self._challenge()
        self.stats.paths.append(request.path_qs)
        if not offered:
            self.stats.refused[api] += 1
            return web.Response(status=400, text="Error\r\nBad Request!\r\n")
        transport = request.transport
        if transport is None:  # pragma: no cover - aiohttp always has one here
            raise asyncio.CancelledError
        transport.write(
            b"HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nConnection: close\r\n"
            + f"Content-Type: multipart/x-mixed-replace; boundary={self.quirks.boundary}"
            "\r\n\r\n".encode()
        )
        conn = _Conn(api=api, queue=asyncio.Queue(), request=request)
        heartbeat = float(request.query.get("heartbeat", "0") or 0)
        if heartbeat > 0:
            conn.beat = asyncio.create_task(self._beat(conn, heartbeat))
        self._conns.append(conn)
        self.stats.connects[api] += 1
        try:
            while True:
                try:
                    data = await asyncio.wait_for(conn.queue.get(), 0.1)
                except TimeoutError:
                    if transport.is_closing():
                        break
                    continue
                if data is None or transport.is_closing():
                    break
                transport.write(data)
                await asyncio.sleep(0.001 if self.quirks.split_size else 0)
        finally:
            if conn.beat is not None:
                conn.beat.cancel()
            if conn in self._conns:
                self._conns.remove(conn)
        transport.close()
        raise asyncio.CancelledError

    async def _beat(self, conn: _Conn, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self._put(conn, self.frame("text/plain", b"Heartbeat"))



async def _main(args: argparse.Namespace) -> None:
    emu = DahuaEmulator(port=args.port, username=args.username, password=args.password)
    await emu.start()
    print(f"Dahua emulator on {emu.base_url} (user {args.username})", flush=True)
    plates = args.plates.split(",")
    try:
        for n in itertools.count():
            await asyncio.sleep(args.interval)
            await emu.push_event(
                plates[n % len(plates)], junction="Obverse" if n % 2 == 0 else "Reverse",
                driving="Approach" if n % 2 == 0 else "Leave",
            )
    finally:
        await emu.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """CLI entry point for ``scripts/develop``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="dahua-pass1")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between plates")
    parser.add_argument("--plates", default="AB12CDE,DK18HVX,YX70OKP")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()


__all__ = ["EVENT", "SNAP", "DahuaEmulator", "Quirks", "main"]
