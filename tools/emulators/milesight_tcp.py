"""Milesight-style LPR camera speaking the binary TCP "NVR/VMS" protocol.

Format: ``docs/protocols.md``, "Milesight TCP (COMM_RECOG_POST)".

The camera is the TCP server: the NVR (our integration) connects, sends ``COMM_LOGIN_REQ``;
the emulator answers ``COMM_LOGIN_REPLY`` (``{"result":"200"}`` or ``"401"``) and then pushes
``COMM_RECOG_POST`` packets built with ``tools/emulators/milesight_packets.py``. Reads sent while no client
is logged in are queued and flushed after the next login (a camera buffering during an NVR
outage); :meth:`restart` drops every connection and listens again on the same port.
Faults for tests: :meth:`inject` writes raw bytes (garbage, truncated or oversize packets).

CLI: ``python -m tools.emulators.milesight_tcp --port 5000 --password 1234 --interval 5``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import time

from custom_components.anpr.protocols.milesight_tcp import (
    Command,
    Packet,
    PacketDecoder,
    build_packet,
)
from tools.emulators import pictures
from tools.emulators.milesight_packets import build_metadata, build_recog_post, parse_login_request

_LOGGER = logging.getLogger(__name__)


def fake_jpeg(width: int, height: int, payload: int = 64) -> bytes:
    """Return a real, decodable JPEG of ``width`` x ``height`` pixels (a plate crop or a scene,
    tools/emulators/pictures.py), about ``payload`` bytes larger than the bare picture
    (comment segments before the scan, so sizes in tests can be chosen while the picture still
    decodes and its header still gives its size early)."""
    base = pictures.picture(width, height)
    pos = 2
    while base[pos + 1] != 0xDA:  # walk the segments up to the start of scan
        pos += 2 + int.from_bytes(base[pos + 2 : pos + 4], "big")
    pad = bytearray()
    remaining = payload
    while remaining > 0:
        size = min(remaining, 65533)
        pad += b"\xff\xfe" + (size + 2).to_bytes(2, "big") + b"\x00" * size
        remaining -= size
    return base[:pos] + bytes(pad) + base[pos:]


class MilesightCamera:
    """Async TCP server emulating the camera; start/stop from tests or the CLI."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "admin",
        password: str = "1234",
        revision: str = "1.6",
    ) -> None:
        """Configure credentials and the metadata revision sent."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.revision = revision
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._queue: list[bytes] = []
        self.logins_ok = 0
        self.logins_refused = 0
        self.sent = 0
        self._counter = itertools.count(1)
        self.logged_in = asyncio.Event()

    @property
    def clients(self) -> int:
        """Number of logged-in clients."""
        return len(self._clients)

    async def start(self) -> int:
        """Listen (ephemeral port when 0); return the port."""
        self._server = await asyncio.start_server(
            self._on_connect, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Close the listener and every connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        self._clients.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._server.wait_closed()
            self._server = None
        self.logged_in.clear()

    async def restart(self, down_for: float = 0.0) -> None:
        """Simulate a camera reboot: drop connections, stay down ``down_for`` s, listen again."""
        await self.stop()
        if down_for:
            await asyncio.sleep(down_for)
        await self.start()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        decoder = PacketDecoder()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for item in decoder.feed(data):
                    if isinstance(item, Packet) and item.command == Command.LOGIN_REQ:
                        await self._login(item, writer)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._clients.discard(writer)
            self._writers.discard(writer)
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _login(self, packet: Packet, writer: asyncio.StreamWriter) -> None:
        try:
            user, password = parse_login_request(packet.data)
        except ValueError:
            user, password = "", ""
        if (user, password) != (self.username, self.password):
            self.logins_refused += 1
            writer.write(build_packet(Command.LOGIN_REPLY, b'{"result": "401"}'))
            await writer.drain()
            writer.close()
            return
        self.logins_ok += 1
        writer.write(build_packet(Command.LOGIN_REPLY, b'{"result": "200"}'))
        self._clients.add(writer)
        queued, self._queue = self._queue, []
        for packet_bytes in queued:
            writer.write(packet_bytes)
            self.sent += 1
        await writer.drain()
        self.logged_in.set()

    def recog_packet(
        self,
        plate: str,
        *,
        direction: int = 1,
        revision: str | None = None,
        images: tuple[bytes, ...] | None = None,
        time_ms: int | None = None,
        confidence: float = 0.92,
        plate_type: int = 3,
    ) -> bytes:
        """Build one COMM_RECOG_POST packet (plate crop + full picture by default)."""
        if images is None:
            images = (fake_jpeg(240, 60), fake_jpeg(1280, 720, 512))
        metadata = build_metadata(
            revision=revision or self.revision,
            plate=plate,
            time_ms=time_ms if time_ms is not None else int(time.time() * 1000),
            image_count=len(images),
            direction=direction,
            confidence=confidence,
            plate_type=plate_type,
        )
        return build_recog_post(metadata, images)

    async def send_read(self, plate: str, **kwargs: object) -> None:
        """Send a recognition post to every logged-in client (queued when none)."""
        await self.send_raw(self.recog_packet(plate, **kwargs))  # type: ignore[arg-type]

    async def send_raw(self, data: bytes) -> None:
        """Write a framed packet to every logged-in client, or queue it for the next login."""
        if not self._clients:
            self._queue.append(data)
            return
        for writer in list(self._clients):
            writer.write(data)
            with contextlib.suppress(OSError, ConnectionError):
                await writer.drain()
        self.sent += 1

    async def inject(self, data: bytes) -> None:
        """Write raw bytes (garbage, truncated/oversize packets) to every logged-in client."""
        for writer in list(self._clients):
            writer.write(data)
            with contextlib.suppress(OSError, ConnectionError):
                await writer.drain()

    @staticmethod
    def oversize_header(size: int = 0x7FFFFFF0) -> bytes:
        """A ``CC FF`` header claiming ``size`` bytes of data (never followed by them)."""
        return (
            b"\xcc\xff" + int(Command.RECOG_POST).to_bytes(2, "little") + size.to_bytes(4, "little")
        )


async def _main(args: argparse.Namespace) -> None:
    camera = MilesightCamera(args.host, args.port, args.user, args.password, args.revision)
    port = await camera.start()
    print(f"Milesight TCP camera emulator listening on {args.host}:{port}", flush=True)
    plates = args.plates.split(",")
    try:
        for index in itertools.count():
            await asyncio.sleep(args.interval)
            if camera.clients:
                plate = plates[index % len(plates)]
                images = (pictures.picture(240, 60, plate), pictures.picture(1280, 720, plate))
                await camera.send_read(plate, direction=1 + index % 2, images=images)
                print(f"sent {plate}", flush=True)
    finally:
        await camera.stop()


def main() -> None:
    """Run the emulator from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="1234")
    parser.add_argument("--revision", default="1.6")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--plates", default="AB12CDE,KM19XYZ,부산 02가 1234")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
