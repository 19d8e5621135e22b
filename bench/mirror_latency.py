"""MQTT mirror benchmark: read delivered by a camera -> state message at an MQTT subscriber.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with Home Assistant's own ``mqtt`` integration connected to a real
mosquitto on a free loopback port, and the hub's MQTT mirror on (QoS from ``--qos``, retained).
A camera of the generic in-process test kind (``tests/kinds.py``) delivers ``PlateRead`` objects
carrying the real Hikvision picture (tests/fixtures/…B4DM3N…jpg, 180 kB, Apache-2.0); a
paho-mqtt subscriber on ``#`` timestamps the ``<root>/<camera>/state`` and ``/image`` messages.

* sequential: deliver one read, wait for its state message, repeat (``--reads``), at most
  ``--rate`` reads/s;
* burst: deliver ``--burst`` reads as fast as possible; count the state messages that arrive and
  the rate (messages / (last arrival - first delivery)).

Latency = perf_counter() in the subscriber's on_message minus perf_counter() right before
``deliver`` (same process, same clock). The image check compares the received bytes with the
original file.

Usage::

    .venv/bin/python bench/mirror_latency.py              # 300 reads, burst 200, QoS 0
    .venv/bin/python bench/mirror_latency.py --qos 1 --reads 100
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import json
import logging
from pathlib import Path
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMAGE = ROOT / "tests" / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
TOPIC_ROOT = "anpr"


def pct(values: list[float], p: float) -> float:
    """Percentile ``p`` of ``values`` in milliseconds (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k] * 1000


@dataclass
class Result:
    """Figures of one run."""

    qos: int
    latencies: list[float] = field(default_factory=list)
    image_latencies: list[float] = field(default_factory=list)
    lost: int = 0
    image_ok: bool = True
    burst_total: int = 0
    burst_delivered: int = 0
    burst_rate: float = 0.0


class Subscriber:
    """paho subscriber on ``#``; resolves futures keyed by plate when the state arrives."""

    def __init__(self, port: int, loop: asyncio.AbstractEventLoop) -> None:
        import paho.mqtt.client as paho  # noqa: PLC0415
        from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415

        self.loop = loop
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.states: list[tuple[float, str]] = []
        self.images: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-sub")
        self.client.on_connect = lambda c, *a: c.subscribe("#", qos=2)
        self.client.on_subscribe = lambda *a: self.ready.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        now = time.perf_counter()
        if msg.topic.endswith("/state") and "/vehicles/" not in msg.topic:
            plate = json.loads(msg.payload)["plate"]
            with self.lock:
                self.states.append((now, plate))
            fut = self.waiting.pop(plate, None)
            if fut is not None:
                self.loop.call_soon_threadsafe(_resolve, fut, now)
        elif msg.topic.endswith("/image"):
            with self.lock:
                self.images.append((now, bytes(msg.payload)))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _resolve(fut: asyncio.Future[float], when: float) -> None:
    if not fut.done():
        fut.set_result(when)


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


async def run(args: argparse.Namespace, tmp: Path, port: int) -> Result:
    """Set up MQTT + hub + camera, then run the sequential and burst measurements."""
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.components import mqtt  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
        async_test_home_assistant,
    )

    from custom_components.anpr.protocols.models import (  # noqa: PLC0415
        ImageRole,
        PlateRead,
        ReadImage,
    )
    from tests import kinds  # noqa: PLC0415
    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415

    jpeg = IMAGE.read_bytes()
    result = Result(args.qos)
    (tmp / "configuration.yaml").write_text("")
    async with async_test_home_assistant(config_dir=str(tmp)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        mqtt_entry = MockConfigEntry(
            domain="mqtt", data={"broker": "127.0.0.1", "port": port}, version=1, minor_version=2
        )
        mqtt_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(mqtt_entry.entry_id)
        while not mqtt.is_connected(hass):  # noqa: ASYNC110 - set by HA's MQTT client
            await asyncio.sleep(0.02)
        sub = Subscriber(port, asyncio.get_running_loop())
        await hass.async_add_executor_job(sub.ready.wait, 5)
        entry = await async_setup_hub(
            hass,
            {
                "mqtt_enabled": True,
                "mqtt_root": TOPIC_ROOT,
                "mqtt_qos": args.qos,
                "mqtt_retain": True,
                "mqtt_discovery": False,
            },
        )
        await async_add_camera(
            hass, entry, kinds.KIND, {"name": "Bench", "stream": True, "repeat_window": 0}
        )
        await asyncio.sleep(0.5)
        source = kinds.RUNNING["Bench"]

        def read(plate: str) -> Any:
            return PlateRead(
                plate=plate, confidence=0.9, images=[ReadImage(jpeg, role=ImageRole.FULL)]
            )

        interval = 1.0 / args.rate
        for i in range(args.warmup + args.reads):
            plate = f"{'W' if i < args.warmup else 'S'}{i:05d}"
            fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            sub.waiting[plate] = fut
            images_before = len(sub.images)
            start = time.perf_counter()
            source.push(read(plate))
            try:
                done = await asyncio.wait_for(fut, args.timeout)
            except TimeoutError:
                result.lost += 1
                continue
            if i >= args.warmup:
                result.latencies.append(done - start)
                with sub.lock:
                    new_images = sub.images[images_before:]
                if new_images:
                    result.image_latencies.append(new_images[0][0] - start)
                    result.image_ok &= new_images[0][1] == jpeg
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - start)))

        plates = [f"B{i:05d}" for i in range(args.burst)]
        with sub.lock:
            states_before = len(sub.states)
        start = time.perf_counter()
        for plate in plates:
            source.push(read(plate))
        deadline = time.monotonic() + args.timeout + 20
        while time.monotonic() < deadline:
            with sub.lock:
                got = {p for _, p in sub.states[states_before:]}
            if got >= set(plates):
                break
            await asyncio.sleep(0.05)
        with sub.lock:
            burst = [(t, p) for t, p in sub.states[states_before:] if p in set(plates)]
        result.burst_total = len(plates)
        result.burst_delivered = len({p for _, p in burst})
        if burst:
            result.burst_rate = len(burst) / max(max(t for t, _ in burst) - start, 1e-9)
        await hass.async_add_executor_job(sub.close)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_unload(mqtt_entry.entry_id)
        await hass.async_block_till_done()
    return result


def table(r: Result) -> str:
    """Markdown result table."""
    mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
    return "\n".join(
        [
            "| QoS | state p50 ms | state p99 ms | mean ms | image p50 ms | image bytes equal "
            "| reads | lost | burst delivered | burst states/s |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {r.qos} | {pct(r.latencies, 50):.2f} | {pct(r.latencies, 99):.2f} | {mean:.2f} | "
            f"{pct(r.image_latencies, 50):.2f} | {r.image_ok} | {len(r.latencies)} | {r.lost} | "
            f"{r.burst_delivered}/{r.burst_total} | {r.burst_rate:.0f} |",
        ]
    )


def main() -> None:
    """Parse arguments, start mosquitto, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0, help="sequential reads per second")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--qos", type=int, default=0, choices=(0, 1, 2))
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    if shutil.which("mosquitto") is None:
        sys.exit("mosquitto is not installed (scripts/setup installs it)")
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        broker, port = _start_broker(Path(tmp))
        try:
            result = asyncio.run(run(args, Path(tmp), port))
        finally:
            broker.terminate()
            broker.wait(10)
    print(table(result))


if __name__ == "__main__":
    main()
