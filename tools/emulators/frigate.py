"""Frigate emulator: its MQTT messages for a vehicle with a plate, and its HTTP API on loopback.

MQTT (Frigate documentation "MQTT", https://docs.frigate.video/integrations/mqtt/): builders
for ``<prefix>/events`` (``new`` / ``update`` / ``end`` with ``recognized_license_plate``,
``recognized_license_plate_score``, ``sub_label`` ``[name, score]``) and
``<prefix>/tracked_object_update`` (``type: lpr``), plus the retained
``<prefix>/<camera>/detect/state`` and ``<prefix>/available`` a running Frigate keeps.
:func:`vehicle_messages` is the sequence of one car passing: first read, a better read, end.

HTTP (Frigate documentation "HTTP API"): :class:`FrigateApi` serves ``GET /api/config``
(``{"cameras": {...}}``), ``GET /api/version`` and ``GET /api/events/<id>/snapshot.jpg`` (a JPEG
for every event id it was told about, 404 otherwise), counting requests.

CLI (``scripts/develop``): ``python -m tools.emulators.frigate --mqtt-port N --http-port M``
serves the API and publishes a passing car every ``--interval`` seconds with paho-mqtt.
``--broker`` first starts a mosquitto on ``--mqtt-port`` (the demo has no broker of its own);
``--plate-sensor`` also announces an MQTT plate sensor through Home Assistant's MQTT discovery
(``sensor.lpr_sensor_plate``, its state the plate) and sets it to each car's plate, as other
LPR software publishing to MQTT would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
from pathlib import Path
import random
import string
import subprocess
import tempfile
import time
from typing import Any

from aiohttp import web

from .milesight_tcp import fake_jpeg

Message = tuple[str, bytes, bool]  # topic, payload, retain


def event_id(now: float | None = None) -> str:
    """A Frigate tracked-object id: ``<epoch>.<micro>-<6 random letters>``."""
    stamp = time.time() if now is None else now
    suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
    return f"{stamp:.6f}-{suffix}"


def tracked_object(
    ident: str,
    camera: str,
    plate: str | None,
    score: float | None,
    *,
    name: str | None = None,
    has_snapshot: bool = True,
    start: float | None = None,
    label: str = "car",
) -> dict[str, Any]:
    """The ``before``/``after`` object of a ``frigate/events`` message (0.16 field set)."""
    begun = time.time() if start is None else start
    return {
        "id": ident,
        "camera": camera,
        "frame_time": begun + 0.5,
        "snapshot": {"frame_time": begun + 0.5, "box": [415, 489, 528, 700], "score": 0.8},
        "label": label,
        "sub_label": [name, 0.9] if name else None,
        "top_score": 0.92,
        "false_positive": False,
        "start_time": begun,
        "end_time": None,
        "score": 0.9,
        "box": [424, 500, 536, 712],
        "area": 23744,
        "ratio": 2.1,
        "region": [264, 450, 667, 853],
        "current_zones": ["driveway"],
        "entered_zones": ["driveway"],
        "has_snapshot": has_snapshot,
        "has_clip": False,
        "active": True,
        "stationary": False,
        "motionless_count": 0,
        "position_changes": 2,
        "attributes": {},
        "current_attributes": [],
        "recognized_license_plate": plate,
        "recognized_license_plate_score": score,
    }


def events_message(kind: str, before: dict[str, Any], after: dict[str, Any]) -> bytes:
    """A ``frigate/events`` payload."""
    return json.dumps({"type": kind, "before": before, "after": after}).encode()


def lpr_update(
    ident: str, camera: str, plate: str, score: float, name: str | None = None
) -> bytes:
    """A ``frigate/tracked_object_update`` payload of type ``lpr``."""
    return json.dumps(
        {
            "type": "lpr",
            "id": ident,
            "camera": camera,
            "name": name,
            "plate": plate,
            "score": score,
            "timestamp": time.time(),
        }
    ).encode()


def vehicle_messages(
    camera: str,
    plate: str,
    *,
    first: str | None = None,
    prefix: str = "frigate",
    ident: str | None = None,
    name: str | None = None,
    has_snapshot: bool = True,
    end: bool = True,
) -> tuple[str, list[Message]]:
    """One car passing: ``new`` without a plate, a first read (``first`` or ``plate``) at 0.71,
    an LPR refinement to ``plate`` at 0.93, an ``update``, and ``end``. Returns (id, messages)."""
    ident = ident or event_id()
    start = time.time()
    bare = tracked_object(ident, camera, None, None, has_snapshot=False, start=start)
    early = tracked_object(
        ident, camera, first or plate, 0.71, has_snapshot=has_snapshot, start=start
    )
    best = tracked_object(ident, camera, plate, 0.93, name=name, has_snapshot=has_snapshot,
                          start=start)  # fmt: skip
    done = dict(best, end_time=start + 8, active=False)
    topic = f"{prefix}/events"
    messages: list[Message] = [
        (topic, events_message("new", bare, bare), False),
        (topic, events_message("update", bare, early), False),
        (f"{prefix}/tracked_object_update", lpr_update(ident, camera, plate, 0.93, name), False),
        (topic, events_message("update", early, best), False),
    ]
    if end:
        messages.append((topic, events_message("end", best, done), False))
    return ident, messages


def retained_states(cameras: list[str], prefix: str = "frigate") -> list[Message]:
    """What a running Frigate keeps retained: availability and per-camera switch states."""
    out: list[Message] = [(f"{prefix}/available", b"online", True)]
    for camera in cameras:
        for feature in ("detect", "recordings", "snapshots"):
            out.append((f"{prefix}/{camera}/{feature}/state", b"ON", True))
    return out


class FrigateApi:
    """Frigate's HTTP API on 127.0.0.1 (see the module docstring)."""

    def __init__(self, cameras: list[str], port: int = 0) -> None:
        """Serve ``cameras``; ``port`` 0 picks a free one (see :attr:`url`)."""
        self.cameras = list(cameras)
        self.port = port
        self.snapshots: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.snapshot_status = 200
        self.snapshot_delay = 0.0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:5000``."""
        return f"http://127.0.0.1:{self.port}"

    def add_snapshot(self, ident: str, data: bytes | None = None) -> bytes:
        """Serve a snapshot for ``ident`` (a generated JPEG unless ``data``); return its bytes."""
        picture = data if data is not None else fake_jpeg(1280, 720, 256)
        self.snapshots[ident] = picture
        return picture

    async def _config(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        cameras = {name: {"name": name, "lpr": {"enabled": True}} for name in self.cameras}
        return web.json_response({"cameras": cameras, "lpr": {"enabled": True}})

    async def _version(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.Response(text="0.16.2-emulator")

    async def _snapshot(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if self.snapshot_delay:
            await asyncio.sleep(self.snapshot_delay)
        picture = self.snapshots.get(request.match_info["ident"])
        if picture is None or self.snapshot_status != 200:
            return web.Response(status=self.snapshot_status if picture else 404, text="no\n")
        return web.Response(body=picture, content_type="image/jpeg")

    async def start(self) -> None:
        """Start serving."""
        app = web.Application()
        app.router.add_get("/api/config", self._config)
        app.router.add_get("/api/version", self._version)
        app.router.add_get("/api/events/{ident}/snapshot.jpg", self._snapshot)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # aiohttp keeps the bound port here
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


PLATE_SENSOR_CONFIG = "homeassistant/sensor/lpr_sensor_plate/config"
PLATE_SENSOR_STATE = "lpr_sensor/plate"


def _start_broker(port: int) -> subprocess.Popen[bytes]:
    conf = Path(tempfile.mkdtemp(prefix="frigate-demo-")) / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    return subprocess.Popen(["mosquitto", "-c", str(conf)])


async def _main(args: argparse.Namespace) -> None:
    import paho.mqtt.client as paho  # noqa: PLC0415 - only the CLI needs it
    from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415

    broker = _start_broker(args.mqtt_port) if args.broker else None
    cameras = args.cameras.split(",")
    api = FrigateApi(cameras, args.http_port)
    await api.start()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="frigate-emulator")
    client.will_set(f"{args.prefix}/available", b"offline", retain=True)
    while True:
        try:
            client.connect("127.0.0.1", args.mqtt_port)
            break
        except OSError:
            await asyncio.sleep(1)
    client.loop_start()
    for topic, payload, retain in retained_states(cameras, args.prefix):
        client.publish(topic, payload, retain=retain)
    if args.plate_sensor:
        config = {"name": "LPR sensor plate", "unique_id": "lpr_sensor_plate",
                  "state_topic": PLATE_SENSOR_STATE, "icon": "mdi:car"}  # fmt: skip
        client.publish(PLATE_SENSOR_CONFIG, json.dumps(config), retain=True)
    print(f"Frigate API on {api.url}, MQTT on 127.0.0.1:{args.mqtt_port}", flush=True)
    plates = args.plates.split(",")
    try:
        for index in itertools.count():
            camera = cameras[index % len(cameras)]
            plate = plates[index % len(plates)]
            ident, messages = vehicle_messages(camera, plate, first=plate[:-1] + "8",
                                               prefix=args.prefix)  # fmt: skip
            api.add_snapshot(ident)
            for topic, payload, retain in messages:
                client.publish(topic, payload, retain=retain)
                await asyncio.sleep(0.3)
            if args.plate_sensor:
                client.publish(PLATE_SENSOR_STATE, plate[::-1], retain=True)
            print(f"{camera}: {plate} ({ident})", flush=True)
            await asyncio.sleep(args.interval)
    finally:
        client.loop_stop()
        client.disconnect()
        await api.stop()
        if broker is not None:
            broker.terminate()
            broker.wait(10)


def main() -> None:
    """Run the emulator from the command line."""
    parser = argparse.ArgumentParser(description="Frigate MQTT + HTTP API emulator")
    parser.add_argument("--mqtt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--prefix", default="frigate")
    parser.add_argument("--cameras", default="driveway")
    parser.add_argument("--plates", default="FR16ATE,KM19XYZ")
    parser.add_argument("--interval", type=float, default=20.0)
    parser.add_argument("--broker", action="store_true", help="start mosquitto on --mqtt-port")
    parser.add_argument("--plate-sensor", action="store_true", help="also an MQTT plate sensor")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
