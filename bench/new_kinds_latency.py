"""Axis ALPV push, Frigate and Home Assistant entities: read -> event entity latency per kind.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir), with Home Assistant's own ``mqtt`` integration connected to a real
mosquitto on a free loopback port, and four cameras:

* ``http_push`` fed by tools/emulators/http_pusher.py in the ``axis_alpv`` format (the AXIS
  License Plate Verifier's FF event + frame + plate crop, multipart over loopback HTTP);
* ``frigate`` (settle 0) fed with Frigate's messages (``frigate/events`` update with
  ``recognized_license_plate``) published through the real broker — a read is one message. By
  default Home Assistant's own MQTT client publishes them (publisher and receiver share the
  event loop, so the number is our code plus one broker round trip); ``--paho`` publishes from a
  paho-mqtt client thread in the same process instead (a second network thread competing for
  the GIL, closer to a separate Frigate but noisier on a shared machine);
* ``frigate`` with a Frigate URL: the same, plus the snapshot fetched from
  tools/emulators/frigate.py's HTTP API before the event (reported separately: the target
  excludes picture fetches);
* ``ha_entity`` following a sensor whose state is the plate (``hass.states.async_set``).

Latency = ``perf_counter()`` when ``event.<camera>_plate`` changes to the plate minus
``perf_counter()`` just before the read is sent (same process, same clock), one read at a time.

Usage::

    .venv/bin/python bench/new_kinds_latency.py               # 300 reads per kind
    .venv/bin/python bench/new_kinds_latency.py --reads 50    # quick
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import json
import logging
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    name: str
    latencies: list[float] = field(default_factory=list)
    lost: int = 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index] * 1000


def _free_port() -> int:
    code = "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"
    return int(subprocess.check_output([sys.executable, "-c", code], text=True))


def _start_broker(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
    )
    log = tmp / "mosquitto.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=out)
    deadline = time.monotonic() + 10
    while "listen socket on port" not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"mosquitto did not start: {log.read_text()}")
        time.sleep(0.02)
    return proc, port


COMMON = {"repeat_window": 0, "min_confidence": 0, "direction_mode": "as_reported"}


async def run(args: argparse.Namespace, tmp: Path, port: int) -> list[Row]:
    from aiohttp import web  # noqa: PLC0415
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.components import mqtt  # noqa: PLC0415
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    import paho.mqtt.client as paho  # noqa: PLC0415
    from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
        async_test_home_assistant,
    )

    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415
    from tools.emulators import frigate as emu  # noqa: PLC0415
    from tools.emulators.http_pusher import HttpPusher  # noqa: PLC0415

    rows: list[Row] = []
    (tmp / "configuration.yaml").write_text("")
    async with async_test_home_assistant(config_dir=str(tmp)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        futures: dict[str, asyncio.Future[float]] = {}

        @callback
        def on_state(event: Event) -> None:
            if not str(event.data["entity_id"]).startswith("event."):
                return
            new = event.data.get("new_state")
            plate = new.attributes.get("plate") if new is not None else None
            fut = futures.pop(plate, None) if plate else None
            if fut is not None and not fut.done():
                fut.set_result(time.perf_counter())

        unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
        mqtt_entry = MockConfigEntry(
            domain="mqtt", data={"broker": "127.0.0.1", "port": port}, version=1, minor_version=2
        )
        mqtt_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(mqtt_entry.entry_id)
        while not mqtt.is_connected(hass):  # noqa: ASYNC110 - set by HA's MQTT client
            await asyncio.sleep(0.02)
        api = emu.FrigateApi(["driveway", "gate"])
        await api.start()
        frigate = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-frigate")
        frigate.connect("127.0.0.1", port)
        frigate.loop_start()
        frigate.publish("frigate/available", b"online", retain=True).wait_for_publish(5)
        hass.states.async_set("sensor.lpr_plate", "unknown")
        entry = await async_setup_hub(hass)
        web_id = await async_add_camera(
            hass, entry, "http_push",
            {"name": "Axis", "local_only": True, "secret": "", "max_body_mb": 20, **COMMON},
        )  # fmt: skip
        await async_add_camera(
            hass, entry, "frigate",
            {"name": "Drive", "frigate_camera": "driveway", "settle": 0, **COMMON},
        )  # fmt: skip
        await async_add_camera(
            hass, entry, "frigate",
            {"name": "Gate", "frigate_camera": "gate", "settle": 0, "frigate_url": api.url,
             **COMMON},
        )  # fmt: skip
        await async_add_camera(
            hass, entry, "ha_entity", {"name": "Entity", "entities": ["sensor.lpr_plate"], **COMMON}
        )
        runner = web.AppRunner(hass.http.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        webhook_id = entry.subentries[web_id].data["webhook_id"]
        pusher = HttpPusher(f"http://127.0.0.1:{http_port}/api/webhook/{webhook_id}")
        sources = [c.source for c in entry.runtime_data.cameras.values()]
        # Subscriptions are live once Frigate's retained "online" reached both cameras.
        deadline = time.monotonic() + 10
        while not all(
            getattr(s, "counters", {}).get("availability_messages", 1) for s in sources
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("Frigate cameras did not subscribe")
            await asyncio.sleep(0.02)
        counter = [0]

        def next_plate(prefix: str) -> str:
            counter[0] += 1
            n = counter[0]
            tail = "".join(chr(65 + (n // 100 // 26**k) % 26) for k in range(3))
            return f"{prefix}X{n % 100:02d}{tail}"

        async def send_axis(plate: str) -> None:
            await pusher.push("axis_alpv", plate, car_id=plate)

        def frigate_message(camera: str, plate: str) -> bytes:
            ident = emu.event_id()
            obj = emu.tracked_object(ident, camera, plate, 0.93, has_snapshot=camera == "gate")
            if camera == "gate":
                api.add_snapshot(ident)
            return emu.events_message("update", obj, obj)

        async def send_frigate(plate: str) -> None:
            if args.paho:
                frigate.publish("frigate/events", frigate_message("driveway", plate))
            else:
                await mqtt.async_publish(hass, "frigate/events", frigate_message("driveway", plate))

        async def send_frigate_snapshot(plate: str) -> None:
            if args.paho:
                frigate.publish("frigate/events", frigate_message("gate", plate))
            else:
                await mqtt.async_publish(hass, "frigate/events", frigate_message("gate", plate))

        async def send_entity(plate: str) -> None:
            hass.states.async_set("sensor.lpr_plate", plate)

        senders = {
            "http_push axis_alpv multipart + 2 pictures": send_axis,
            "frigate frigate/events (settle 0)": send_frigate,
            "frigate + snapshot from Frigate's API (picture fetch included)": send_frigate_snapshot,
            "ha_entity sensor state": send_entity,
        }
        for name, send in senders.items():
            row = Row(name)
            for i in range(args.warmup + args.reads):
                plate = next_plate("W" if i < args.warmup else "S")
                fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                futures[plate] = fut
                start = time.perf_counter()
                await send(plate)
                try:
                    done = await asyncio.wait_for(fut, args.timeout)
                except TimeoutError:
                    row.lost += 1
                    futures.pop(plate, None)
                    continue
                if i >= args.warmup:
                    row.latencies.append(done - start)
            rows.append(row)
        if args.verbose:
            print(json.dumps([s.diagnostics() for s in sources], indent=1, default=str))
        await pusher.close()
        frigate.loop_stop()
        frigate.disconnect()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await runner.cleanup()
        await api.stop()
        unsub()
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| kind / format | p50 ms | p99 ms | mean ms | reads | lost |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
        lines.append(
            f"| {r.name} | {pct(r.latencies, 50):.2f} | {pct(r.latencies, 99):.2f} | "
            f"{mean:.2f} | {len(r.latencies)} | {r.lost} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--paho",
        action="store_true",
        help="publish Frigate's messages from a paho client thread in this process instead of "
        "Home Assistant's own MQTT client (both go through the broker)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = _start_broker(Path(tmp))
        try:
            rows = asyncio.run(run(args, Path(tmp), port))
        finally:
            proc.terminate()
            proc.wait(10)
    print(table(rows))


if __name__ == "__main__":
    main()
